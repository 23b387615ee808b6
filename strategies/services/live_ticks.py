"""A live run's tick: the paper twin decides, the live broker mirrors it at the exchange.

The twin is the paper tick's own backtest over the run's candles, with one more bar standing
for the bar opening now (strategies.brokers.paper.with_next_open): its orders at that bar are
what the fill model sends at the next open. The live run then
- leaves the position when it holds one and the twin does not hold that side after the next
  open (an exit rule, or a stop or target the twin saw reached inside a closed bar: live learns
  of those at the close, and the drift shows what that cost);
- enters when it is flat and the twin sends an entry at the next open, long or (on a futures
  market) short, sized from the run's own cash as the fill model sizes it, within the run's
  notional cap and only on a market that trades enough;
- keeps the position's stop resting at the exchange, and on a futures market its target too.
Everything happens under the key's lock (a connection test and a tick never clash on nonces),
with the key decrypted for this tick only. Before any order the in-flight orders are resolved
and the account reconciled; a run that cannot be reconciled stops instead of trading.
"""

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from exchanges import clients
from exchanges.connection_tests import examine
from exchanges.credentials import exchange_key_reveal
from exchanges.crypto.cipher import DecryptionError
from exchanges.diagnosis import Verdict, diagnose_error
from strategies.brokers.live import (
    CLOSE,
    KEY_ERRORS,
    OPEN,
    STOP,
    TARGET,
    Intent,
    LiveBroker,
    Unreconciled,
)
from strategies.brokers.paper import PaperOutcome, paper_evaluate
from strategies.engine import Market
from strategies.engine.fills.journal import ENTRY, EXIT, FILLED, SELL, action_of
from strategies.engine.fills.trades import MANUAL, SIGNAL, TAKE_PROFIT
from strategies.engine.fills.watch import exchange_levels
from strategies.models import (
    RunBar,
    RunFill,
    RunMode,
    RunOrder,
    RunStatus,
    RunTrade,
    StrategyRun,
)
from strategies.rules.model import EquityFraction
from strategies.services import run_messages as messages
from strategies.services.run_end import end_run
from strategies.services.run_records import decision_record

logger = logging.getLogger(__name__)

ACTOR = "strategy run"
TICKED = (RunStatus.RUNNING, RunStatus.STOPPING)
HELD_DECIMALS = 12
RECONCILE_TASK = "strategies.tasks.reconcile_live_run"


@dataclass(frozen=True)
class LiveState:
    """What the run's own fills add up to: the base it holds (signed: a short is negative),
    its cash (the starting capital less what it paid, plus what it received), and the fill of
    the entry it holds from."""

    held: float
    cash: float
    entry: RunFill | None

    @property
    def side(self) -> str:
        return "long" if self.held > 0 else "short"

    @property
    def size(self) -> float:
        return abs(self.held)

    @classmethod
    def of(cls, run: StrategyRun) -> "LiveState":
        return cls.at_closes(run, [None])[0]

    @classmethod
    def at_closes(cls, run: StrategyRun, bars: list) -> list["LiveState"]:
        """The state at the close of each bar opening at `bars` (ascending; None: now):
        what the fills of orders sent at that bar's open or before add up to. A bar recorded
        late (ticks missed while workers were down) shows what was held then, not now."""
        fills = RunFill.objects.filter(run=run).select_related("order").order_by("bar_ms", "pk")
        pending = iter(fills)
        fill = next(pending, None)
        held, cash, entry, states = 0.0, float(run.capital), None, []
        for bar in bars:
            while fill is not None and (bar is None or fill.bar_ms <= bar):
                buys = fill.order.action != SELL
                held += fill.amount if buys else -fill.amount
                cash += (-1 if buys else 1) * fill.amount * fill.price - fill.fee
                if fill.order.leg == ENTRY:
                    entry = fill
                fill = next(pending, None)
            held = round(held, HELD_DECIMALS)  # sums of stepped amounts: no 1e-17 positions
            states.append(cls(held=held, cash=cash, entry=entry if held else None))
        return states


