"""Writing what a tick found: the rows its new bars add, and the run's account after them.

Called with the run's row locked, in one transaction: a worker killed halfway leaves nothing
half-written, and the retried tick writes it all. Every row is keyed by its bar, so a tick
that finds its bars already written (it ran twice) is refused before writing anything.
"""

from django.utils import timezone

from strategies.brokers.paper import PaperOutcome
from strategies.engine import trade_json
from strategies.engine.explain import conditions_held
from strategies.engine.fills.journal import ENTRY, WORKING, Order
from strategies.engine.fills.trades import MANUAL, SIGNAL
from strategies.models import RunBar, RunDecision, RunFill, RunOrder, RunTrade, StrategyRun
from strategies.services.backtest_results import stats_json


def tick_record(run: StrategyRun, outcome: PaperOutcome) -> None:
    """Store the bars after run.last_bar_ms through outcome.through, then the account."""
    period, result = outcome.period, outcome.result
    times = period.time
    first_new = outcome.first_new(run.last_bar_ms)
    _bars(run, outcome, first_new)
    working = set(RunOrder.objects.filter(run=run, status=WORKING).values_list("bar_ms", "leg"))
    for order in result.orders:
        key = (int(times[order.bar]), order.leg)
        if order.bar >= first_new or key in working:
            _order(run, outcome, order, first_new, is_new=order.bar >= first_new)
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
            )
            for trade in result.trades  # closed trades: every exit field is set
            if trade.exit_bar is not None and trade.exit_bar >= first_new
        ]
    )
    _account(run, outcome)


def _bars(run: StrategyRun, outcome: PaperOutcome, first_new: int) -> None:
    period, result = outcome.period, outcome.result
    RunBar.objects.bulk_create(
        RunBar(
            run=run,
            bar_ms=int(period.time[i]),
            close=float(period.close[i]),
            equity=float(result.equity[i]),
            held=float(result.held[i]),
        )
        for i in range(first_new, len(period))
    )


def _order(
    run: StrategyRun, outcome: PaperOutcome, order: Order, first_new: int, *, is_new: bool
) -> None:
    times = outcome.period.time
    bar_ms = int(times[order.bar])
    row, _created = RunOrder.objects.update_or_create(
        run=run,
        bar_ms=bar_ms,
        leg=order.leg,
        defaults={
            "side": order.side,
            "action": order.action,
            "amount": order.amount,
            "filled": order.filled,
            "reason": order.reason,
            "status": order.status,
            "client_order_id": run.client_order_id(bar_ms, order.leg),
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
    the conditions that held), the owner's flatten, or a level reached inside the order's
    own bar; `row` is the order it sent (a live run's twin may send none)."""
    times = outcome.period.time
    if order.reason == SIGNAL:
        decided = order.bar - 1
        branches = (
            outcome.document.entry_branches()
            if order.leg == ENTRY
            else outcome.document.exit_branches()
        )
        rule = branches[order.side]
        held = (
            []
            if rule is None
            else conditions_held(outcome.document, outcome.candles, rule, outcome.warmup + decided)
        )
        verb = "enter" if order.leg == ENTRY else "exit"
        event, bar_ms, conditions = f"{verb}_{order.side}", int(times[decided]), held
    elif order.reason == MANUAL:
        event, bar_ms, conditions = MANUAL, int(times[order.bar - 1]), []
    else:
        event, bar_ms, conditions = order.reason, int(times[order.bar]), []
    RunDecision.objects.get_or_create(
        run=run, bar_ms=bar_ms, event=event, defaults={"conditions": conditions, "order": row}
    )


def _account(run: StrategyRun, outcome: PaperOutcome) -> None:
    result, period = outcome.result, outcome.period
    close = float(period.close[-1])
    equity, held = float(result.equity[-1]), float(result.held[-1])
    run.last_bar_ms = outcome.through
    run.equity, run.held, run.mark_price = equity, held, close
    run.position = trade_json(result.open_trades[0]) if result.open_trades else None
    run.stats = stats_json(result)
    run.ticked_at = timezone.now()
    run.save(
        update_fields=[
            "last_bar_ms",
            "equity",
            "held",
            "mark_price",
            "position",
            "stats",
            "ticked_at",
        ]
    )


def has_working_orders(run: StrategyRun) -> bool:
    return RunOrder.objects.filter(run=run, status=WORKING).exists()
