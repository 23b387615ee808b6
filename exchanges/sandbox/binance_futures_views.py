"""How the Binance USDⓈ-M dialect shows the ledger's orders and fills: orders as
/fapi/v1/order answers them, conditional orders as the Algo Order API does, fills as
/fapi/v1/userTrades does (fields and formats from Binance's USDⓈ-M documentation).

A conditional order that triggered is also shown as the order it became: a MARKET order of
origType STOP_MARKET or TAKE_PROFIT_MARKET, FILLED, whose clientOrderId is the clientAlgoId
(the sandbox's choice) and whose orderId is the algo order's actualOrderId.
"""

from __future__ import annotations

from typing import Any

from exchanges.sandbox.accounts import Ledger
from exchanges.sandbox.binance_futures_common import (
    CONTRACTS,
    SYSTEM_ENDS,
    algo_id,
    became_order,
    is_algo,
    money,
    ms,
    order_id,
    order_status,
    price_text,
    quantity_text,
    split_symbol,
    text,
)
from exchanges.sandbox.records import ZERO, Fill, Order

ALGO_STATUS = {"open": "NEW", "closed": "FINISHED"}


def _times(ledger: Ledger, order: Order) -> tuple[float, float]:
    """When the order first filled (or was made) and when it last changed."""
    fills = [ledger.fills[fill_id].time for fill_id in order.fills]
    first = fills[0] if fills else order.opened
    return first, order.closed or (fills[-1] if fills else order.opened)


def order_view(ledger: Ledger, order: Order, *, queried: bool = True) -> dict[str, Any]:
    """A regular order, or the order a triggered conditional order became. `queried`: as the
    queries answer (with `time`), else as New Order and Cancel Order do (with `cumQty`)."""
    symbol, position_side = split_symbol(order.symbol)
    contract = CONTRACTS[symbol]
    notes = order.notes
    triggered = is_algo(order)
    first, updated = _times(ledger, order)
    executed = quantity_text(contract, order.filled)
    view: dict[str, Any] = {
        "orderId": order_id(order),
        "symbol": symbol,
        "status": order_status(order),
        "clientOrderId": order.client_id,
        "price": price_text(contract, ZERO if triggered else order.price),
        "avgPrice": text(order.average, 5),
        "origQty": quantity_text(contract, order.volume),
        "executedQty": executed,
        "cumQuote": text(order.cost, 5),
        "timeInForce": notes.get("timeInForce", "GTC"),
        "type": "MARKET" if triggered else notes["type"],
        "reduceOnly": order.reduce_only,
        "closePosition": notes.get("closePosition") == "true",
        "side": order.side.upper(),
        "positionSide": position_side,
        "stopPrice": price_text(contract, order.price if triggered else ZERO),
        "workingType": notes.get("workingType", "CONTRACT_PRICE"),
        "priceProtect": notes.get("priceProtect") == "true",
        "origType": notes["type"],
        "priceMatch": "NONE",
        "selfTradePreventionMode": "NONE",
        "goodTillDate": 0,
        "updateTime": ms(updated),
    }
    if queried:
        view["time"] = ms(first if triggered else order.opened)
    else:
        view["cumQty"] = executed
    return view


def algo_status(order: Order) -> str:
    if order.status == "canceled":
        return "EXPIRED" if order.reason in SYSTEM_ENDS else "CANCELED"
    return ALGO_STATUS[order.status]


def algo_view(ledger: Ledger, order: Order) -> dict[str, Any]:
    """A conditional order as the Algo Order API shows it."""
    symbol, position_side = split_symbol(order.symbol)
    contract = CONTRACTS[symbol]
    notes = order.notes
    close_all = notes.get("closePosition") == "true"
    triggered = bool(order.fills)
    first, updated = _times(ledger, order)
    zero_price = price_text(contract, ZERO)
    return {
        "algoId": algo_id(order),
        "clientAlgoId": order.client_id,
        "algoType": "CONDITIONAL",
        "orderType": notes["type"],
        "symbol": symbol,
        "side": order.side.upper(),
        "positionSide": position_side,
        "timeInForce": notes.get("timeInForce", "GTC"),
        "quantity": quantity_text(contract, ZERO if close_all else order.volume),
        "algoStatus": algo_status(order),
        "actualOrderId": str(order_id(order)) if became_order(order) else "",
        "actualPrice": text(order.average, 5),
        "triggerPrice": price_text(contract, order.price),
        "price": zero_price,
        "icebergQuantity": None,
        "tpTriggerPrice": zero_price,
        "tpPrice": zero_price,
        "slTriggerPrice": zero_price,
        "slPrice": zero_price,
        "tpOrderType": "",
        "selfTradePreventionMode": "NONE",
        "workingType": notes.get("workingType", "CONTRACT_PRICE"),
        "priceMatch": "NONE",
        "closePosition": close_all,
        "priceProtect": notes.get("priceProtect") == "true",
        "reduceOnly": order.reduce_only,
        "createTime": ms(order.opened),
        "updateTime": ms(updated),
        "triggerTime": ms(first) if triggered else 0,
        "goodTillDate": 0,
    }


def trade_view(ledger: Ledger, fill: Fill) -> dict[str, Any]:
    """A fill as /fapi/v1/userTrades lists it: the commission it paid (positive, in USDT) and
    the profit it realised."""
    symbol, position_side = split_symbol(fill.symbol)
    contract = CONTRACTS[symbol]
    return {
        "buyer": fill.side == "buy",
        "commission": money(fill.fee),
        "commissionAsset": "USDT",
        "id": int(fill.id),
        "maker": fill.maker,
        "orderId": order_id(ledger.orders[fill.order_id]),
        "price": price_text(contract, fill.price),
        "qty": quantity_text(contract, fill.volume),
        "quoteQty": text(fill.cost, 5),
        "realizedPnl": money(fill.realised),
        "side": fill.side.upper(),
        "positionSide": position_side,
        "symbol": symbol,
        "time": ms(fill.time),
    }
