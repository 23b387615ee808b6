"""Placing a Binance Spot order: POST /api/v3/order and /api/v3/order/test (the checks that
OCO orders share too). Querying and cancelling are in binance_spot_queries.py.

Written from Binance's Spot API documentation ("Trading endpoints", "Account endpoints",
errors.md). Orders fill against the synthetic market through the ledger (accounts.py): a
MARKET order, and a LIMIT order that is marketable when placed, fills whole at the last trade
price as taker; any other LIMIT order rests and fills as maker when trades cross it. The
sandbox's own choices are said where they are made; in short:

- LIMIT timeInForce GTC, IOC and FOK are accepted. The ledger fills a marketable order whole,
  so IOC and FOK behave alike: FILLED when marketable, else EXPIRED with nothing executed.
- MARKET with quoteOrderQty buys or sells the largest quantity, in whole LOT_SIZE steps, whose
  cost at the last price does not exceed quoteOrderQty.
- The NOTIONAL filter of a MARKET order uses the last price (exchangeInfo: avgPriceMins 0).
- orderId is one sequence over all Spot symbols (Binance's is per symbol: both increase).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from exchanges.sandbox.accounts import Order, OrderRejected
from exchanges.sandbox.binance_common import BinanceError, client_order_id, mandatory
from exchanges.sandbox.binance_routes import Call, Route
from exchanges.sandbox.binance_spot_book import (
    SpotBook,
    Terms,
    generated_id,
    order_number,
    placed_report,
    spot_book,
)
from exchanges.sandbox.binance_spot_common import decimal, filters, symbol
from exchanges.sandbox.binance_spot_private import commission_for_order
from exchanges.sandbox.market import PairSpec
from exchanges.sandbox.records import ZERO, triggered

LEDGER_TYPES = {
    "LIMIT": "limit",
    "LIMIT_MAKER": "limit",
    "MARKET": "market",
    "STOP_LOSS": "stop-loss",
    "TAKE_PROFIT": "take-profit",
}
# Valid Binance order types the sandbox's symbols do not offer (errors.md's -2010 messages).
NOT_OFFERED = {
    "STOP_LOSS_LIMIT": "Stop loss limit orders are not supported for this symbol.",
    "TAKE_PROFIT_LIMIT": "Take profit limit orders are not supported for this symbol.",
}
NOT_OFFERED_PARAMS = {
    "icebergQty": "Iceberg orders are not supported for this symbol.",
    "trailingDelta": "Trailing stop orders are not supported for this symbol.",
}
TIME_IN_FORCE = ("GTC", "IOC", "FOK")
RESPONSE_TYPES = ("ACK", "RESULT", "FULL")
INSUFFICIENT = "Account has insufficient balance for requested action."
REJECTIONS = {"insufficient_funds": INSUFFICIENT}  # the ledger's refusals, in Binance's words
UNKNOWN_ORDER = "Unknown order sent."


def rejected(msg: str) -> BinanceError:
    return BinanceError(-2010, msg)


def not_required(name: str) -> BinanceError:
    return BinanceError(-1106, f"Parameter '{name}' sent when not required.")


def side_of(call: Call, name: str = "side") -> str:
    raw = call.params.get(name)
    if not raw:
        raise mandatory(name)
    if raw not in ("BUY", "SELL"):
        raise BinanceError(-1117, "Invalid side.")
    return raw.lower()


@dataclass
class Draft:
    """A new order as sent, checked, before the ledger sees it."""

    pair: PairSpec
    side: str  # buy, sell
    kind: str  # Binance's type
    quantity: Decimal
    price: Decimal | None = None  # the limit price (LIMIT, LIMIT_MAKER)
    stop_price: Decimal | None = None  # STOP_LOSS, TAKE_PROFIT
    time_in_force: str = "GTC"
    client_id: str | None = None
    quote_qty: Decimal = ZERO


def read_draft(call: Call, pair: PairSpec, last: Decimal) -> Draft:
    """POST /api/v3/order's parameters, with each refusal Binance documents for them."""
    side = side_of(call)
    kind = call.params.get("type")
    if not kind:
        raise mandatory("type")
    if kind in NOT_OFFERED:
        raise rejected(NOT_OFFERED[kind])
    if kind not in LEDGER_TYPES:
        raise BinanceError(-1116, "Invalid orderType.")
    for name, msg in NOT_OFFERED_PARAMS.items():
        if call.params.get(name):
            raise rejected(msg)
    draft = Draft(pair, side, kind, ZERO, client_id=client_order_id(call.params))
    tif = call.params.get("timeInForce")
    if kind == "LIMIT":
        if not tif:
            raise mandatory("timeInForce")
        if tif not in TIME_IN_FORCE:
            raise BinanceError(-1115, "Invalid timeInForce.")
        draft.time_in_force = tif
    elif tif:
        raise BinanceError(-1114, "TimeInForce parameter sent when not required.")
    draft.price = _needed(call, "price", kind in ("LIMIT", "LIMIT_MAKER"))
    draft.stop_price = _needed(call, "stopPrice", kind in ("STOP_LOSS", "TAKE_PROFIT"))
    quantity, quote_qty = decimal(call, "quantity"), decimal(call, "quoteOrderQty")
    if quote_qty is not None and kind != "MARKET":
        raise not_required("quoteOrderQty")
    if quantity is not None and quote_qty is not None:
        raise BinanceError(-1128, "Combination of optional parameters invalid.")
    if quote_qty is not None:
        step = filters(pair).step_size
        draft.quantity = (quote_qty / last / step).to_integral_value(ROUND_DOWN) * step
        draft.quote_qty = quote_qty
    elif quantity is not None:
        draft.quantity = quantity
    elif kind == "MARKET":
        raise BinanceError(
            -1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!"
        )
    else:
        raise mandatory("quantity")
    return draft


