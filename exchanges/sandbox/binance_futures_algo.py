"""Binance USDⓈ-M conditional orders through the Algo Order API, where Binance has served them
since 2025-12-09 and where ccxt 4.5.90 sends them: POST/GET/DELETE /fapi/v1/algoOrder,
GET /fapi/v1/openAlgoOrders, GET /fapi/v1/allAlgoOrders, DELETE /fapi/v1/algoOpenOrders.

algoType CONDITIONAL with type STOP_MARKET or TAKE_PROFIT_MARKET, triggerPrice, quantity or
closePosition=true (close whatever the position holds when it triggers), reduceOnly,
positionSide, workingType (CONTRACT_PRICE, the default, or MARK_PRICE: one price here, the
mark being the last trade), priceProtect (accepted, nothing to protect against here),
timeInForce GTC, IOC or FOK, clientAlgoId unique among the key's open conditional orders.
STOP, TAKE_PROFIT (a limit order once triggered) and TRAILING_STOP_MARKET are refused -1116
(the sandbox's ledger triggers market orders only). One whose trigger the last price has
already reached is refused -2021 "Order would immediately trigger.".

A conditional order rests in the ledger as a stop-loss or take-profit trigger order; the first
trade to reach its trigger fills it whole at that trade's price, as a market order
(algoStatus FINISHED, its actualOrderId the order it became). A reduce-only one that triggers
with nothing left to reduce is cancelled by the system: EXPIRED, as Binance ends conditional
orders the position no longer needs. Unlike Binance after the migration, margin is checked
when the order is placed rather than when it triggers (the ledger checks funds on placing).
Looking one up follows the regular orders' rule (binance_futures_common.queryable); cancelling
one that is not open: -2011 "Unknown order sent.".
"""

from __future__ import annotations

from typing import Any

from exchanges.sandbox.binance_common import BinanceError, mandatory
from exchanges.sandbox.binance_futures_checks import (
    check_notional,
    check_open_count,
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
    account_of,
    algo_id,
    decimal_param,
    flag_param,
    history_page,
    is_algo,
    ledger_symbol,
    next_algo_key,
    optional_contract,
    orders_of,
    queryable,
    split_symbol,
    the_contract,
)
from exchanges.sandbox.binance_futures_orders import ALL_CANCELLED, no_such_order
from exchanges.sandbox.binance_futures_views import algo_view
from exchanges.sandbox.binance_routes import Call, integer_param
from exchanges.sandbox.records import Order, triggered

LEDGER_TYPES = {"STOP_MARKET": "stop-loss", "TAKE_PROFIT_MARKET": "take-profit"}
WORKING_TYPES = ("CONTRACT_PRICE", "MARK_PRICE")
ALGO_TIME_IN_FORCE = ("GTC", "IOC", "FOK")


