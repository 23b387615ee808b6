"""Paper and live runs: a strategy document frozen at the start, ticked bar by bar by workers.

A run's rows below its own (orders, fills, trades, bars, decisions) are written by its ticks
only, each keyed by the bar it belongs to: a tick that runs twice finds them there and changes
nothing.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange, ExchangeKey
from strategies.engine.enums import Action, Event, Kind, Leg, Reason, Side, Status
from strategies.models.catalog import CatalogEntry
from strategies.models.fill_columns import FillModelColumns, MarketColumns, vocabulary_field
from strategies.models.mine import StrategyVersion

# Client order ids are UUIDs derived from (run, bar, leg): the same order always gets the same
# id, whichever worker sends it and however often (Kraken accepts a UUID as `cl_ord_id`).
CLIENT_ORDER_NAMESPACE = uuid.UUID("6f1b8c1e-3d2a-5b7e-9c4f-0a1d2e3f4b5c")


class RunMode(models.TextChoices):
    PAPER = "paper", _("Paper")
    LIVE = "live", _("Live")


class RunStatus(models.TextChoices):
    STARTING = "starting", _("Starting")
    RUNNING = "running", _("Running")
    STOPPING = "stopping", _("Stopping")
    STOPPED = "stopped", _("Stopped")
    FAILED = "failed", _("Failed")


ACTIVE_RUN = (RunStatus.STARTING, RunStatus.RUNNING, RunStatus.STOPPING)


class StrategyRunQuerySet(models.QuerySet["StrategyRun"]):
    def owned_by(self, user) -> "StrategyRunQuerySet":
        return self.filter(owner=user)

    def active(self) -> "StrategyRunQuerySet":
        return self.filter(status__in=ACTIVE_RUN)

    def cancels_pending(self) -> "StrategyRunQuerySet":
        """Ended live runs whose orders the exchange has not confirmed cancelled yet."""
        return self.exclude(status__in=ACTIVE_RUN).filter(cancel_due_at__isnull=False)


class StrategyRun(FillModelColumns, MarketColumns, models.Model):
    """One strategy run on one market: its frozen document, fill model and market rules (a
    paper run's whole broker, a live run's twin), where its ticks got to, and the account they
    left (cash, holding, equity, the open position)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="strategy_runs",
    )
    catalog_entry = models.ForeignKey(
        CatalogEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    strategy_version = models.ForeignKey(
        StrategyVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    strategy_name = models.CharField(_("strategy"), max_length=200)
    document = models.TextField(_("document"))  # canonical YAML, frozen at the start
    exchange = models.ForeignKey(Exchange, verbose_name=_("exchange"), on_delete=models.PROTECT)
    symbol = models.CharField(_("symbol"), max_length=60)
    timeframe = models.CharField(_("timeframe"), max_length=8)
    mode = models.CharField(_("mode"), max_length=8, choices=RunMode.choices)
    key = models.ForeignKey(
        ExchangeKey,
        verbose_name=_("exchange key"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="runs",
    )
    capital = models.DecimalField(_("starting capital"), max_digits=20, decimal_places=2)

    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.STARTING
    )
    # Why it stopped: a message code of strategies.services.run_messages and its parameters.
    stop_code = models.CharField(max_length=40, blank=True)
    stop_params = models.JSONField(default=dict, blank=True)
    # Something the owner should know while it runs ("another program uses this key"), as a
    # message code and its parameters; empty when there is nothing to say.
    alert_code = models.CharField(max_length=40, blank=True)
    alert_params = models.JSONField(default=dict, blank=True)

    # Live runs: the base currency the account held before the run's first order (what the
    # exchange's balance is reconciled against), and the most one order may be worth (quote).
    base_baseline = models.FloatField(null=True, blank=True)
    notional_cap = models.FloatField(null=True, blank=True)
    # The key's trades on the run's market as the exchange lists them (a backfill the owner
    # asks for): [{"time", "side", "amount", "price", "fee", "order", "ours"}, ...], and how
    # that went ("" never asked, "queued", "loaded", "no_permission").
    exchange_trades = models.JSONField(default=list, blank=True)
    exchange_trades_state = models.CharField(max_length=16, blank=True)
    exchange_trades_at = models.DateTimeField(null=True, blank=True)

    # Bars, as their opens in ms UTC: history loaded from `history_ms`; decisions from the
    # close of the bar opening at `start_ms` (the bar forming when the run was started).
    history_ms = models.BigIntegerField()
    start_ms = models.BigIntegerField()
    last_bar_ms = models.BigIntegerField(null=True, blank=True)  # the last bar ticked
    flatten_bar_ms = models.BigIntegerField(null=True, blank=True)  # flatten asked at its close
    # The fan-out's bookkeeping: the bar a tick was last queued for, and when.
    queued_bar_ms = models.BigIntegerField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)

    held = models.FloatField(default=0.0)  # signed: negative is short
    equity = models.FloatField(default=0.0)
    mark_price = models.FloatField(null=True, blank=True)
    position = models.JSONField(null=True, blank=True)  # the open trade, as trade_json
    stats = models.JSONField(null=True, blank=True)  # the backtest's statistics, run so far
    # A live run on a perpetual: the funding its paper twin would have got so far (the fill
    # model's point 9), beside what the exchange booked (RunFunding): the drift.
    twin_funding = models.FloatField(default=0.0)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    ticked_at = models.DateTimeField(_("last tick"), null=True, blank=True)

    # A starting run's duty: when its preparation is queued again if the run still starts then
    # (the task lost with a killed worker on a broker without receipts, or never queued).
    prepare_due_at = models.DateTimeField(_("preparation, next attempt"), null=True, blank=True)

    # An ended live run's duty: until the exchange confirms that none of its orders rests,
    # when its cancel is (re)queued next, how many attempts failed, and why the last one did
    # (a code of strategies.services.run_messages). None: nothing left to cancel.
    cancel_due_at = models.DateTimeField(_("orders to cancel, next attempt"), null=True, blank=True)
    cancel_attempts = models.PositiveIntegerField(_("failed cancel attempts"), default=0)
    cancel_problem = models.CharField(_("last cancel problem"), max_length=40, blank=True)

    objects = StrategyRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("strategy run")
        verbose_name_plural = _("strategy runs")
        # Stopping other people's runs is granted explicitly, never implied by viewing them.
        permissions = [
            ("stop_runs", _("Can stop users' runs (selected runs, or all runs of their owners)")),
            ("kill_all_runs", _("Can stop every active run on the platform at once")),
        ]
        indexes = [
            models.Index(fields=["owner", "status"], name="run_owner_status"),
            models.Index(fields=["status", "exchange", "symbol", "timeframe"], name="run_market"),
            models.Index(fields=["cancel_due_at"], name="run_cancel_due"),
        ]

    def __str__(self) -> str:
        return f"{self.strategy_name} {self.symbol} {self.timeframe} {self.mode} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("runs:detail", kwargs={"run_id": self.pk})

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_RUN

    @property
    def orders_may_rest(self) -> bool:
        """An ended live run whose orders the exchange has not yet confirmed cancelled."""
        return not self.active and self.cancel_due_at is not None

    @property
    def cash(self) -> float:
        """What is not in the position: the equity less the holding at the last close."""
        return self.equity - self.held * (self.mark_price or 0.0)

    @property
    def pnl(self) -> float:
        return self.equity - float(self.capital)

    @property
    def started_ms(self) -> int:
        """When the run started (ms), or its first decision's bar before it has started: where
        its trades at the exchange begin."""
        return int(self.started_at.timestamp() * 1000) if self.started_at else self.start_ms

    def client_order_id(self, bar_ms: int, leg: str, rung: int = 0) -> str:
        """The order's id at the exchange: the same for the same (run, bar, leg, rung),
        always (a safety order's rung told apart; the other orders' ids as they always were)."""
        name = f"run:{self.pk}:bar:{bar_ms}:{leg}" + (f":{rung}" if rung else "")
        return str(uuid.uuid5(CLIENT_ORDER_NAMESPACE, name))


class RunOrder(models.Model):
    """An order a run sent (or, paper, would have sent) at a bar's open."""

    run = models.ForeignKey(StrategyRun, on_delete=models.CASCADE, related_name="orders")
    bar_ms = models.BigIntegerField()  # the bar whose open it is sent at
    # Every value below comes from strategies.engine.enums, which says what each means.
    leg = vocabulary_field(Leg)
    # A safety order's place in its ladder (1 the nearest), all sent at the same open; 0 for
    # every other order.
    rung = models.PositiveSmallIntegerField(default=0)
    side = vocabulary_field(Side)  # the position's
    action = vocabulary_field(Action)
    kind = vocabulary_field(Kind, default=Kind.MARKET)
    amount = models.FloatField()
    filled = models.FloatField(default=0.0)
    reason = vocabulary_field(Reason)
    status = vocabulary_field(Status)
    client_order_id = models.CharField(max_length=64)
    exchange_order_id = models.CharField(max_length=64, blank=True)
    # A stop or take-profit order's trigger price (live: resting at the exchange; paper: the
    # level the bar reached).
    trigger_price = models.FloatField(null=True, blank=True)
    # A live order's paper twin: what the fill model filled for the same (bar, leg), once the
    # bar it fills in has closed (the drift between paper and live).
    paper_price = models.FloatField(null=True, blank=True)
    paper_fee = models.FloatField(null=True, blank=True)
    # When it was really sent: live, when it went to the exchange; paper, its bar's open, or
    # the tick that caught up with its bar after a pause (`caught_up`: the run was not there
    # at that open, and says so rather than stamping the order with it). None: before these.
    sent_at = models.DateTimeField(null=True, blank=True)
    caught_up = models.BooleanField(default=False)

    class Meta:
        ordering = ["-bar_ms", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "bar_ms", "leg", "rung"], name="one_order_per_run_bar_leg_rung"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.amount:g} ({self.leg} {self.side}, {self.status})"


