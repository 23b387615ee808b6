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
- keeps the position's stop resting at the exchange, and on a futures market its target too,
  measured from the average entry price of the base order's and safety orders' fills;
- keeps a ladder's safety orders resting as limit orders (the fill model's point 11), each
  sent once with its own client id, and cancels what rests when the position closes.
Everything happens under the key's lock (a connection test and a tick never clash on nonces),
with the key decrypted for this tick only. Before any order the in-flight orders are resolved
and the account reconciled; a run that cannot be reconciled stops instead of trading.
"""

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from exchanges import trading
from exchanges.connection_tests import examine
from exchanges.crypto.cipher import DecryptionError
from exchanges.diagnosis import Verdict, diagnose_error
from exchanges.selectors import live_venues_text
from strategies.brokers.live import KEY_ERRORS, Intent, LiveBroker, Unreconciled, live_session
from strategies.brokers.paper import PaperOutcome, paper_evaluate
from strategies.engine.enums import Action, Leg, Reason, Status
from strategies.engine.fills.sizing import entry_amount
from strategies.models import RunFunding, RunOrder, RunStatus, StrategyRun
from strategies.rules import Document
from strategies.series import Candles, timeframe_ms
from strategies.services import run_messages as messages
from strategies.services.governor import (
    entry_blocked,
    exposure_room,
    governor_check_safely,
    governor_turn,
)
from strategies.services.live_levels import entered_share, held_levels, keep_ladder
from strategies.services.live_state import LiveState, closed_trade_record
from strategies.services.run_end import end_run
from strategies.services.run_records import live_tick_record

logger = logging.getLogger(__name__)

TICKED = (RunStatus.RUNNING, RunStatus.STOPPING)


def live_tick(run: StrategyRun, bar_ms: int) -> None:
    """Evaluate the live run through the bar opening at `bar_ms`, act, record (see above)."""
    if venue_refused(run):
        return
    # Before anything is sent: a limit another run's tick (or a restart) found crossed holds
    # this run's entries back from this tick on.
    checked = governor_check_safely(run, bar_ms + timeframe_ms(run.timeframe))
    outcome = paper_evaluate(run, through=bar_ms, next_open=True)
    if outcome is None:
        return
    with session(run) as broker:
        run.refresh_from_db()
        if run.status not in TICKED or (run.last_bar_ms or -1) >= outcome.through:
            return
        _act(run, broker, outcome, entries_allowed=checked)


@contextmanager
def session(run: StrategyRun) -> Iterator[LiveBroker]:
    """The run's broker; what goes wrong with the key or the account ends the run."""
    try:
        with live_session(run) as broker:
            yield broker
    except KEY_ERRORS as error:
        key_refused(run, error)
    except Unreconciled as refused:
        end_run(run, RunStatus.FAILED, refused.code, **refused.params)
    except DecryptionError:
        logger.error("Run %s: key %s does not decrypt", run.pk, run.key_id)
        end_run(run, RunStatus.FAILED, messages.OURS)


def venue_refused(run: StrategyRun) -> bool:
    """A live run on a venue the trading table does not (or no longer) verify for its kind
    of market stops, saying which venues trade live: it sends nothing more there."""
    if trading.trades_live(run.exchange.ccxt_id, derivative=run.allows_shorts):
        return False
    shown = {"exchange": run.exchange.name, "venues": live_venues_text()}
    end_run(run, RunStatus.FAILED, messages.VENUE_NOT_LIVE, **shown)
    return True


def live_prepare(run: StrategyRun) -> bool:
    """Before a live run's first tick: its key's permissions checked again (as a connection
    test checks them) and what the account holds in the market noted, what reconciliation
    starts from. A futures run starts without a position in its contract, on an account in
    one-way mode: its closing orders are reduce-only on one signed position, and would close
    the account's own. False when the run was stopped."""
    if venue_refused(run):
        return False
    try:
        with live_session(run) as broker:
            diagnosis = examine(broker.client).diagnosis
            if diagnosis.verdict != Verdict.OK or diagnosis.refused_permissions:
                verdict = str(diagnosis.verdict)
                end_run(run, RunStatus.FAILED, messages.KEY_REFUSED, verdict=verdict)
                return False
            if broker.hedged():
                end_run(run, RunStatus.FAILED, messages.HEDGE_MODE)
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


def _act(
    run: StrategyRun, broker: LiveBroker, outcome: PaperOutcome, *, entries_allowed: bool
) -> None:
    state, foreign = reconciled(run, broker)
    closed_trade_record(run, state)  # a resting level that closed the position since the last tick
    if not state.held and broker.cancel_open():
        # What the closed position left resting (the other level, a ladder) goes before an
        # entry at this open: it is not reduce-only, and would add to the next position.
        state = LiveState.of(run)
    with governor_turn(run) as turn:
        _send_plan(run, broker, outcome, state, entries_allowed and turn, foreign)


