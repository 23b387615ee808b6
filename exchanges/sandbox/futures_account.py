"""The Kraken Futures private endpoints: the flex account, orders, fills, positions, history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchanges.sandbox.accounts import TRIGGERS, Order, OrderRejected
from exchanges.sandbox.futures_common import Call, FuturesError, Instrument, number, server_time

ORDER_TYPES = {
    "lmt": "limit",
    "post": "limit",
    "ioc": "limit",
    "mkt": "market",
    # Trigger orders: a stop market or take-profit market order, triggered by the last price.
    "stp": "stop-loss",
    "take_profit": "take-profit",
}
WIRE_TYPES = {"market": "mkt", "limit": "lmt", "stop-loss": "stp", "take-profit": "take_profit"}
# openorders names the trigger kinds as words.
OPEN_ORDER_TYPES = {**WIRE_TYPES, "stop-loss": "stop"}
# orders/status reports open orders, and those filled or cancelled this many seconds ago at most.
STATUS_WINDOW = 5.0


def _success(call: Call, **fields: Any) -> dict:
    return {"result": "success", **fields, "serverTime": server_time(call.now)}


# --- account ---------------------------------------------------------------------------------


def accounts(call: Call) -> dict:
    ledger, key, now = call.state.ledger, call.api_key.key, call.now
    collateral = ledger.futures_collateral(key, now)
    margin = ledger.futures_margin(key, now)
    available = collateral - margin
    currencies = {}
    for currency, amount in ledger.balances[key].items():
        value = amount * ledger.usd_price(currency, now)
        free = min(amount, max(available, Decimal(0))) if currency == "USD" else amount
        currencies[currency] = {
            "quantity": number(amount),
            "value": number(value),
            "collateral": number(value),
            "available": number(free),
        }
    unrealised = number(ledger.unrealised(key, now))
    flex = {
        "type": "multiCollateralMarginAccount",
        "currencies": currencies,
        "initialMargin": number(margin),
        "initialMarginWithOrders": number(margin),
        "maintenanceMargin": number(margin / 2),
        "balanceValue": number(collateral),
        "portfolioValue": number(collateral),
        "collateralValue": number(collateral),
        "pnl": unrealised,
        "unrealizedFunding": 0.0,
        "totalUnrealized": unrealised,
        "totalUnrealizedAsMargin": unrealised,
        "availableMargin": number(available),
        "marginEquity": number(collateral),
    }
    cash = {"type": "cashAccount", "balances": {}}
    return _success(call, accounts={"cash": cash, "flex": flex})


def open_positions(call: Call) -> dict:
    rows = []
    for (owner, symbol), position in call.state.ledger.positions.items():
        if owner == call.api_key.key and position.size:
            rows.append(
                {
                    "side": "long" if position.size > 0 else "short",
                    "symbol": symbol,
                    "price": number(position.entry),
                    "fillTime": server_time(call.now),
                    "size": number(abs(position.size)),
                    "unrealizedFunding": 0.0,
                    "pnlCurrency": "USD",
                }
            )
    return _success(call, openPositions=rows)


# --- orders ----------------------------------------------------------------------------------


def order_json(order: Order, filled: Decimal | None = None) -> dict:
    """An order as sendorder / cancelorder events show it."""
    trigger = order.type in TRIGGERS
    return {
        "orderId": order.id,
        "cliOrdId": order.client_id,
        "type": WIRE_TYPES[order.type],
        "symbol": order.symbol,
        "side": order.side,
        "quantity": number(order.volume),
        "filled": number(order.filled if filled is None else filled),
        "limitPrice": None if trigger else number(order.price),
        "stopPrice": number(order.price) if trigger else None,
        "reduceOnly": order.reduce_only,
        "timestamp": server_time(order.opened),
        "lastUpdateTimestamp": server_time(order.closed or order.opened),
    }


def open_orders(call: Call) -> dict:
    rows = [
        {
            "order_id": o.id,
            "cliOrdId": o.client_id,
            "symbol": o.symbol,
            "side": o.side,
            "orderType": OPEN_ORDER_TYPES[o.type],
            "limitPrice": None if o.type in TRIGGERS else number(o.price),
            "stopPrice": number(o.price) if o.type in TRIGGERS else None,
            "triggerSignal": "last" if o.type in TRIGGERS else None,
            "unfilledSize": number(o.remaining),
            "receivedTime": server_time(o.opened),
            "status": "untouched",
            "filledSize": number(o.filled),
            "reduceOnly": o.reduce_only,
            "lastUpdateTime": server_time(o.opened),
        }
        for o in call.state.ledger.orders_of(call.api_key.key, "open")
    ]
    return _success(call, openOrders=rows)


def order_status(call: Call) -> dict:
    """/orders/status: the orders named by id or client id (`call.path_args`) that are open, or
    were filled or cancelled in the last STATUS_WINDOW seconds (as Kraken documents it)."""
    wanted = set(call.path_args)
    rows = []
    for order in call.state.ledger.orders_of(call.api_key.key, "open", "closed", "canceled"):
        if not wanted & {order.id, order.client_id}:
            continue
        if order.status != "open" and call.now - (order.closed or 0) > STATUS_WINDOW:
            continue
        rows.append({"order": _status_order(order), "status": _status(order), "error": None})
    return _success(call, orders=rows)


def _status(order: Order) -> str:
    if order.status == "closed":
        return "FULLY_EXECUTED"
    if order.status == "canceled":
        return "CANCELLED"
    if order.type in TRIGGERS:
        return "TRIGGER_PLACED"
    return "PARTIALLY_FILLED" if order.filled else "ENTERED_BOOK"


def _status_order(order: Order) -> dict:
    body: dict[str, Any] = {
        "type": "TRIGGER_ORDER" if order.type in TRIGGERS else "ORDER",
        "orderId": order.id,
        "cliOrdId": order.client_id,
        "symbol": order.symbol,
        "side": order.side,
        "quantity": number(order.volume),
        "filled": number(order.filled),
        "limitPrice": None if order.type in TRIGGERS else number(order.price),
        "reduceOnly": order.reduce_only,
        "timestamp": server_time(order.opened),
        "lastUpdateTimestamp": server_time(order.closed or order.opened),
    }
    if order.type in TRIGGERS:
        body["priceTriggerOptions"] = {
            "triggerPrice": number(order.price),
            "triggerSide": "TRIGGER_ABOVE" if order.triggers_above else "TRIGGER_BELOW",
            "triggerSignal": "LAST_PRICE",
        }
    return body


def fills(call: Call) -> dict:
    rows = [
        {
            "fill_id": f.id,
            "symbol": f.symbol,
            "side": f.side,
            "order_id": f.order_id,
            "cliOrdId": call.state.ledger.orders[f.order_id].client_id,
            "size": number(f.volume),
            "price": number(f.price),
            "fillTime": server_time(f.time),
            "fillType": "maker" if f.maker else "taker",
        }
        for f in sorted(call.state.ledger.fills_of(call.api_key.key), key=lambda f: -f.time)
    ]
    return _success(call, fills=rows)


def send_order(call: Call) -> dict:
    params = call.params
    missing = [p for p in ("orderType", "symbol", "side", "size") if not params.get(p)]
    if missing:
        raise FuturesError("requiredArgumentMissing")
    instrument = call.instrument()
    order_type = params["orderType"]
    received = server_time(call.now)

    def rejected(status: str) -> dict:
        return _success(
            call, sendStatus={"status": status, "receivedTime": received, "orderEvents": []}
        )

    if order_type not in ORDER_TYPES:
        return rejected("invalidOrderType")
    if params["side"] not in ("buy", "sell"):
        return rejected("invalidSide")
    size, price = call.decimal("size"), call.decimal("limitPrice")
    if size is None or size <= 0 or size != round(size, instrument.precision):
        return rejected("invalidSize")
    kind = ORDER_TYPES[order_type]
    if kind in TRIGGERS:
        if price is not None:
            return rejected("invalidOrderType")  # stop-limit orders: not in the sandbox
        price = call.decimal("stopPrice")
    if kind != "market" and (price is None or price <= 0 or price % Decimal(instrument.tick)):
        return rejected("invalidPrice")
    order = _new_order(call, instrument, kind, size, price)
    last = call.state.market.price(instrument.pair, call.now)
    crosses = kind == "market" or (
        kind == "limit"
        and price is not None
        and (price >= last if order.side == "buy" else price <= last)
    )
    if order_type == "post" and crosses:
        return rejected("postWouldExecute")
    if order_type == "ioc" and not crosses:
        return rejected("iocWouldNotExecute")
    if crosses and order.reduce_only and not call.state.ledger.reducible(order):
        return rejected("wouldNotReducePosition")
    try:
        call.state.ledger.place(order, call.now)
    except OrderRejected:
        return rejected("insufficientAvailableFunds")
    status = {
        "order_id": order.id,
        "status": "placed",
        "receivedTime": received,
        "orderEvents": _events(call, order),
    }
    return _success(call, sendStatus=status)


def _new_order(
    call: Call, instrument: Instrument, kind: str, size: Decimal, price: Decimal | None
) -> Order:
    return Order(
        id=call.state.ledger.uuid(),
        key=call.api_key.key,
        venue="futures",
        pair=instrument.pair,
        symbol=instrument.symbol,
        side=call.params["side"],
        type=kind,
        volume=size,
        price=None if kind == "market" else price,  # a trigger order's: its stop price
        opened=call.now,
        client_id=call.params.get("cliOrdId") or None,
        reduce_only=call.params.get("reduceOnly", "").lower() == "true",
    )


def _events(call: Call, order: Order) -> list[dict]:
    if order.status == "open":
        return [{"order": order_json(order), "reducedQuantity": None, "type": "PLACE"}]
    ledger = call.state.ledger
    return [
        {
            "type": "EXECUTION",
            "executionId": fill_id,
            "price": number(ledger.fills[fill_id].price),
            "amount": number(ledger.fills[fill_id].volume),
            "orderPriorEdit": None,
            "orderPriorExecution": order_json(order, filled=Decimal(0)),
            "takerReducedQuantity": None,
        }
        for fill_id in order.fills
    ]


def cancel_order(call: Call) -> dict:
    ref = call.params.get("order_id") or call.params.get("cliOrdId") or ""
    order = call.state.ledger.find_order(call.api_key.key, ref)
    status: dict[str, Any] = {"receivedTime": server_time(call.now), "orderEvents": []}
    if order is None or order.status == "canceled":
        return _success(call, cancelStatus={**status, "status": "notFound"})
    status["order_id"] = order.id
    if order.status == "closed":
        return _success(call, cancelStatus={**status, "status": "filled"})
    call.state.ledger.cancel(order, call.now)
    status["orderEvents"] = [{"uid": order.id, "order": order_json(order), "type": "CANCEL"}]
    return _success(call, cancelStatus={**status, "status": "cancelled"})


def cancel_all_orders(call: Call) -> dict:
    symbol = call.params.get("symbol", "").upper()
    cancelled = []
    for order in call.state.ledger.orders_of(call.api_key.key, "open"):
        if not symbol or order.symbol == symbol:
            call.state.ledger.cancel(order, call.now)
            cancelled.append({"order_id": order.id, "cliOrdId": order.client_id})
    status = {
        "receivedTime": server_time(call.now),
        "cancelOnly": symbol or "all",
        "status": "cancelled",
        "cancelledOrders": cancelled,
        "orderEvents": [],
    }
    return _success(call, cancelStatus=status)


def withdrawal(call: Call) -> dict:
    """Never moves money: with the permission it refuses the amount, which proves the permission."""
    if not call.params.get("currency") or not call.params.get("amount"):
        raise FuturesError("requiredArgumentMissing")
    raise FuturesError("invalidAmount")


# --- history -----------------------------------------------------------------------------------


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


def account_log(call: Call) -> dict:
    """/api/history/v3/account-log: two rows per fill, as Kraken writes them: the USD leg (the
    balance before and after, the fee, the realised profit) and the position's leg (asset: the
    contract). `since` and `before` in ms, `sort` asc or desc (the default), `count`."""
    ledger, key = call.state.ledger, call.api_key.key
    since = float(call.params.get("since") or 0) / 1000
    before = float(call.params.get("before") or "inf") / 1000
    fills = [f for f in ledger.fills_of(key) if ledger.orders[f.order_id].venue == "futures"]
    fills = sorted((f for f in fills if since <= f.time < before), key=lambda f: f.number)
    held: dict[str, Decimal] = {}
    logs = []
    for fill in fills:
        contract = fill.symbol.lower()
        size_before = held.get(contract, Decimal(0))
        held[contract] = size_before + (fill.volume if fill.side == "buy" else -fill.volume)
        common = {
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
    for row_id, row in enumerate(logs, start=1):
        row["id"] = row_id
    if call.params.get("sort", "desc") != "asc":
        logs.reverse()
    count = int(call.params.get("count") or 500)
    return {"accountUid": ledger.account_uid(key), "logs": logs[:count]}