def live_tick(run: StrategyRun, bar_ms: int) -> None:
    """Evaluate the live run through the bar opening at `bar_ms`, act, record (see above)."""
    outcome = paper_evaluate(run, through=bar_ms, next_open=True)
    if outcome is None:
        return
    with _session(run) as broker:
        run.refresh_from_db()
        if run.status not in TICKED or (run.last_bar_ms or -1) >= outcome.through:
            return
        _act(run, broker, outcome)


@contextmanager
def _session(run: StrategyRun) -> Iterator[LiveBroker]:
    """The run's broker; what goes wrong with the key or the account ends the run."""
    try:
        with broker_of(run) as broker:
            yield broker
    except KEY_ERRORS as error:
        key_refused(run, error)
    except Unreconciled as refused:
        end_run(run, RunStatus.FAILED, refused.code, **refused.params)
    except DecryptionError:
        logger.error("Run %s: key %s does not decrypt", run.pk, run.key_id)
        end_run(run, RunStatus.FAILED, messages.OURS)


@contextmanager
def broker_of(run: StrategyRun) -> Iterator[LiveBroker]:
    """The run's broker, signed in with its key (decrypted now, for this task only), under
    the key's lock: one private call at a time per key, whoever makes it."""
    if run.key is None:
        raise ValueError("a live run without a key")
    with clients.key_lock(run.key_id):
        client = clients.build(run.exchange.ccxt_id, exchange_key_reveal(key=run.key, actor=ACTOR))
        clients.ensure_markets(client)
        yield LiveBroker(run, client)


def live_prepare(run: StrategyRun) -> bool:
    """Before a live run's first tick: its key's permissions checked again (as a connection
    test checks them) and what the account holds in the market noted, what reconciliation
    starts from. A futures run starts without a position in its contract: its closing orders
    are reduce-only, and would close the account's own. False when the run was stopped."""
    try:
        with broker_of(run) as broker:
            diagnosis = examine(broker.client).diagnosis
            if diagnosis.verdict != Verdict.OK or diagnosis.refused_permissions:
                verdict = str(diagnosis.verdict)
                end_run(run, RunStatus.FAILED, messages.KEY_REFUSED, verdict=verdict)
                return False
            baseline = broker.holding()
            if broker.derivative and baseline:
                end_run(run, RunStatus.FAILED, messages.POSITION_OPEN, held=baseline)
                return False
    except KEY_ERRORS as error:
        key_refused(run, error)
        return False
    StrategyRun.objects.filter(pk=run.pk).update(base_baseline=baseline)
    run.base_baseline = baseline
    return True


def key_refused(run: StrategyRun, error: Exception) -> None:
    """The exchange refused the key: the run stops with the connection test's verdict."""
    diagnosis = diagnose_error(run.exchange.ccxt_id, error)
    logger.warning("Run %s: key refused: %s", run.pk, diagnosis.verdict)
    end_run(run, RunStatus.FAILED, messages.KEY_REFUSED, verdict=str(diagnosis.verdict))


def _act(run: StrategyRun, broker: LiveBroker, outcome: PaperOutcome) -> None:
    state, foreign = _reconciled(run, broker)
    _closed_trade(run, state)  # a resting level that closed the position since the last tick
    # The plan is a generator: it resumes after each intent is sent, and so sizes an entry that
    # follows an exit on what the exit left.
    for intent in _plan(run, outcome, state, broker):
        if intent.leg == EXIT:
            broker.cancel_open()  # the resting stop holds what is to be sold
            state = LiveState.of(run)  # the stop may have filled meanwhile
            if state.held:
                broker.send(dataclasses.replace(intent, amount=state.size))
            _closed_trade(run, LiveState.of(run))  # before an entry opens the next one
            continue
        broker.send(intent)
    state = LiveState.of(run)
    if not state.held:
        broker.cancel_open()  # the target left resting after the stop closed it, or the reverse
    _protect(run, broker, outcome, state)
    _record(run, outcome, LiveState.of(run), foreign)


