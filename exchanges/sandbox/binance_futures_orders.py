"""Binance USDⓈ-M orders: POST/GET/DELETE /fapi/v1/order, GET /fapi/v1/openOrder,
GET /fapi/v1/openOrders, GET /fapi/v1/allOrders and DELETE /fapi/v1/allOpenOrders.

As Binance documents them: MARKET and LIMIT orders (timeInForce GTC, IOC, FOK or GTX; GTD,
which needs an expiry clock, is refused -1115 here), reduceOnly, positionSide, a
newClientOrderId unique among the key's open orders, newOrderRespType ACK (the default: the
order as accepted) or RESULT (as it stands once matched: a MARKET order FILLED). Since the
Algo Service migration (2025-12-09) this endpoint refuses the conditional types with -4120
(binance_futures_algo.py takes them). GTX that would take liquidity is refused -5022 and FOK
that cannot fill at once -5021; IOC that cannot fill ends EXPIRED. The ledger fills a
marketable order whole at the last trade price, so IOC and FOK never fill in part here.

Finding orders: by orderId or origClientOrderId (the most recent with it), -2013 "Order does
not exist." when unknown or no longer kept (binance_futures_common.queryable: 3 days for an
order that ended CANCELED or EXPIRED without a fill, 90 days for any); cancelling what is not
open: -2011 "Unknown order sent.". allOrders lists 7 days at most (the last 7 by default), by
time, orderId onwards when sent, `limit` (500, at most 1000) of them.
"""

from __future__ import annotations

from typing import Any

from exchanges.sandbox.binance_common import BinanceError, mandatory
from exchanges.sandbox.binance_futures_checks import (
    check_notional,
    check_open_count,
    check_percent_price,
    check_price,
    check_quantity,
    check_reduces,
    new_client_id,
    open_orders_of,
    place,
    position_side_param,
    reduce_only_param,
    side_param,
)
from exchanges.sandbox.binance_futures_common import (
    CONDITIONAL_TYPES,
    Contract,
    account_of,
    became_order,
    decimal_param,
    history_page,
    is_regular,
    ledger_symbol,
    next_order_key,
    optional_contract,
    order_id,
    orders_of,
    queryable,
    split_symbol,
    the_contract,
)
from exchanges.sandbox.binance_futures_views import order_view
from exchanges.sandbox.binance_routes import Call, integer_param
from exchanges.sandbox.records import Order

TIME_IN_FORCE = ("GTC", "IOC", "FOK", "GTX")
ALGO_ONLY = (
    "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."
)
ALL_CANCELLED = "The operation of cancel all open order is done."


def no_such_order() -> BinanceError:
    return BinanceError(-2013, "Order does not exist.")


