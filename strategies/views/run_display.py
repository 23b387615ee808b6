"""How a run's page words and draws it: decisions in the strategy's own sentences, trades as
the backtest ledger shows them, the equity curve as the backtest chart draws it."""

from datetime import UTC
from decimal import Decimal

import numpy as np
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from exchanges.permissions import NEEDS, label_for
from strategies import rules
from strategies.engine.enums import Action, Event, Status, other_side
from strategies.engine.explain import condition_at
from strategies.models import RunDecision, RunOrder, RunTrade, StrategyRun
from strategies.rules import wording
from strategies.rules.sentences import Wording
from strategies.series import timeframe_ms
from strategies.services.backtest_results import equity_points
from strategies.services.run_messages import (
    CANCEL_GIVEN_UP,
    CANCEL_KEY_REFUSED,
    CANCEL_MESSAGES,
    stop_message,
)
from strategies.views.backtest_display import equity_chart, trade_rows, when

# The pages' words for the orders' vocabulary are the vocabulary's own labels.
EVENTS = Event.labels()
ORDER_STATES = Status.labels()
ACTIONS = Action.labels()
# Orders resting at the exchange until the price reaches their trigger (a safety order: its
# limit price).
TRIGGERED = {
    "stop": _("%(action)s, stop at %(price)s"),
    "target": _("%(action)s, take-profit at %(price)s"),
    "safety": _("%(action)s, safety order at %(price)s"),
}


def run_document(run: StrategyRun) -> rules.Document | None:
    """The run's frozen document, read once per page (None if it no longer reads)."""
    try:
        return rules.parsed(run.document)  # once per worker: the page is polled
    except rules.DocumentError:
        return None


NOT_TRIGGERED_NAMED = ngettext_lazy(
    "%(count)s bar passed without %(what)s",
    "%(count)s bars passed without %(what)s",
    "count",
)
NOT_TRIGGERED = ngettext_lazy(
    "%(count)s bar passed without this holding: %(condition)s",
    "%(count)s bars passed without this holding: %(condition)s",
    "count",
)


def decision_rows(document: rules.Document | None, decisions: list[RunDecision]) -> list[dict]:
    """Each decision with its time and the conditions that held, worded from the document."""
    rows = []
    for decision in decisions:
        rows.append(
            {
                "at": when(decision.bar_ms),
                "event": EVENTS.get(decision.event, decision.event),
                "because": _because(document, decision),
                "order": order_summary(decision.order),
            }
        )
    return rows


def _because(document, decision: RunDecision) -> list[str]:
    if document is None:
        return []
    if decision.event.startswith("expired_"):  # Event.of_expiry
        return _not_triggered(document, decision.event.split("_", 1)[1])
    if decision.event == Event.REVERSAL and decision.order is not None:
        # The other side's entry rule left the position the exit order closed.
        rule = document.deciding_branches().get(other_side(decision.order.side))
    elif decision.event.startswith(("enter_", "exit_")):
        verb, side = decision.event.split("_", 1)
        branches = document.deciding_branches() if verb == "enter" else document.exit_branches()
        rule = branches.get(side)
    else:
        return []
    if rule is None:
        return []
    wording = Wording(document.indicators)
    found = (condition_at(rule, path) for path in decision.conditions)
    return [wording.condition(node) for node in found if node is not None]


def _not_triggered(document, side: str) -> list[str]:
    """What an expired signal waited for, and how long: a named trigger by its name ("5 bars
    passed without a pullback to EMA 20"), a rule by its condition."""
    rule, trigger = document.trigger_branches().get(side), document.entry_trigger
    if rule is None or trigger is None:
        return []
    text, count = Wording(document.indicators), trigger.max_wait_bars
    if trigger.kind in wording.WAITED_FOR:
        level = "" if trigger.level is None else text.side(trigger.level)
        waited = str(wording.WAITED_FOR[trigger.kind]) % {"level": level}
        return [str(NOT_TRIGGERED_NAMED % {"count": count, "what": waited})]
    return [str(NOT_TRIGGERED % {"count": count, "condition": text.condition(rule)})]


def ledger_rows(trades: list[RunTrade]) -> list[dict]:
    return trade_rows(
        [
            {
                "side": t.side,
                "entry_time": t.entry_ms,
                "entry_price": t.entry_price,
                "size": t.size,
                "pnl": t.pnl,
                "fees": t.fees,
                "exit_time": t.exit_ms,
                "exit_price": t.exit_price,
                "exit_reason": t.exit_reason,
            }
            for t in trades
        ]
    )


def chart(run: StrategyRun, points: list[tuple[int, float]]) -> dict | None:
    """The equity chart's data (at most the backtest chart's number of points), at closes."""
    if not points:
        return None
    closes = np.array([ms for ms, _value in points], dtype=np.int64) + timeframe_ms(run.timeframe)
    values = np.array([value for _ms, value in points], dtype=np.float64)
    return equity_chart(float(run.capital), equity_points(closes, values))