def _reconciled(run: StrategyRun, broker: LiveBroker) -> tuple[LiveState, list[dict]]:
    """In-flight orders resolved by their client ids, resting ones brought up to date, then
    the account compared with the run's fills (Unreconciled when they disagree); the state
    and the trades no run placed."""
    broker.resolve_all()
    state = LiveState.of(run)
    return state, broker.reconcile(state.held, run.started_ms, tolerance=_tolerance(run))


def _protect(run: StrategyRun, broker: LiveBroker, outcome: PaperOutcome, state: LiveState) -> None:
    """Keep the position's stop resting at the exchange at the fill model's level, from the
    live entry price: the stop-loss, moved by the trailing stop at each close (cancelled and
    placed again; the exchange triggers it between closes, the fill model's way). On a futures
    market the target rests too (both reduce-only: whichever triggers first closes the
    position, the next tick cancels the other). On a spot market the target is left to the
    twin: the resting stop already holds the coins, and Kraken Spot has no OCO order."""
    if not state.held or state.entry is None or run.status != RunStatus.RUNNING:
        return
    period = outcome.period
    closed = slice(0, len(period) - 1)  # the next open's bar has no range yet
    since_entry = period.time[closed] >= state.entry.bar_ms
    long = state.side == "long"
    extremes = (period.high if long else period.low)[closed][since_entry]
    best = state.entry.price
    if len(extremes):
        best = float(extremes.max() if long else extremes.min())
    levels = exchange_levels(outcome.document.risk, state.side, state.entry.price, best)
    wanted = {STOP: (levels.stop, levels.stop_reason)}
    if broker.derivative:
        wanted[TARGET] = (levels.target, TAKE_PROFIT)
    now_ms = int(period.time[-1])
    for leg, (level, reason) in wanted.items():
        if level is None:
            continue
        trigger = float(broker.client.price_to_precision(run.symbol, level))
        resting = RunOrder.objects.filter(run=run, leg=leg, status=OPEN).first()
        if resting is not None:
            if resting.trigger_price == trigger and resting.amount == state.size:
                continue
            broker.cancel(resting)
            if resting.status == FILLED:
                return  # it triggered meanwhile: the next tick reconciles with the fill
        action = action_of(EXIT, state.side)
        broker.send(Intent(now_ms, leg, state.side, action, state.size, reason, trigger=trigger))


def _tolerance(run: StrategyRun) -> float:
    return 2 * (run.amount_step or 1e-8)


def _plan(run: StrategyRun, outcome: PaperOutcome, state: LiveState, broker: LiveBroker):
    """What to send at the open now (see the module's docstring): an exit, an entry, or an exit
    then an entry (the twin left one side and took the other at this open)."""
    result, period = outcome.result, outcome.period
    now = len(period) - 1  # the bar standing for the next open
    now_ms = int(period.time[now])
    twin_held = float(result.held[now])
    twin_holds_it = twin_held * state.held > 0  # the twin holds the run's side
    if state.held and (not twin_holds_it or run.status == RunStatus.STOPPING):
        # Why the twin left since the last tick (a rule, or a level inside a closed bar).
        first_new = outcome.first_new(run.last_bar_ms)
        exits = [o for o in result.orders if o.leg == EXIT and o.bar >= first_new]
        reason = exits[-1].reason if exits else SIGNAL
        side = state.side
        yield Intent(now_ms, EXIT, side, action_of(EXIT, side), state.size, reason)
        state = LiveState.of(run)  # after the exit was sent
        if state.held:
            return  # not closed (refused, or its answer lost): no entry on top of it
    entry = next((o for o in result.orders if o.leg == ENTRY and o.bar == now), None)
    if state.held == 0 and entry is not None and run.status == RunStatus.RUNNING:
        amount = _entry_amount(run, outcome, state, broker)
        if amount > 0:
            yield Intent(now_ms, ENTRY, entry.side, action_of(ENTRY, entry.side), amount, SIGNAL)