def new_algo_order(call: Call) -> dict[str, Any]:
    ledger = call.state.ledger
    algo_type = call.params.get("algoType")
    if not algo_type:
        raise mandatory("algoType")
    if algo_type != "CONDITIONAL":
        raise BinanceError(-1130, "Data sent for parameter 'algoType' is not valid.")
    contract = the_contract(call)
    side = side_param(call)
    kind = call.params.get("type")
    if not kind:
        raise mandatory("type")
    if kind not in LEDGER_TYPES:
        raise BinanceError(-1116, "Invalid orderType.")
    working = call.params.get("workingType") or "CONTRACT_PRICE"
    if working not in WORKING_TYPES:
        raise BinanceError(-4031, f"Invalid parameter working type: {working}")
    time_in_force = call.params.get("timeInForce") or "GTC"
    if time_in_force not in ALGO_TIME_IN_FORCE:
        raise BinanceError(-1115, "Invalid timeInForce.")
    position_side, closes = position_side_param(call, side)
    close_all = flag_param(call, "closePosition") or False
    reduce_only = reduce_only_param(call)
    if close_all and reduce_only:
        raise BinanceError(-1106, "Parameter 'reduceOnly' sent when not required.")
    trigger = decimal_param(call, "triggerPrice")
    if trigger is None:
        raise mandatory("triggerPrice")
    check_price(contract, trigger)
    quantity = decimal_param(call, "quantity")
    if close_all:
        if quantity is not None:
            raise BinanceError(-4137, "Quantity must be zero with closePosition equals true")
        quantity = contract.max_qty  # cut to the position when it triggers
    elif quantity is None:
        raise mandatory("quantity")
    else:
        check_quantity(contract, quantity, contract.market_max_qty)
    reduces = reduce_only or closes or close_all
    check_notional(contract, quantity, trigger, reduces)
    check_open_count(call, contract, conditional=True)
    key = next_algo_key(call)
    order = Order(
        id=key,
        key=account_of(call),
        venue="binanceusdm",
        pair=contract.symbol,
        symbol=ledger_symbol(contract, position_side),
        side=side,
        type=LEDGER_TYPES[kind],
        volume=quantity,
        price=trigger,
        opened=call.now,
        client_id=new_client_id(call, "clientAlgoId", key, open_orders_of(call, False)),
        reduce_only=reduces,
        notes={
            "type": kind,
            "timeInForce": time_in_force,
            "workingType": working,
            "closePosition": "true" if close_all else "false",
            "priceProtect": "true" if flag_param(call, "priceProtect") else "false",
        },
    )
    check_reduces(call, order)
    if triggered(order, ledger.market.price(contract.symbol, call.now)):
        raise BinanceError(-2021, "Order would immediately trigger.")
    place(call, order)
    return algo_view(ledger, order)


def _find(call: Call) -> Order | None:
    # Binance's parameter table spells them algoid and clientalgoid; its answers and ccxt,
    # algoId and clientAlgoId: either is read.
    wanted = integer_param(call, "algoId")
    if wanted is None:
        wanted = integer_param(call, "algoid")
    client = call.params.get("clientAlgoId") or call.params.get("clientalgoid")
    if wanted is None and not client:
        raise BinanceError(
            -1102, "Param 'algoId' or 'clientAlgoId' must be sent, but both were empty/null!"
        )
    algos = [o for o in orders_of(call) if is_algo(o)]
    if wanted is not None:
        return next((o for o in algos if algo_id(o) == wanted), None)
    matching = [o for o in algos if o.client_id == client]
    return matching[-1] if matching else None


def query_algo_order(call: Call) -> dict[str, Any]:
    order = _find(call)
    if order is None or not queryable(order, call.now):
        raise no_such_order()
    return algo_view(call.state.ledger, order)


def cancel_algo_order(call: Call) -> dict[str, Any]:
    order = _find(call)
    if order is None or order.status != "open":
        raise BinanceError(-2011, "Unknown order sent.")
    call.state.ledger.cancel(order, call.now)
    return {
        "algoId": algo_id(order),
        "clientAlgoId": order.client_id,
        "code": "200",
        "msg": "success",
    }


def open_algo_orders(call: Call) -> list[dict[str, Any]]:
    contract = optional_contract(call)
    wanted_id = integer_param(call, "algoId")
    return [
        algo_view(call.state.ledger, o)
        for o in open_orders_of(call, False)
        if (contract is None or split_symbol(o.symbol)[0] == contract.symbol)
        and (wanted_id is None or algo_id(o) == wanted_id)
    ]


def all_algo_orders(call: Call) -> list[dict[str, Any]]:
    rows = [
        algo_view(call.state.ledger, o)
        for o in orders_of(call, the_contract(call))
        if is_algo(o) and queryable(o, call.now)
    ]
    return history_page(call, rows, time_key="createTime", id_key="algoId")


def cancel_all_algo_open_orders(call: Call) -> dict[str, Any]:
    contract = the_contract(call)
    for order in open_orders_of(call, False):
        if split_symbol(order.symbol)[0] == contract.symbol:
            call.state.ledger.cancel(order, call.now)
    return {"code": 200, "msg": ALL_CANCELLED}