def stop_text(run: StrategyRun) -> str:
    return stop_message(run.stop_code, run.stop_params) if run.stop_code else ""


def cancel_text(run: StrategyRun) -> str:
    """While an ended live run's orders may still rest at the exchange: said plainly, with
    why the last cancel failed and when the next one comes."""
    if run.active:
        return ""
    if run.cancel_due_at is None:
        if run.cancel_problem != CANCEL_KEY_REFUSED:
            return ""
        template = CANCEL_MESSAGES[CANCEL_GIVEN_UP]  # retries ended: only the owner can check
    else:
        template = CANCEL_MESSAGES.get(run.cancel_problem, CANCEL_MESSAGES[""])
    due = run.cancel_due_at.astimezone(UTC) if run.cancel_due_at else None
    shown = {
        "exchange": run.exchange.name,
        "attempts": run.cancel_attempts,
        "next": due.strftime("%Y-%m-%d %H:%M:%S") if due else "",
    }
    return str(template) % shown


def order_rows(orders: list[RunOrder]) -> list[dict]:
    """Orders with their words and times, and their fills (prefetched)."""
    return [
        {
            "sent_at": order.sent_at or when(order.bar_ms),
            # Caught up after a pause: sent then, for the open it was meant for.
            "meant_for": when(order.bar_ms) if order.caught_up else None,
            "action": _order_words(order),
            "amount": order.amount,
            "state": ORDER_STATES.get(order.status, order.status),
            "fills": [
                {"at": when(f.bar_ms), "amount": f.amount, "price": f.price, "fee": f.fee}
                for f in order.fills.all()
            ],
        }
        for order in orders
    ]


def catch_up(found: dict | None) -> dict | None:
    """The latest catch-up, with its bar opens as times."""
    if found is None:
        return None
    return {**found, "first": when(found["first"]), "last": when(found["last"])}


def _order_words(order: RunOrder) -> str:
    """ "Buy", or "Buy, stop at 52,891.50" for an order waiting for its trigger price."""
    action = str(ACTIONS.get(order.action, order.action))
    if order.trigger_price is None or order.leg not in TRIGGERED:
        return action
    price = number_format(order.trigger_price, decimal_pos=2, force_grouping=True)
    return str(TRIGGERED[order.leg]) % {"action": action, "price": price}


def order_summary(order: RunOrder | None) -> str:
    """ "Buy 0.5 (Filled)": what a decision sent."""
    if order is None:
        return ""
    return str(_("%(action)s %(amount)s (%(state)s)")) % {
        "action": ACTIONS.get(order.action, order.action),
        "amount": number_format(Decimal(f"{order.amount:.8f}".rstrip("0").rstrip("."))),
        "state": ORDER_STATES.get(order.status, order.status),
    }


def alert_text(run: StrategyRun) -> str:
    return stop_message(run.alert_code, run.alert_params) if run.alert_code else ""


def drift(run: StrategyRun, orders: list[RunOrder]) -> dict | None:
    """Live orders next to their paper twins: per order, and what live cost more in all (a
    buy dearer or a sell cheaper than paper costs more); on a perpetual, the funding the
    exchange booked next to the twin's (the fill model's point 9)."""
    rows, total, fees = [], 0.0, 0.0
    for order in orders:
        fills = list(order.fills.all())
        if order.paper_price is None or not fills:
            continue
        live = fills[0]  # a live order's one fill: its average price and whole fee
        sign = 1 if order.action == "buy" else -1
        total += sign * (live.price - order.paper_price) * order.filled
        fees += live.fee - (order.paper_fee or 0.0)
        rows.append(
            {
                "sent_at": order.sent_at or when(order.bar_ms),
                "action": ACTIONS.get(order.action, order.action),
                "live_price": live.price,
                "paper_price": order.paper_price,
                "live_fee": live.fee,
                "paper_fee": order.paper_fee,
            }
        )
    funding = None
    if run.perpetual:
        booked = sum(run.funding.values_list("amount", flat=True))
        funding = {"live": booked, "paper": run.twin_funding}
    if not rows and funding is None:
        return None
    return {"rows": rows, "total": total, "fees": fees, "funding": funding}


def history(run: StrategyRun) -> dict:
    """The exchange's list of the key's trades on the run's market, as last loaded, and the
    label (on the exchange's key page) of the permission that reads it."""
    needs = NEEDS.get(run.exchange.ccxt_id)
    permission = needs.trade_history if needs else None
    return {
        "state": run.exchange_trades_state,
        "loaded_at": run.exchange_trades_at,
        "rows": [row | {"at": when(row["time"])} for row in run.exchange_trades],
        "permission": label_for(run.exchange.ccxt_id, permission) if permission else "",
    }