def _entry_amount(
    run: StrategyRun, outcome: PaperOutcome, state: LiveState, broker: LiveBroker
) -> float:
    """The fill model's sizing on the run's own cash at the last price, within the notional
    cap; 0 (with the run's alert saying why) on a market that trades too little."""
    ticker = broker.read(broker.client.fetch_ticker, run.symbol)
    price = float(ticker.get("last") or outcome.period.close[-1])
    volume = ticker.get("quoteVolume")
    if volume is None:  # ccxt gives Kraken Futures' linear contracts a base volume only
        volume = float(ticker.get("baseVolume") or 0.0) * price
    volume = float(volume)
    if volume < settings.RUNS_MIN_MARKET_VOLUME:
        _alert(
            run, messages.THIN_MARKET, volume=round(volume), minimum=settings.RUNS_MIN_MARKET_VOLUME
        )
        return 0.0
    sizing = outcome.document.sizing
    cash = max(state.cash, 0.0)
    if isinstance(sizing, EquityFraction):
        budget = sizing.fraction * cash
    else:
        budget = min(sizing.amount, cash)
    if run.notional_cap is not None:
        budget = min(budget, run.notional_cap)
    market = Market(amount_step=run.amount_step, min_amount=run.min_amount, min_cost=run.min_cost)
    amount = market.amount_to_precision(budget / (price * (1 + run.fee)))
    return amount if market.accepts(amount, price) else 0.0


def _alert(run: StrategyRun, code: str, **params: object) -> None:
    StrategyRun.objects.filter(pk=run.pk).update(alert_code=code, alert_params=params)
    run.alert_code, run.alert_params = code, params


@transaction.atomic
def _record(run: StrategyRun, outcome: PaperOutcome, state: LiveState, foreign: list) -> None:
    """The tick's bars, the decisions behind the twin's new orders, the drift of filled
    orders against their twin, the closed trade, and the run's account."""
    period = outcome.period
    real = len(period) - 1  # the last index is the next open, not a closed bar
    first_new = outcome.first_new(run.last_bar_ms)
    close = float(period.close[real - 1])
    new_bars = range(first_new, real)
    at_close = LiveState.at_closes(run, [int(period.time[i]) for i in new_bars])
    RunBar.objects.bulk_create(
        RunBar(
            run=run,
            bar_ms=int(period.time[i]),
            close=float(period.close[i]),
            equity=then.cash + then.held * float(period.close[i]),
            held=then.held,
        )
        for i, then in zip(new_bars, at_close, strict=True)
    )
    rows = {(o.bar_ms, o.leg): o for o in RunOrder.objects.filter(run=run)}
    for order in outcome.result.orders:
        key = (int(period.time[order.bar]), order.leg)
        if order.bar >= first_new:
            decision_record(run, outcome, order, rows.get(key))
        row = rows.get(key)
        if row is not None and row.paper_price is None and order.fills and order.bar < real:
            paid = sum(f.amount * f.price for f in order.fills)
            row.paper_price = paid / sum(f.amount for f in order.fills)
            row.paper_fee = sum(f.fee for f in order.fills)
            row.save(update_fields=["paper_price", "paper_fee"])
    _closed_trade(run, state)
    if foreign:
        run.alert_code = messages.FOREIGN_TRADES
        run.alert_params = {"count": len(foreign)}
    run.last_bar_ms = outcome.through
    run.mark_price = close
    for field, value in _account(state, close).items():
        setattr(run, field, value)
    run.ticked_at = timezone.now()
    run.save(
        update_fields=[
            "last_bar_ms",
            "held",
            "mark_price",
            "equity",
            "position",
            "ticked_at",
            "alert_code",
            "alert_params",
        ]
    )


def _account(state: LiveState, mark: float) -> dict[str, object]:
    """The run's holding, equity and position at the price `mark`."""
    return {
        "held": state.held,
        "equity": state.cash + state.held * mark,
        "position": _position(state, mark),
    }


def _position(state: LiveState, close: float) -> dict | None:
    """The open position as the run's page shows it (trade_json's shape)."""
    if state.entry is None:
        return None
    entry = state.entry
    return {
        "side": entry.order.side,
        "entry_time": entry.bar_ms,
        "entry_price": entry.price,
        "size": state.size,
        "pnl": state.held * (close - entry.price) - entry.fee,
        "fees": entry.fee,
        "mark_price": close,
    }