def _send_plan(
    run: StrategyRun,
    broker: LiveBroker,
    outcome: PaperOutcome,
    state: LiveState,
    entries_allowed: bool,
    foreign: list,
) -> None:
    """The plan sent, the levels kept, the tick recorded and the limits checked again: one
    turn of the owner's runs under their limits (governor_turn)."""
    # The plan is a generator: it resumes after each intent is sent, and so sizes an entry that
    # follows an exit on what the exit left.
    for intent in _plan(run, outcome, state, broker, entries_allowed):
        if intent.leg == Leg.EXIT:
            broker.cancel_open()  # the resting stop holds what is to be sold
            state = LiveState.of(run)  # the stop may have filled meanwhile
            if state.held:
                broker.send(dataclasses.replace(intent, amount=state.size))
            closed_trade_record(run, LiveState.of(run))  # before an entry opens the next one
            continue
        broker.send(intent)
    state = LiveState.of(run)
    if not state.held:
        # The target left resting after the stop closed it, or the reverse, and what is left
        # of a ladder.
        broker.cancel_open()
    _protect(run, broker, outcome, state)
    live_tick_record(run, outcome, LiveState.of(run), foreign)
    # What this tick recorded moves the combined measures: a breach it causes is committed
    # now, before the other runs' ticks at this bar ask.
    governor_check_safely(run, int(outcome.period.time[-1]))


def reconciled(run: StrategyRun, broker: LiveBroker) -> tuple[LiveState, list[dict]]:
    """In-flight orders resolved by their client ids, resting ones brought up to date, then
    the account compared with the run's fills (Unreconciled when they disagree); the state
    and the trades no run placed."""
    broker.resolve_all()
    funding_record(run, broker)
    state = LiveState.of(run)
    held = state.held + state.dust  # the coins a fee left below a step are the run's too
    # A safety order filled in part still rests: its fill is recorded when it ends, and the
    # account already holds what it bought, less the fee where the venue takes it in coins.
    partly = RunOrder.objects.filter(run=run, status=Status.OPEN, filled__gt=0)
    held += sum(row.filled if row.action == Action.BUY else -row.filled for row in partly)
    slack = sum(row.filled * run.fee for row in partly)
    return state, broker.reconcile(held, run.started_ms, tolerance=_tolerance(run) + slack)


def funding_record(run: StrategyRun, broker: LiveBroker) -> None:
    """The funding the exchange booked on the run's contract since it started (a perpetual:
    the run's cash; the drift against its twin's)."""
    # From the last payment recorded on: an account log is read in pages from `since`.
    last = RunFunding.objects.filter(run=run).order_by("-time_ms").first()
    booked = broker.funding_booked(run.started_ms if last is None else last.time_ms + 1)
    RunFunding.objects.bulk_create(
        (RunFunding(run=run, time_ms=at, amount=amount, rate=rate) for at, amount, rate in booked),
        ignore_conflicts=True,
    )


def _protect(run: StrategyRun, broker: LiveBroker, outcome: PaperOutcome, state: LiveState) -> None:
    """The tick's part of `protect` and of `keep_ladder`: the closed bars it saw, and the
    open it acts at."""
    period, candles = outcome.period, outcome.candles
    # Warm-up included (an anchored stop's swing may reach into it); the next open's bar has
    # no range yet.
    closed = candles.slice(0, len(candles) - 1)
    protect(run, broker, outcome.document, closed, state, at_ms=int(period.time[-1]))
    # Read again: a stop protect found filled while moving it closed the position.
    keep_ladder(run, broker, outcome.document, closed, LiveState.of(run))


