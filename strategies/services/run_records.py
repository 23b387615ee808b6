"""Writing what a tick found, for paper and live runs alike: the bars it adds (the account at
each close), the decisions behind new orders, the orders and trades, and the run's account.

A paper run's account is the fill model's; a live run's is what its own fills at the exchange
add up to (strategies.services.live_state), with the paper twin's price and fee beside each
live order (the drift). Every row is keyed by its bar, so a tick that finds its bars already
written (it ran twice) changes nothing; each record is one transaction, so a worker killed
halfway leaves nothing half-written and the retried tick writes it all.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from strategies import notices
from strategies.brokers.paper import PaperOutcome
from strategies.engine import trade_json
from strategies.engine.enums import Event, Leg, Reason, Status, other_side
from strategies.engine.explain import conditions_held
from strategies.engine.fills.journal import Order
from strategies.models import RunBar, RunDecision, RunFill, RunOrder, RunTrade, StrategyRun
from strategies.services import run_messages as messages
from strategies.services.backtest_results import stats_json
from strategies.services.live_state import LiveState, account_fields, closed_trade_record

ACCOUNT_FIELDS = ["last_bar_ms", "equity", "held", "mark_price", "position", "ticked_at"]


def recorded_at() -> datetime:
    """The time of this recording (a function, so that tests can set the clock)."""
    return timezone.now()


def caught_up(bar_ms: int, step_ms: int, now: datetime) -> bool:
    """Whether a bar is evaluated only after the next one closed: its own tick was missed."""
    return now.timestamp() * 1000 > bar_ms + 2 * step_ms


def tick_record(run: StrategyRun, outcome: PaperOutcome) -> None:
    """A paper run's tick (its row locked by the caller): the bars after run.last_bar_ms
    through outcome.through, their orders, fills and trades, then the account."""
    period, result = outcome.period, outcome.result
    times = period.time
    first_new = outcome.first_new(run.last_bar_ms)
    new_bars = range(first_new, len(period))
    _bars(
        run, outcome, new_bars, [(float(result.equity[i]), float(result.held[i])) for i in new_bars]
    )
    working = set(
        RunOrder.objects.filter(run=run, status=Status.WORKING).values_list("bar_ms", "leg", "rung")
    )
    for order in result.orders:
        key = (int(times[order.bar]), order.leg, order.rung)
        if order.bar >= first_new or key in working:
            _order(run, outcome, order, first_new, is_new=order.bar >= first_new)
    expiry_records(run, outcome, new_bars)
    RunTrade.objects.bulk_create(
        [
            RunTrade(
                run=run,
                side=trade.side,
                entry_ms=trade.entry_time,
                entry_price=trade.entry_price,
                size=trade.size,
                exit_ms=int(trade.exit_time or 0),
                exit_price=float(trade.exit_price or 0.0),
                exit_reason=trade.exit_reason or "",
                pnl=trade.pnl,
                fees=trade.fees,
                funding=trade.funding,
            )
            for trade in result.trades  # closed trades: every exit field is set
            if trade.exit_bar is not None and trade.exit_bar >= first_new
        ]
    )
    run.position = trade_json(result.open_trades[0]) if result.open_trades else None
    run.equity, run.held = float(result.equity[-1]), float(result.held[-1])
    run.stats = stats_json(result)
    _account(run, outcome, float(period.close[-1]), ["stats"])


@transaction.atomic
def live_tick_record(
    run: StrategyRun, outcome: PaperOutcome, state: LiveState, foreign: list
) -> None:
    """A live run's tick, after its orders were sent: the bars its twin closed (each with what
    the run held at its close), the decisions behind the twin's new orders, the twin's price
    and fee beside each live order it filled (the drift), the closed trade, the account."""
    period = outcome.period
    real = len(period) - 1  # the last index is the next open, not a closed bar
    first_new = outcome.first_new(run.last_bar_ms)
    new_bars = range(first_new, real)
    at_close = LiveState.at_closes(run, [int(period.time[i]) for i in new_bars])
    accounts = [
        (then.cash + then.held * float(period.close[i]), then.held)
        for i, then in zip(new_bars, at_close, strict=True)
    ]
    _bars(run, outcome, new_bars, accounts)
    expiry_records(run, outcome, new_bars)
    rows = {(o.bar_ms, o.leg, o.rung): o for o in RunOrder.objects.filter(run=run)}
    for order in outcome.result.orders:
        row = rows.get((int(period.time[order.bar]), order.leg, order.rung))
        if order.bar >= first_new:
            decision_record(run, outcome, order, row)
        if row is not None and row.paper_price is None and order.fills and order.bar < real:
            paid = sum(f.amount * f.price for f in order.fills)
            row.paper_price = paid / sum(f.amount for f in order.fills)
            row.paper_fee = sum(f.fee for f in order.fills)
            row.save(update_fields=["paper_price", "paper_fee"])
            notices.drift_if_beyond(run, row)
    closed_trade_record(run, state)
    if foreign:
        run.alert_code = messages.FOREIGN_TRADES
        run.alert_params = {"count": len(foreign)}
        notices.reconciliation(run, "foreign", int(period.time[real]), count=len(foreign))
    close = float(period.close[real - 1])
    for field, value in account_fields(state, close).items():
        setattr(run, field, value)
    run.twin_funding = outcome.result.funding
    _account(run, outcome, close, ["alert_code", "alert_params", "twin_funding"])


def _bars(
    run: StrategyRun,
    outcome: PaperOutcome,
    indices: Iterable[int],
    accounts: list[tuple[float, float]],
) -> None:
    """One row per new bar: its close, and the account at that close (equity, held), and
    when it was caught up if its own tick was missed."""
    period, now = outcome.period, recorded_at()
    RunBar.objects.bulk_create(
        RunBar(
            run=run,
            bar_ms=int(period.time[i]),
            close=float(period.close[i]),
            equity=equity,
            held=held,
            caught_up_at=now if caught_up(int(period.time[i]), period.bar_ms, now) else None,
        )
        for i, (equity, held) in zip(indices, accounts, strict=True)
    )


def _order(
    run: StrategyRun, outcome: PaperOutcome, order: Order, first_new: int, *, is_new: bool
) -> None:
    times = outcome.period.time
    bar_ms = int(times[order.bar])
    sent: dict[str, object] = {}
    if is_new:  # sent at its bar's open, or when caught up with that bar after a pause
        now = recorded_at()
        late = caught_up(bar_ms, outcome.period.bar_ms, now)
        sent = {"sent_at": now if late else utc_datetime(bar_ms), "caught_up": late}
    row, _created = RunOrder.objects.update_or_create(
        run=run,
        bar_ms=bar_ms,
        leg=order.leg,
        rung=order.rung,
        defaults={
            **sent,
            "side": order.side,
            "action": order.action,
            "kind": order.kind,
            "trigger_price": order.trigger,
            "amount": order.amount,
            "filled": order.filled,
            "reason": order.reason,
            "status": order.status,
            "client_order_id": run.client_order_id(bar_ms, order.leg, order.rung),
        },
    )
    RunFill.objects.bulk_create(
        RunFill(
            order=row,
            run=run,
            bar_ms=int(times[fill.bar]),
            amount=fill.amount,
            price=fill.price,
            reference=fill.reference,
            fee=fill.fee,
        )
        for fill in order.fills
        if fill.bar >= first_new
    )
    if is_new:
        decision_record(run, outcome, order, row)


def decision_record(
    run: StrategyRun, outcome: PaperOutcome, order: Order, row: RunOrder | None
) -> None:
    """The decision behind a new order of the fill model: a rule at the previous close (with
    the conditions that held; a reversal's are the other side's entry's), the owner's
    flatten, or a level reached inside the order's own bar; `row` is the order it sent (a
    live run's twin may send none)."""
    times = outcome.period.time
    document = outcome.document
    if order.reason in (Reason.SIGNAL, Reason.REVERSAL):
        decided = _decided_at(outcome, order)
        if order.reason == Reason.REVERSAL:  # the other side's entry rule left the position
            rule, event = document.deciding_branches()[other_side(order.side)], Event.REVERSAL
        else:
            entry = order.leg == Leg.ENTRY
            branches = document.deciding_branches() if entry else document.exit_branches()
            rule, event = branches[order.side], Event.of_rule(order.leg, order.side)
        held = (
            []
            if rule is None
            else conditions_held(document, outcome.candles, rule, outcome.warmup + decided)
        )
        bar_ms, conditions = int(times[decided]), held
    elif order.reason == Reason.MANUAL:
        event, bar_ms, conditions = Event.MANUAL, int(times[order.bar - 1]), []
    else:  # a level: the event is named as the reason is
        event, bar_ms, conditions = Event(order.reason), int(times[order.bar]), []
    RunDecision.objects.get_or_create(
        run=run, bar_ms=bar_ms, event=event, defaults={"conditions": conditions, "order": row}
    )


def expiry_records(run: StrategyRun, outcome: PaperOutcome, bars: range) -> None:
    """The entry signals whose trigger did not come, at the closes of `bars` where their wait
    ended: decisions that sent no order."""
    times = outcome.period.time
    RunDecision.objects.bulk_create(
        [
            RunDecision(
                run=run,
                bar_ms=int(times[bar]),
                event=Event.of_expiry(side),
                conditions=[],
            )
            for bar, side in outcome.result.expired
            if bar in bars
        ],
        ignore_conflicts=True,  # a tick replayed after a lost answer records nothing twice
    )


def _decided_at(outcome: PaperOutcome, order: Order) -> int:
    """The close that decided a rule's order: the bar before it, except for a reversal's entry
    after an exit filled over several bars (point 10), which the reversal's close decided."""
    if order.leg == Leg.ENTRY:
        for other in outcome.result.orders:
            ends = other.fills[-1].bar if other.fills else None
            if other.reason == Reason.REVERSAL and other.leg == Leg.EXIT and ends == order.bar:
                return other.bar - 1
    return order.bar - 1


def _account(run: StrategyRun, outcome: PaperOutcome, close: float, more: list[str]) -> None:
    """Save the account set on `run` (and the fields `more` names) as of this tick."""
    run.last_bar_ms = outcome.through
    run.mark_price = close
    run.ticked_at = timezone.now()
    run.save(update_fields=[*ACCOUNT_FIELDS, *more])


def utc_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def has_working_orders(run: StrategyRun) -> bool:
    return RunOrder.objects.filter(run=run, status=Status.WORKING).exists()
