"""The Kraken Futures history endpoints: order events, trigger events and the account log."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchanges.sandbox.accounts import TRIGGERS, Order
from exchanges.sandbox.funding_book import FundingPayment
from exchanges.sandbox.futures_common import Call, number, server_time


def _history_order(order: Order) -> dict:
    millis = lambda t: int((t or 0) * 1000)  # noqa: E731
    return {
        "uid": order.id,
        "clientId": order.client_id or "",
        "tradeable": order.symbol,
        "direction": order.side.capitalize(),
        "quantity": str(order.volume),
        "filled": str(order.filled),
        "timestamp": millis(order.opened),
        "limitPrice": str(order.price or 0),
        "orderType": order.type.capitalize(),
        "reduceOnly": order.reduce_only,
        "lastUpdateTimestamp": millis(order.closed or order.opened),
    }


def _ended(call: Call, *statuses: str) -> list[Order]:
    """The key's orders in `statuses` that ended at `since` (ms) or later, newest first."""
    since = float(call.params.get("since") or 0) / 1000
    done = call.state.ledger.orders_of(call.api_key.key, *statuses)
    return sorted((o for o in done if (o.closed or 0) >= since), key=lambda o: -(o.closed or 0))


def _page(call: Call, elements: list[dict]) -> dict:
    count = int(call.params.get("count") or 500)
    return {
        "accountUid": call.state.ledger.account_uid(call.api_key.key),
        "len": len(elements[:count]),
        "elements": elements[:count],
    }


def _element(call: Call, order: Order, event: dict) -> dict:
    return {
        "uid": call.state.ledger.derived_uid(f"{order.id}|{order.status}"),
        "timestamp": int((order.closed or 0) * 1000),
        "event": event,
    }


def order_history(call: Call) -> dict:
    """/api/history/v2/orders: a filled order (a triggered stop's included: the market order it
    became) is an OrderUpdated event (reason full_fill), a cancelled one an OrderCancelled
    event; newest first. A trigger order cancelled before it triggered is in the triggers'
    history instead, as at Kraken."""
    elements = []
    for order in _ended(call, "closed", "canceled"):
        if order.status == "canceled" and order.type in TRIGGERS:
            continue
        body = _history_order(order)
        if order.status == "closed":
            event = {
                "OrderUpdated": {
                    "oldOrder": {**body, "filled": "0"},
                    "newOrder": body,
                    "reducedQuantity": "0",
                    "reason": "full_fill",
                }
            }
        else:
            reason = order.reason if order.reason == "reduce_only" else "cancelled_by_user"
            event = {"OrderCancelled": {"order": body, "reason": reason}}
        elements.append(_element(call, order, event))
    return _page(call, elements)


def trigger_history(call: Call) -> dict:
    """/api/history/v2/triggers: a stop or take-profit order that triggered is an
    OrderTriggerActivated event, one cancelled before it triggered an OrderTriggerCancelled
    event; newest first."""
    elements = []
    for order in _ended(call, "closed", "canceled"):
        if order.type not in TRIGGERS:
            continue
        body = {
            **_history_order(order),
            "filled": "0",  # the trigger itself; what it filled is the order it became
            "orderType": "Market",
            "limitPrice": None,
            "triggerPrice": str(order.price),
            "triggerSide": "trigger_above" if order.triggers_above else "trigger_below",
            "triggerSignal": "last_price",
        }
        event: dict[str, dict[str, Any]]
        if order.status == "closed":
            event = {"OrderTriggerActivated": {"order": body}}
        else:
            event = {"OrderTriggerCancelled": {"order": body, "reason": "cancelled_by_user"}}
        elements.append(_element(call, order, event))
    return _page(call, elements)


def _funding_row(call: Call, payment: FundingPayment) -> dict:
    return {
        "_time": payment.time,
        "asset": "usd",
        "booking_uid": call.state.ledger.derived_uid(f"{payment.symbol}|{payment.time}|funding"),
        "contract": payment.symbol.lower(),
        "date": server_time(payment.time),
        "execution": None,
        "fee": 0.0,
        "funding_rate": payment.rate,
        "info": "funding rate change",
        "margin_account": "flex",
        "mark_price": number(payment.mark),
        "new_balance": number(payment.usd_after),
        "old_balance": number(payment.usd_before),
        "realized_funding": number(payment.amount),
        "realized_pnl": None,
        "trade_price": None,
    }


def account_log(call: Call) -> dict:
    """/api/history/v3/account-log: two rows per fill, as Kraken writes them: the USD leg (the
    balance before and after, the fee, the realised profit) and the position's leg (asset: the
    contract); and a row per hourly funding payment ("funding rate change", its realised
    funding: negative when paid). `since` and `before` in ms, `sort` asc or desc (the
    default), `count`."""
    ledger, key = call.state.ledger, call.api_key.key
    since = float(call.params.get("since") or 0) / 1000
    before = float(call.params.get("before") or "inf") / 1000
    fills = [f for f in ledger.fills_of(key) if ledger.orders[f.order_id].venue == "futures"]
    fills = sorted(fills, key=lambda f: f.number)
    held: dict[str, Decimal] = {}
    logs: list[dict[str, Any]] = []
    for fill in fills:
        contract = fill.symbol.lower()
        size_before = held.get(contract, Decimal(0))
        held[contract] = size_before + (fill.volume if fill.side == "buy" else -fill.volume)
        common = {
            "_time": fill.time,
            "contract": contract,
            "date": server_time(fill.time),
            "execution": fill.id,
            "info": "futures trade",
            "margin_account": "flex",
            "trade_price": number(fill.price),
            "mark_price": number(fill.price),
            "funding_rate": None,
            "realized_funding": None,
        }
        logs.append(
            {
                **common,
                "asset": "usd",
                "booking_uid": ledger.derived_uid(f"{fill.id}|usd"),
                "old_balance": number(fill.usd_before),
                "new_balance": number(fill.usd_after),
                "fee": number(fill.fee),
                "realized_pnl": number(fill.realised),
            }
        )
        logs.append(
            {
                **common,
                "asset": contract,
                "booking_uid": ledger.derived_uid(f"{fill.id}|position"),
                "old_balance": number(size_before),
                "new_balance": number(held[contract]),
                "fee": 0.0,
                "realized_pnl": None,
            }
        )
    ledger.futures_collateral(key, call.now)  # books the funding due up to now
    logs += [_funding_row(call, payment) for payment in ledger.funding.of(key)]
    logs = [row for row in logs if since <= float(row.pop("_time")) < before]
    logs.sort(key=lambda row: str(row["date"]))  # stable: a fill's two rows keep their order
    for row_id, row in enumerate(logs, start=1):
        row["id"] = row_id
    if call.params.get("sort", "desc") != "asc":
        logs.reverse()
    count = int(call.params.get("count") or 500)
    return {"accountUid": ledger.account_uid(key), "logs": logs[:count]}