def protect(
    run: StrategyRun,
    broker: LiveBroker,
    document: Document,
    closed: Candles,
    state: LiveState,
    *,
    at_ms: int,
) -> None:
    """Keep the position's stop resting at the exchange at the fill model's level, from the live
    average entry price and the `closed` bars since its last fill: the stop-loss, moved by
    the trailing stop at each close (cancelled and placed again; the exchange triggers it
    between closes, the fill model's way). On a futures market the target rests too (both
    reduce-only: whichever triggers first closes the position, the next tick cancels the
    other). On a spot market the target rests with the stop as one OCO order where the
    venue has them (exchanges.trading: Binance), both selling the same coins once;
    elsewhere it is left to the twin, as a second resting sell would need the coins twice.
    `at_ms` is the order's time: the open a tick acts at, or the moment a reconciliation
    finds the stop missing."""
    levels = held_levels(run, document, closed, state)
    if levels is None:
        return
    wanted = {Leg.STOP: (levels.stop, levels.stop_reason)}
    paired = not broker.derivative and broker.venue.oco
    if paired or (broker.derivative and broker.venue.target_rests_on_derivatives):
        wanted[Leg.TARGET] = (levels.target, Reason.TAKE_PROFIT)
    intents = {
        leg: Intent(
            at_ms,
            leg,
            state.side,
            state.size,
            reason,
            trigger=float(broker.client.price_to_precision(run.symbol, level)),
        )
        for leg, (level, reason) in wanted.items()
        if level is not None
    }
    resting = {
        row.leg: row
        for row in RunOrder.objects.filter(run=run, leg__in=intents, status=Status.OPEN)
    }
    # Each leg on its own; or, on an OCO venue, both as one list: when either level moved
    # (or the list is gone) the list is cancelled (one leg cancels both) and placed again.
    groups = [list(intents)] if paired and len(intents) == 2 else [[leg] for leg in intents]
    for legs in groups:
        if all(leg in resting and _rests_as(resting[leg], intents[leg]) for leg in legs):
            continue
        for leg in legs:
            if leg in resting:
                broker.cancel(resting[leg])
                if resting[leg].status == Status.FILLED:
                    return  # it triggered meanwhile: the next tick reconciles with the fill
        if len(legs) == 2:
            broker.send_oco(intents[Leg.STOP], intents[Leg.TARGET])
        else:
            broker.send(intents[legs[0]])


def _rests_as(row: RunOrder, intent: Intent) -> bool:
    """Whether the resting order already is what the intent asks for."""
    return row.trigger_price == intent.trigger and row.amount == intent.amount


def _tolerance(run: StrategyRun) -> float:
    return 2 * (run.amount_step or 1e-8)


def _plan(
    run: StrategyRun,
    outcome: PaperOutcome,
    state: LiveState,
    broker: LiveBroker,
    entries_allowed: bool = True,
):
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
        exits = [o for o in result.orders if o.leg == Leg.EXIT and o.bar >= first_new]
        reason = exits[-1].reason if exits else Reason.SIGNAL
        yield Intent(now_ms, Leg.EXIT, state.side, state.size, reason)
        state = LiveState.of(run)  # after the exit was sent
        if state.held:
            return  # not closed (refused, or its answer lost): no entry on top of it
    entry = next((o for o in result.orders if o.leg == Leg.ENTRY and o.bar == now), None)
    if state.held == 0 and entry is not None and run.status == RunStatus.RUNNING:
        if not entries_allowed:
            alert(run, messages.GOVERNOR_UNCHECKED)
            return
        if (breach := entry_blocked(run)) is not None:
            alert(run, messages.GOVERNOR_HELD, breach=breach.pk)
            return
        amount = _entry_amount(run, outcome, state, broker, entry.side)
        if amount > 0:
            yield Intent(now_ms, Leg.ENTRY, entry.side, amount, Reason.SIGNAL)


def _entry_amount(
    run: StrategyRun, outcome: PaperOutcome, state: LiveState, broker: LiveBroker, side: str
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
    # An anchored stop's share at this price, from the close that decided (point 12), over
    # the candles the twin read (a swing may reach into its warm-up).
    history = outcome.candles.slice(0, len(outcome.candles) - 1)
    anchored = entered_share(outcome.document, side, price, history, len(history) - 1)
    market, ladder = run.market_rules(), outcome.document.safety_orders
    # With safety orders, the whole ladder stays within the cap: the base order is a share.
    cap = run.notional_cap
    if cap is not None and ladder is not None:
        cap /= ladder.worst_case_multiple()
    amount = entry_amount(
        outcome.document.sizing,
        risk=outcome.document.risk,
        cash=state.cash,
        price=price,
        fee=run.fee,
        market=market,
        notional_cap=cap,
        anchored=anchored,
    )
    if not market.accepts(amount, price):
        return 0.0
    room = exposure_room(run)
    # The whole ladder may fill before the next tick: all of it must fit.
    worst = amount * price * (ladder.worst_case_multiple() if ladder is not None else 1.0)
    if room is not None and worst > room:
        alert(run, messages.EXPOSURE_HELD, value=round(worst, 2), room=round(room, 2))
        return 0.0
    return amount


def alert(run: StrategyRun, code: str, **params: object) -> None:
    StrategyRun.objects.filter(pk=run.pk).update(alert_code=code, alert_params=params)
    run.alert_code, run.alert_params = code, params
