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

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from exchanges import clients
from exchanges.connection_tests import examine
from exchanges.credentials import exchange_key_reveal
from exchanges.crypto.cipher import DecryptionError
from exchanges.diagnosis import Verdict, diagnose_error
from strategies.brokers.live import (
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
from strategies.engine.fills.journal import ENTRY, EXIT, FILLED, action_of
from strategies.engine.fills.trades import SIGNAL, TAKE_PROFIT
from strategies.engine.fills.watch import exchange_levels
from strategies.models import (
    RunBar,
    RunOrder,
    RunStatus,
    StrategyRun,
)
from strategies.rules import Document
from strategies.rules.model import EquityFraction
from strategies.series import Candles
from strategies.services import run_messages as messages
from strategies.services.live_state import (
    LiveState,
    account_fields,
    closed_trade_record,
)
from strategies.services.run_end import end_run
from strategies.services.run_records import decision_record

logger = logging.getLogger(__name__)

ACTOR = "strategy run"
TICKED = (RunStatus.RUNNING, RunStatus.STOPPING)


def live_tick(run: StrategyRun, bar_ms: int) -> None:
    """Evaluate the live run through the bar opening at `bar_ms`, act, record (see above)."""
    outcome = paper_evaluate(run, through=bar_ms, next_open=True)
    if outcome is None:
        return
    with session(run) as broker:
        run.refresh_from_db()
        if run.status not in TICKED or (run.last_bar_ms or -1) >= outcome.through:
            return
        _act(run, broker, outcome)


@contextmanager
def session(run: StrategyRun) -> Iterator[LiveBroker]:
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
    state, foreign = reconciled(run, broker)
    closed_trade_record(run, state)  # a resting level that closed the position since the last tick
    # The plan is a generator: it resumes after each intent is sent, and so sizes an entry that
    # follows an exit on what the exit left.
    for intent in _plan(run, outcome, state, broker):
        if intent.leg == EXIT:
            broker.cancel_open()  # the resting stop holds what is to be sold
            state = LiveState.of(run)  # the stop may have filled meanwhile
            if state.held:
                broker.send(dataclasses.replace(intent, amount=state.size))
            closed_trade_record(run, LiveState.of(run))  # before an entry opens the next one
            continue
        broker.send(intent)
    state = LiveState.of(run)
    if not state.held:
        broker.cancel_open()  # the target left resting after the stop closed it, or the reverse
    _protect(run, broker, outcome, state)
    _record(run, outcome, LiveState.of(run), foreign)


def reconciled(run: StrategyRun, broker: LiveBroker) -> tuple[LiveState, list[dict]]:
    """In-flight orders resolved by their client ids, resting ones brought up to date, then
    the account compared with the run's fills (Unreconciled when they disagree); the state
    and the trades no run placed."""
    broker.resolve_all()
    state = LiveState.of(run)
    return state, broker.reconcile(state.held, run.started_ms, tolerance=_tolerance(run))


def _protect(run: StrategyRun, broker: LiveBroker, outcome: PaperOutcome, state: LiveState) -> None:
    """The tick's part of `protect`: the closed bars it saw, and the open it acts at."""
    period = outcome.period
    closed = period.slice(0, len(period) - 1)  # the next open's bar has no range yet
    protect(run, broker, outcome.document, closed, state, at_ms=int(period.time[-1]))


def protect(
    run: StrategyRun,
    broker: LiveBroker,
    document: Document,
    closed: Candles,
    state: LiveState,
    *,
    at_ms: int,
) -> None:
    """Keep the position's stop resting at the exchange at the fill model's level, from the
    live entry price and the `closed` bars since the entry: the stop-loss, moved by the
    trailing stop at each close (cancelled and placed again; the exchange triggers it between
    closes, the fill model's way). On a futures market the target rests too (both
    reduce-only: whichever triggers first closes the position, the next tick cancels the
    other). On a spot market the target is left to the twin: the resting stop already holds
    the coins, and Kraken Spot has no OCO order. `at_ms` is the order's time: the open a
    tick acts at, or the moment a reconciliation finds the stop missing."""
    if not state.held or state.entry is None or run.status != RunStatus.RUNNING:
        return
    since_entry = closed.time >= state.entry.bar_ms
    long = state.side == "long"
    extremes = (closed.high if long else closed.low)[since_entry]
    best = state.entry.price
    if len(extremes):
        best = float(extremes.max() if long else extremes.min())
    levels = exchange_levels(document.risk, state.side, state.entry.price, best)
    wanted = {STOP: (levels.stop, levels.stop_reason)}
    if broker.derivative:
        wanted[TARGET] = (levels.target, TAKE_PROFIT)
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
        broker.send(Intent(at_ms, leg, state.side, action, state.size, reason, trigger=trigger))


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
        alert(
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


def alert(run: StrategyRun, code: str, **params: object) -> None:
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
    closed_trade_record(run, state)
    if foreign:
        run.alert_code = messages.FOREIGN_TRADES
        run.alert_params = {"count": len(foreign)}
    run.last_bar_ms = outcome.through
    run.mark_price = close
    for field, value in account_fields(state, close).items():
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