class RunFill(models.Model):
    order = models.ForeignKey(RunOrder, on_delete=models.CASCADE, related_name="fills")
    run = models.ForeignKey(StrategyRun, on_delete=models.CASCADE, related_name="fills")
    bar_ms = models.BigIntegerField()
    amount = models.FloatField()
    price = models.FloatField()  # as filled, slippage included
    reference = models.FloatField()  # the price before slippage
    fee = models.FloatField()  # in the quote currency (converted when charged in another)
    # Where the exchange charged the fee in another asset (Binance: the base bought, or BNB):
    # that asset and the amount, as charged; blank and None when charged in the quote.
    fee_currency = models.CharField(max_length=16, blank=True, default="")
    fee_charged = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-bar_ms", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "bar_ms"], name="one_fill_per_order_bar")
        ]

    def __str__(self) -> str:
        return f"{self.amount:g} at {self.price:g}"

    def base_fee(self, base: str) -> float:
        """The part of the fee taken from the base currency (a Binance buy's commission): the
        account holds that much less than the fill's amount."""
        return float(self.fee_charged or 0.0) if self.fee_currency == base else 0.0


class RunTrade(models.Model):
    """A closed position, as a backtest's ledger lists it."""

    run = models.ForeignKey(StrategyRun, on_delete=models.CASCADE, related_name="trades")
    side = vocabulary_field(Side)
    entry_ms = models.BigIntegerField()
    entry_price = models.FloatField()
    size = models.FloatField()
    exit_ms = models.BigIntegerField()
    exit_price = models.FloatField()
    exit_reason = vocabulary_field(Reason)
    pnl = models.FloatField()  # net of fees and funding
    fees = models.FloatField()
    funding = models.FloatField(default=0.0)  # received (negative: paid) while it was held

    class Meta:
        ordering = ["-entry_ms"]
        constraints = [
            models.UniqueConstraint(fields=["run", "entry_ms"], name="one_trade_per_run_entry")
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.size:g}: {self.pnl:+.2f}"