def _closed_trade(run: StrategyRun, state: LiveState) -> None:
    """When the run is flat after an exit filled, the trade from its last entry to it."""
    if state.held:
        return
    exit_fill = RunFill.objects.filter(run=run).exclude(order__leg=ENTRY).order_by("-pk").first()
    entry_fill = RunFill.objects.filter(run=run, order__leg=ENTRY).order_by("-pk").first()
    if exit_fill is None or entry_fill is None or entry_fill.pk > exit_fill.pk:
        return
    sign = 1 if entry_fill.order.side == "long" else -1  # a short gains when the price falls
    RunTrade.objects.get_or_create(
        run=run,
        entry_ms=entry_fill.bar_ms,
        defaults={
            "side": entry_fill.order.side,
            "entry_price": entry_fill.price,
            "size": entry_fill.amount,
            "exit_ms": exit_fill.bar_ms,
            "exit_price": exit_fill.price,
            "exit_reason": exit_fill.order.reason,
            "pnl": sign
            * (exit_fill.amount * exit_fill.price - entry_fill.amount * entry_fill.price)
            - entry_fill.fee
            - exit_fill.fee,
            "fees": entry_fill.fee + exit_fill.fee,
        },
    )


def _live_run(run_id: int) -> StrategyRun | None:
    return StrategyRun.objects.select_related("exchange", "key").filter(pk=run_id).first()


def live_flatten(*, run_id: int) -> None:
    """Close what a stopping live run holds at market (a long sold, a short bought back),
    cancel what rests, then stop it."""
    run = _live_run(run_id)
    if run is None or run.status != RunStatus.STOPPING or run.key is None:
        return
    with _session(run) as broker:  # a refused key ends the run there
        broker.resolve_all()
        broker.cancel_open()
        state = LiveState.of(run)
        if state.held:
            # Its own leg: an exit the twin sent at that bar may already hold the key.
            bar_ms = run.flatten_bar_ms or run.start_ms
            action = action_of(EXIT, state.side)
            broker.send(Intent(bar_ms, CLOSE, state.side, action, state.size, MANUAL))
        _closed_trade(run, LiveState.of(run))
    if LiveState.of(run).held == 0:
        end_run(run, RunStatus.STOPPED, messages.FLATTENED)


def live_cancel(*, run_id: int) -> None:
    """Cancel the resting orders of a run that stopped (its key decrypted for that only)."""
    run = _live_run(run_id)
    if run is None or run.key is None:
        return
    with broker_of(run) as broker:
        broker.cancel_open()


def live_reconcile(*, run_id: int) -> None:
    """A live run checked against the exchange between bars, when a worker starts (perhaps
    after a crash): what it finds is recorded, nothing is sent, and a run that cannot be
    reconciled stops now rather than at its next bar."""
    run = _live_run(run_id)
    if run is None or run.status not in TICKED or run.key is None:
        return
    with _session(run) as broker:
        state, foreign = _reconciled(run, broker)
        _closed_trade(run, state)  # a resting stop may have filled meanwhile
        StrategyRun.objects.filter(pk=run.pk).update(**_account(state, run.mark_price or 0.0))
        if foreign:
            _alert(run, messages.FOREIGN_TRADES, count=len(foreign))


def live_runs_reconcile() -> int:
    """Queue a reconciliation of every active live run (see live_reconcile); how many."""
    pks = list(
        StrategyRun.objects.filter(
            mode=RunMode.LIVE, status__in=TICKED, key__isnull=False
        ).values_list("pk", flat=True)
    )
    for pk in pks:
        async_task(RECONCILE_TASK, pk)
    return len(pks)


def worker_started(**kwargs: object) -> None:
    """django-q2's post_spawn: a worker that starts (a machine back after a crash, a worker
    replaced after a timeout) has live runs reconciled at once, once a minute at most across
    the workers that share the cache, instead of at their next bar."""
    try:
        if cache.add("runs:reconcile-on-start", 1, timeout=60):
            logger.info("Worker start: live runs to reconcile: %d", live_runs_reconcile())
    except Exception:  # a worker must start even when the database is not there yet
        logger.exception("Worker start: live runs not reconciled")
