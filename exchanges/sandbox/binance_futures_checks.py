"""The checks a Binance USDⓈ-M order request goes through, shared by New Order and New Algo
Order, with the codes and words Binance's USDⓈ-M error list gives them:

- side (-1117), positionSide (-4060; BOTH in one-way mode, LONG or SHORT in hedge mode, else
  -4061 "Order's position side does not match user's setting."), reduceOnly (not in hedge
  mode: -1106; neither "true" nor "false": -4062);
- the price filter: more decimals than the contract's price precision -1111, at or below zero
  -4001, outside [minPrice, maxPrice] -4013 / -4002, off the tick -4014; limit prices beyond
  the mark price x 1.05 (buy) or x 0.95 (sell): -4016 / -4024 (PERCENT_PRICE);
- the lot size: -1111 for decimals, -4003 at or below zero, -4004 below minQty, -4005 above
  maxQty (MARKET_LOT_SIZE's at market), -4023 off the step;
- MIN_NOTIONAL: -4164 unless the order only reduces;
- a client id reused by one of the key's open orders: -4116 (Binance: "a unique id among
  open orders");
- MAX_NUM_ORDERS (200 open orders a contract, conditional ones counted) -2025, and
  MAX_NUM_ALGO_ORDERS (10 open conditional orders a contract) -4045;
- reduce-only with nothing to reduce: -2022 "ReduceOnly Order is rejected.";
- margin the account cannot post: -2019 "Margin is insufficient.".

In hedge mode an order on the side it closes (SELL LONG, BUY SHORT) only ever reduces: the
sandbox treats it as reduce-only, cut to the position it closes (Binance takes no reduceOnly
there: the position side says it).
"""

from __future__ import annotations

from decimal import Decimal

from exchanges.sandbox.binance_common import BinanceError, client_order_id, mandatory
from exchanges.sandbox.binance_futures_common import (
    PERCENT_DOWN,
    PERCENT_UP,
    Contract,
    account_of,
    decimals,
    in_hedge_mode,
    split_symbol,
)
from exchanges.sandbox.binance_routes import Call
from exchanges.sandbox.records import Order, OrderRejected

POSITION_SIDES = ("BOTH", "LONG", "SHORT")
MAX_OPEN_ORDERS, MAX_OPEN_ALGO_ORDERS = 200, 10


def side_param(call: Call) -> str:
    raw = call.params.get("side")
    if not raw:
        raise mandatory("side")
    if raw not in ("BUY", "SELL"):
        raise BinanceError(-1117, "Invalid side.")
    return raw.lower()


def position_side_param(call: Call, side: str) -> tuple[str, bool]:
    """(positionSide, whether the order closes that side of a hedge-mode position)."""
    raw = call.params.get("positionSide") or "BOTH"
    if raw not in POSITION_SIDES:
        raise BinanceError(-4060, "Invalid position side.")
    hedge = in_hedge_mode(call)
    if (raw == "BOTH") == hedge:
        raise BinanceError(-4061, "Order's position side does not match user's setting.")
    return raw, hedge and (raw == "LONG") == (side == "sell")


def reduce_only_param(call: Call) -> bool:
    raw = call.params.get("reduceOnly")
    if raw is None or raw == "":
        return False
    if in_hedge_mode(call):
        raise BinanceError(-1106, "Parameter 'reduceOnly' sent when not required.")
    if raw.lower() not in ("true", "false"):
        raise BinanceError(-4062, "Invalid or improper reduceOnly value.")
    return raw.lower() == "true"


def check_price(contract: Contract, price: Decimal) -> None:
    if decimals(price) > contract.price_places:
        raise BinanceError(-1111, "Precision is over the maximum defined for this asset.")
    if price <= 0:
        raise BinanceError(-4001, "Price less than 0.")
    if price < contract.min_price:
        raise BinanceError(-4013, "Price less than min price.")
    if price > contract.max_price:
        raise BinanceError(-4002, "Price greater than max price.")
    if (price - contract.min_price) % contract.tick:
        raise BinanceError(-4014, "Price not increased by tick size.")


def check_percent_price(side: str, price: Decimal, mark: Decimal) -> None:
    if side == "buy" and price > mark * PERCENT_UP:
        raise BinanceError(-4016, "Price is higher than mark price multiplier cap.")
    if side == "sell" and price < mark * PERCENT_DOWN:
        raise BinanceError(-4024, "Price is lower than mark price multiplier floor.")


def check_quantity(contract: Contract, quantity: Decimal, maximum: Decimal) -> None:
    if decimals(quantity) > contract.quantity_places:
        raise BinanceError(-1111, "Precision is over the maximum defined for this asset.")
    if quantity <= 0:
        raise BinanceError(-4003, "Quantity less than zero.")
    if quantity < contract.min_qty:
        raise BinanceError(-4004, "Quantity less than min quantity.")
    if quantity > maximum:
        raise BinanceError(-4005, "Quantity greater than max quantity.")
    if (quantity - contract.min_qty) % contract.step:
        raise BinanceError(-4023, "Qty not increased by step size.")


def check_notional(contract: Contract, quantity: Decimal, price: Decimal, reduces: bool) -> None:
    if not reduces and quantity * price < contract.min_notional:
        raise BinanceError(
            -4164,
            f"Order's notional must be no smaller than {contract.min_notional} "
            "(unless you choose reduce only).",
        )


def new_client_id(call: Call, name: str, ledger_id: str, open_orders: list[Order]) -> str:
    """The client id sent under `name`, or one made up as Binance does (22 characters)."""
    sent = client_order_id(call.params, name)
    if sent is None:
        return call.state.ledger.derived_uid(f"usdm-client|{ledger_id}").replace("-", "")[:22]
    if any(order.client_id == sent for order in open_orders):
        raise BinanceError(-4116, "clientOrderId is duplicated.")
    return sent


def check_open_count(call: Call, contract: Contract, conditional: bool) -> None:
    """The MAX_NUM_ORDERS and MAX_NUM_ALGO_ORDERS filters, for one more order."""
    regular, algos = (
        [o for o in open_orders_of(call, kind) if split_symbol(o.symbol)[0] == contract.symbol]
        for kind in (True, False)
    )
    if len(regular) + len(algos) >= MAX_OPEN_ORDERS:
        raise BinanceError(-2025, "Reach max open order limit.")
    if conditional and len(algos) >= MAX_OPEN_ALGO_ORDERS:
        raise BinanceError(-4045, "Reach max stop order limit.")


def check_reduces(call: Call, order: Order) -> None:
    if order.reduce_only and not call.state.ledger.reducible(order):
        raise BinanceError(-2022, "ReduceOnly Order is rejected.")


def place(call: Call, order: Order) -> None:
    try:
        call.state.ledger.place(order, call.now)
    except OrderRejected:
        raise BinanceError(-2019, "Margin is insufficient.") from None


def open_orders_of(call: Call, regular: bool) -> list[Order]:
    """The key's open USDⓈ-M orders: regular ones, or conditional (algo) ones."""
    account = account_of(call)
    prefix = "usdm:" if regular else "usdm-algo:"
    return [
        o
        for o in call.state.ledger.orders.values()
        if o.key == account and o.status == "open" and o.id.startswith(prefix)
    ]