class RunFunding(models.Model):
    """A funding payment a live run's position got on a perpetual, as the exchange booked it
    (Kraken Futures: its account log): received, or paid when negative."""

    run = models.ForeignKey(StrategyRun, on_delete=models.CASCADE, related_name="funding")
    time_ms = models.BigIntegerField()
    amount = models.FloatField()
    rate = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["time_ms"]
        constraints = [
            models.UniqueConstraint(fields=["run", "time_ms"], name="one_funding_per_run_time")
        ]

    def __str__(self) -> str:
        return f"{self.time_ms}: {self.amount:+.8f}"


class RunBar(models.Model):
    """The account at a bar's close: the equity curve, one row per bar ticked."""

    run = models.ForeignKey(StrategyRun, on_delete=models.CASCADE, related_name="bars")
    bar_ms = models.BigIntegerField()
    close = models.FloatField()
    equity = models.FloatField()
    held = models.FloatField()
    # Set when the bar was evaluated only after the next one had closed (its tick missed: a
    # worker away, a pause): when it was. The page says which bars were caught up, and when.
    caught_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["bar_ms"]
        constraints = [
            models.UniqueConstraint(fields=["run", "bar_ms"], name="one_row_per_run_bar")
        ]
        indexes = [
            # The run's page reads its latest catch-up on every refresh: the few bars caught
            # up, not a scan of every bar a run of months has ticked.
            models.Index(
                fields=["run", "caught_up_at"],
                condition=models.Q(caught_up_at__isnull=False),
                name="run_bars_caught_up",
            )
        ]

    def __str__(self) -> str:
        return f"{self.bar_ms}: {self.equity:.2f}"


class RunDecision(models.Model):
    """A decision taken at a bar's close that sent an order (or would have, below the market's
    minimum), or an entry signal that expired without its trigger: the rule that fired and
    which of its conditions held, as paths into the rule."""

    run = models.ForeignKey(StrategyRun, on_delete=models.CASCADE, related_name="decisions")
    bar_ms = models.BigIntegerField()  # the bar at whose close it was decided
    event = vocabulary_field(Event)
    conditions = models.JSONField(default=list, blank=True)  # [[0, 1], ...] paths of true leaves
    order = models.ForeignKey(
        RunOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )

    class Meta:
        ordering = ["-bar_ms", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "bar_ms", "event"], name="one_decision_per_run_bar_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} at {self.bar_ms}"
