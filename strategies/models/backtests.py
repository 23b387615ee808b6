"""Backtest runs: what a user asked for, frozen at the request, its progress and its report."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange
from strategies.models.candles import CandleSeries
from strategies.models.catalog import CatalogEntry
from strategies.models.fill_columns import FillModelColumns, MarketColumns
from strategies.models.long_jobs import CandleFill
from strategies.models.mine import StrategyVersion


class BacktestStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    FETCHING = "fetching", _("Fetching candles")
    SIMULATING = "simulating", _("Simulating")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE = (BacktestStatus.QUEUED, BacktestStatus.FETCHING, BacktestStatus.SIMULATING)


class BacktestQuerySet(models.QuerySet["Backtest"]):
    def owned_by(self, user) -> "BacktestQuerySet":
        return self.filter(owner=user)

    def active(self) -> "BacktestQuerySet":
        return self.filter(status__in=ACTIVE)


class Backtest(FillModelColumns, MarketColumns, models.Model):
    """One backtest of one strategy document over one market and period, and its report. Its
    fill model and the market's rules are frozen at the request (FillModelColumns,
    MarketColumns; imported candles: `allows_shorts` as the user said of that market)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="backtests",
    )
    # Where the document came from (either, or neither once that strategy is deleted).
    catalog_entry = models.ForeignKey(
        CatalogEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="backtests"
    )
    strategy_version = models.ForeignKey(
        StrategyVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backtests",
    )
    strategy_name = models.CharField(_("strategy"), max_length=200)
    document = models.TextField(_("document"))  # canonical YAML, frozen at the request
    # The candles: an exchange's market (fetched into the shared store), or the user's own
    # imported series.
    exchange = models.ForeignKey(
        Exchange, verbose_name=_("exchange"), null=True, blank=True, on_delete=models.CASCADE
    )
    series = models.ForeignKey(
        CandleSeries,
        verbose_name=_("your candles"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backtests",
    )
    # The fill it waits on (or waited on) for its candles: its progress is the backtest's.
    fill = models.ForeignKey(
        CandleFill, null=True, blank=True, on_delete=models.SET_NULL, related_name="backtests"
    )
    symbol = models.CharField(_("symbol"), max_length=60)
    timeframe = models.CharField(_("timeframe"), max_length=8)
    start_ms = models.BigIntegerField(_("start"))  # first bar open of the period, ms UTC
    end_ms = models.BigIntegerField(_("end"))  # the period ends before this, ms UTC
    capital = models.DecimalField(_("starting capital"), max_digits=20, decimal_places=2)

    status = models.CharField(
        _("status"), max_length=12, choices=BacktestStatus.choices, default=BacktestStatus.QUEUED
    )
    # A message code of strategies.services.backtest_errors and its parameters, never a trace.
    error_code = models.CharField(max_length=40, blank=True)
    error_params = models.JSONField(default=dict, blank=True)

    stats = models.JSONField(null=True, blank=True)  # Stats.as_dict()
    trades = models.JSONField(default=list, blank=True)  # trade_json of each closed trade
    open_trades = models.JSONField(default=list, blank=True)
    # At most CHART_POINTS points each: [[time ms, equity], ...] and [[time ms, o, h, l, c], ...]
    equity = models.JSONField(default=list, blank=True)
    # [[bar close ms, value], ...] at the equity points' bars: the capital bought at the first
    # open and held (empty in reports stored before it).
    hold = models.JSONField(default=list, blank=True)
    prices = models.JSONField(default=list, blank=True)
    # {"alias.output": [value, ...]}: what the price chart draws of the indicators, a value
    # per price point (empty in reports stored before it).
    indicators = models.JSONField(default=dict, blank=True)
    provenance = models.JSONField(default=list, blank=True)  # [[start, end, source], ...]
    # A perpetual's funding (the fill model's point 9): {"paid": money received (negative:
    # paid), "covered": [first, last] time of the published rates used (ms), or []}; None
    # on a market without funding.
    funding = models.JSONField(null=True, blank=True)
    # [["YYYY-MM", return], ...]: metrics.monthly_returns over the period (empty in reports
    # stored before it).
    monthly = models.JSONField(default=list, blank=True)
    # [["YYYY-MM-DD" (a Monday), return], ...]: metrics.weekly_returns, likewise.
    weekly = models.JSONField(default=list, blank=True)
    bars = models.PositiveIntegerField(null=True, blank=True)
    gaps = models.PositiveIntegerField(null=True, blank=True)  # bars missing in held ranges
    # The candles before the period that fed the indicators, and how many they needed
    # (engine.history_bars): fewer exist where the market's history begins later.
    warmup_bars = models.PositiveIntegerField(null=True, blank=True)
    warmup_wanted = models.PositiveIntegerField(null=True, blank=True)
    # The median move of a candle over the period (|close / previous close - 1|): what a round
    # trip's costs are set against on the report.
    typical_move = models.FloatField(null=True, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = BacktestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("backtest")
        verbose_name_plural = _("backtests")
        indexes = [models.Index(fields=["owner", "status"], name="backtest_owner_status")]

    def __str__(self) -> str:
        return f"{self.strategy_name} {self.symbol} {self.timeframe} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("strategies:backtests:detail", kwargs={"backtest_id": self.pk})

    @property
    def running(self) -> bool:
        return self.status in ACTIVE

    @property
    def market_label(self) -> str:
        """Where the candles came from, as reports and lists name it."""
        return self.exchange.name if self.exchange else str(_("Your imported candles"))

    @property
    def percent(self) -> int:
        """Its candles fetched, 0 to 100: its fill's progress (0 before it has a fill)."""
        return self.fill.percent if self.fill is not None else 0