def new_order(call: Call) -> dict[str, Any]:
    ledger = call.state.ledger
    contract = the_contract(call)
    side = side_param(call)
    kind = call.params.get("type")
    if not kind:
        raise mandatory("type")
    if kind in CONDITIONAL_TYPES:
        raise BinanceError(-4120, ALGO_ONLY)
    if kind not in ("LIMIT", "MARKET"):
        raise BinanceError(-1116, "Invalid orderType.")
    answer = call.params.get("newOrderRespType") or "ACK"
    if answer not in ("ACK", "RESULT"):
        raise BinanceError(-1136, "Invalid newOrderRespType.")
    position_side, closes = position_side_param(call, side)
    reduce_only = reduce_only_param(call) or closes
    quantity = decimal_param(call, "quantity")
    if quantity is None:
        raise mandatory("quantity")
    maximum = contract.max_qty if kind == "LIMIT" else contract.market_max_qty
    check_quantity(contract, quantity, maximum)
    last = ledger.market.price(contract.symbol, call.now)
    price, time_in_force = None, "GTC"
    if kind == "LIMIT":
        time_in_force = call.params.get("timeInForce") or ""
        if not time_in_force:
            raise mandatory("timeInForce")
        if time_in_force not in TIME_IN_FORCE:
            raise BinanceError(-1115, "Invalid timeInForce.")
        price = decimal_param(call, "price")
        if price is None:
            raise mandatory("price")
        check_price(contract, price)
        check_percent_price(side, price, last)
    check_notional(contract, quantity, price or last, reduce_only)
    check_open_count(call, contract, conditional=False)
    key = next_order_key(call, contract)
    order = Order(
        id=key,
        key=account_of(call),
        venue="binanceusdm",
        pair=contract.symbol,
        symbol=ledger_symbol(contract, position_side),
        side=side,
        type=kind.lower(),
        volume=quantity,
        price=price,
        opened=call.now,
        client_id=new_client_id(call, "newClientOrderId", key, open_orders_of(call, True)),
        reduce_only=reduce_only,
        notes={"type": kind, "timeInForce": time_in_force},
    )
    check_reduces(call, order)
    marketable = price is None or (price >= last if side == "buy" else price <= last)
    if time_in_force == "GTX" and marketable:
        raise BinanceError(
            -5022,
            "Due to the order could not be executed as maker, the Post Only order will be "
            "rejected.",
        )
    if time_in_force == "FOK" and not marketable:
        raise BinanceError(
            -5021,
            "Due to the order could not be filled immediately, the FOK order has been rejected.",
        )
    accepted = order_view(ledger, order, queried=False)
    place(call, order)
    if time_in_force == "IOC" and order.status == "open":
        ledger.cancel(order, call.now, "expired")
    return accepted if answer == "ACK" else order_view(ledger, order, queried=False)


def _find(call: Call, contract: Contract) -> Order | None:
    """The order named by orderId or origClientOrderId (regular ones, and what triggered
    conditional orders became)."""
    wanted = integer_param(call, "orderId")
    client = call.params.get("origClientOrderId")
    if wanted is None and not client:
        raise BinanceError(
            -1102, "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!"
        )
    shown = [o for o in orders_of(call, contract) if became_order(o)]
    if wanted is not None:
        return next((o for o in shown if order_id(o) == wanted), None)
    matching = [o for o in shown if o.client_id == client]
    return matching[-1] if matching else None


def query_order(call: Call) -> dict[str, Any]:
    order = _find(call, the_contract(call))
    if order is None or not queryable(order, call.now):
        raise no_such_order()
    return order_view(call.state.ledger, order)


def query_open_order(call: Call) -> dict[str, Any]:
    order = _find(call, the_contract(call))
    if order is None or order.status != "open":
        raise no_such_order()
    return order_view(call.state.ledger, order)


def cancel_order(call: Call) -> dict[str, Any]:
    order = _find(call, the_contract(call))
    if order is None or order.status != "open" or not is_regular(order):
        raise BinanceError(-2011, "Unknown order sent.")
    call.state.ledger.cancel(order, call.now)
    return order_view(call.state.ledger, order, queried=False)


def open_orders(call: Call) -> list[dict[str, Any]]:
    contract = optional_contract(call)
    wanted = None if contract is None else contract.symbol
    return [
        order_view(call.state.ledger, o)
        for o in open_orders_of(call, True)
        if wanted is None or split_symbol(o.symbol)[0] == wanted
    ]


def all_orders(call: Call) -> list[dict[str, Any]]:
    rows = [
        order_view(call.state.ledger, o)
        for o in orders_of(call, the_contract(call))
        if became_order(o) and queryable(o, call.now)
    ]
    return history_page(call, rows, time_key="time", id_key="orderId")


def cancel_all_open_orders(call: Call) -> dict[str, Any]:
    contract = the_contract(call)
    for order in open_orders_of(call, True):
        if split_symbol(order.symbol)[0] == contract.symbol:
            call.state.ledger.cancel(order, call.now)
    return {"code": 200, "msg": ALL_CANCELLED}