def _needed(call: Call, name: str, needed: bool) -> Decimal | None:
    value = decimal(call, name)
    if needed and value is None:
        raise mandatory(name)
    if not needed and value is not None:
        raise not_required(name)
    return value


def check_draft(draft: Draft, order: Order, last: Decimal) -> None:
    """The symbol's filters (-1013), then the order's relation to the last price (-2010)."""
    price = draft.price if draft.price is not None else draft.stop_price
    filters(draft.pair).check(draft.quantity, price, price if price is not None else last)
    if draft.kind == "LIMIT_MAKER" and marketable(draft.side, draft.price or ZERO, last):
        raise rejected("Order would immediately match and take.")
    if draft.stop_price is not None and triggered(order, last):
        raise rejected("Order would trigger immediately.")


def marketable(side: str, price: Decimal, last: Decimal) -> bool:
    return price >= last if side == "buy" else price <= last


def ledger_order(
    call: Call, book: SpotBook, draft: Draft, list_id: str | None = None, ahead: int = 0
) -> Order:
    """The ledger's Order for a draft; `ahead`: how many orders will be placed before it."""
    ledger_id, number = book.next_ledger_id(ahead)
    client_id = draft.client_id or generated_id(book, f"order|{call.api_key.key}|{number}")
    limit_or_stop = draft.price if draft.price is not None else draft.stop_price
    return Order(
        id=ledger_id,
        key=call.api_key.key,
        venue="binance",
        pair=draft.pair.id,
        symbol=draft.pair.id,
        side=draft.side,
        type=LEDGER_TYPES[draft.kind],
        volume=draft.quantity,
        price=limit_or_stop,
        opened=call.now,
        client_id=client_id,
        list_id=list_id,
    )


def check_duplicate(book: SpotBook, order: Order) -> None:
    """newClientOrderId: "A unique id among open orders" (-2010 "Duplicate order sent.")."""
    for other in book.orders_of(order.key):
        if other.status == "open" and other.client_id == order.client_id:
            raise rejected("Duplicate order sent.")


def place(call: Call, book: SpotBook, order: Order, terms: Terms) -> None:
    """Hand the order to the ledger (which fills or rests it) and record its Binance terms."""
    try:
        call.state.ledger.place(order, call.now)
    except OrderRejected as refusal:
        raise rejected(REJECTIONS[refusal.reason]) from None
    book.register(order, terms)
    if terms.time_in_force in ("IOC", "FOK") and order.status == "open":
        call.state.ledger.cancel(order, call.now, "expired")


def new_order(call: Call) -> dict[str, Any]:
    book = spot_book(call.state.ledger)
    draft, order, response_type = _checked(call, book)
    check_duplicate(book, order)
    terms = Terms(order_number(order), draft.kind, draft.time_in_force, draft.quote_qty)
    place(call, book, order, terms)
    return placed_report(book, order, response_type)


def new_test_order(call: Call) -> dict[str, Any]:
    """POST /api/v3/order/test: every check but the matching engine's (funds, duplicates)."""
    _checked(call, spot_book(call.state.ledger))
    if call.params.get("computeCommissionRates") == "true":
        return commission_for_order(call)
    return {}


def _checked(call: Call, book: SpotBook) -> tuple[Draft, Order, str]:
    """The new order, checked, as the ledger will take it, and the answer's type (FULL for
    MARKET and LIMIT orders, ACK for the others, unless newOrderRespType says)."""
    pair = symbol(call)
    last = call.state.market.price(pair.id, call.now)
    draft = read_draft(call, pair, last)
    order = ledger_order(call, book, draft)
    check_draft(draft, order, last)
    default = "FULL" if draft.kind in ("MARKET", "LIMIT") else "ACK"
    response_type = call.params.get("newOrderRespType") or default
    if response_type not in RESPONSE_TYPES:
        raise BinanceError(-1100, "Illegal characters found in parameter 'newOrderRespType'.")
    return draft, order, response_type


ORDER_ROUTES = {
    ("POST", "/api/v3/order"): Route(
        new_order, signed=True, permission="enableSpotAndMarginTrading"
    ),
    ("POST", "/api/v3/order/test"): Route(
        new_test_order,
        weight=lambda params: 20 if params.get("computeCommissionRates") == "true" else 1,
        signed=True,
        permission="enableSpotAndMarginTrading",
    ),
}
