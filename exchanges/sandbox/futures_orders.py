"""The Kraken Futures order endpoints: open orders, order status, fills, send and cancel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchanges.sandbox.accounts import TRIGGERS, Order, OrderRejected
from exchanges.sandbox.futures_common import (
    Call,
    FuturesError,
    Instrument,
    number,
    server_time,
    success,
)

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
    return success(call, openOrders=rows)


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
    return success(call, orders=rows)


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
    return success(call, fills=rows)


def send_order(call: Call) -> dict:
    params = call.params
    missing = [p for p in ("orderType", "symbol", "side", "size") if not params.get(p)]
    if missing:
        raise FuturesError("requiredArgumentMissing")
    instrument = call.instrument()
    order_type = params["orderType"]
    received = server_time(call.now)

    def rejected(status: str) -> dict:
        return success(
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
    return success(call, sendStatus=status)


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
        return success(call, cancelStatus={**status, "status": "notFound"})
    status["order_id"] = order.id
    if order.status == "closed":
        return success(call, cancelStatus={**status, "status": "filled"})
    call.state.ledger.cancel(order, call.now)
    status["orderEvents"] = [{"uid": order.id, "order": order_json(order), "type": "CANCEL"}]
    return success(call, cancelStatus={**status, "status": "cancelled"})


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
    return success(call, cancelStatus=status)
