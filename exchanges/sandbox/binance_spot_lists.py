"""Binance Spot's OCO order lists: POST /api/v3/orderList/oco, GET and DELETE
/api/v3/orderList, GET /api/v3/openOrderList and /api/v3/allOrderList.

Written from Binance's Spot API documentation ("New Order list - OCO", "Cancel Order list",
"Query Order list", "Query all Order lists", "Query Open Order lists", errors.md). An OCO is
two orders of one side and quantity, an above order and a below order: one STOP_LOSS, the
other LIMIT_MAKER or TAKE_PROFIT (the sandbox's symbols offer no *_LIMIT types), priced so that
SELL: limit/take-profit price > last price > stop price; BUY: the reverse. The ledger cancels
the other order at the first fill of one (records.Order.list_id); Binance reports it EXPIRED.

Sandbox choices: orderReports default to the RESULT format (Binance's example answer);
orderListId counts from 0 per venue; a missing list is -2013 "Order list does not exist." to
query and -2011 "Unknown order sent." to cancel; and the ledger holds funds for both orders of
an OCO (Binance locks them once), so placing one needs the funds of both.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchanges.sandbox.binance_common import BinanceError, client_order_id, mandatory
from exchanges.sandbox.binance_routes import Call, Route, integer_param
from exchanges.sandbox.binance_spot_book import (
    OrderList,
    SpotBook,
    Terms,
    cancel_report,
    generated_id,
    list_report,
    ms,
    order_number,
    placed_report,
    spot_book,
)
from exchanges.sandbox.binance_spot_common import (
    decimal,
    limit,
    required_decimal,
    symbol,
    time_range,
    window,
)
from exchanges.sandbox.binance_spot_orders import (
    INSUFFICIENT,
    NOT_OFFERED,
    NOT_OFFERED_PARAMS,
    RESPONSE_TYPES,
    UNKNOWN_ORDER,
    Draft,
    check_draft,
    check_duplicate,
    ledger_order,
    not_required,
    place,
    rejected,
    side_of,
)
from exchanges.sandbox.market import PairSpec
from exchanges.sandbox.records import ZERO

LEG_TYPES = ("STOP_LOSS", "LIMIT_MAKER", "TAKE_PROFIT")
PRICES_WRONG = "The relationship of the prices for the orders is not correct."


def read_leg(call: Call, pair: PairSpec, side: str, quantity: Decimal, leg: str) -> Draft:
    """The above or below order (`leg`) from its aboveType, abovePrice, aboveStopPrice..."""
    kind = call.params.get(f"{leg}Type")
    if not kind:
        raise mandatory(f"{leg}Type")
    if kind in NOT_OFFERED:
        raise rejected(NOT_OFFERED[kind])
    if kind not in LEG_TYPES:
        raise BinanceError(-1158, "Order type not supported in OCO.")
    for name, msg in NOT_OFFERED_PARAMS.items():
        if call.params.get(leg + name[0].upper() + name[1:]):
            raise rejected(msg)
    if call.params.get(f"{leg}TimeInForce"):
        raise not_required(f"{leg}TimeInForce")
    price, stop = decimal(call, f"{leg}Price"), decimal(call, f"{leg}StopPrice")
    if kind == "LIMIT_MAKER":
        if price is None:
            raise mandatory(f"{leg}Price")
        if stop is not None:
            raise not_required(f"{leg}StopPrice")
    else:
        if stop is None:
            raise mandatory(f"{leg}StopPrice")
        if price is not None:
            raise not_required(f"{leg}Price")
    client_id = client_order_id(call.params, f"{leg}ClientOrderId")
    return Draft(pair, side, kind, quantity, price, stop, client_id=client_id)


def check_roles(side: str, above: Draft, below: Draft, last: Decimal) -> None:
    """One STOP_LOSS, below the price on a SELL and above it on a BUY (-1197, -1196), the
    other order on the other side, and the prices around the last one (-2010)."""
    if above.kind == "STOP_LOSS" == below.kind:
        raise BinanceError(-1158, "Order type not supported in OCO.")
    if "STOP_LOSS" not in (above.kind, below.kind):
        if above.kind == "LIMIT_MAKER" == below.kind:
            raise BinanceError(-1168, "At least one OCO order must be contingent.")
        raise BinanceError(-1158, "Order type not supported in OCO.")
    if side == "sell" and above.kind == "STOP_LOSS":
        raise BinanceError(-1197, "A stop loss order in a sell OCO must be below.")
    if side == "buy" and below.kind == "STOP_LOSS":
        raise BinanceError(-1196, "A stop loss order in a buy OCO must be above.")
    high, low = _trigger_or_limit(above), _trigger_or_limit(below)
    if not high > last > low:
        raise rejected(PRICES_WRONG)


def _trigger_or_limit(draft: Draft) -> Decimal:
    price = draft.price if draft.price is not None else draft.stop_price
    return price or ZERO


def new_oco(call: Call) -> dict[str, Any]:
    pair = symbol(call)
    side = side_of(call)
    quantity = required_decimal(call, "quantity")
    above = read_leg(call, pair, side, quantity, "above")
    below = read_leg(call, pair, side, quantity, "below")
    response_type = call.params.get("newOrderRespType") or "RESULT"
    if response_type not in RESPONSE_TYPES:
        raise BinanceError(-1100, "Illegal characters found in parameter 'newOrderRespType'.")
    last = call.state.market.price(pair.id, call.now)
    check_roles(side, above, below, last)
    book = spot_book(call.state.ledger)
    key = call.api_key.key
    number = len(book.lists)
    list_client_id = client_order_id(call.params, "listClientOrderId")
    list_client_id = list_client_id or generated_id(book, f"list|{key}|{number}")
    order_list = OrderList(number, list_client_id, key, pair.id, call.now)
    if any(
        found.client_id == order_list.client_id and _open(book, found)
        for found in book.lists_of(key)
    ):
        raise rejected("Duplicate order sent.")
    legs = [
        ledger_order(call, book, draft, order_list.ledger_id, ahead)
        for ahead, draft in enumerate((below, above))
    ]
    for draft, order in zip((below, above), legs, strict=True):
        check_draft(draft, order, last)
        check_duplicate(book, order)
    if legs[0].client_id == legs[1].client_id:
        raise rejected("Duplicate order sent.")
    _check_funds(call, pair, side, quantity, (below, above))
    for draft, order in zip((below, above), legs, strict=True):
        place(
            call,
            book,
            order,
            Terms(order_number(order), draft.kind, "GTC", ZERO, order_list.number),
        )
        order_list.legs.append(order.id)
    book.lists[order_list.number] = order_list
    reports = [placed_report(book, order, response_type) for order in legs]
    return {**list_report(book, order_list, call.now), "orderReports": reports}


def _check_funds(
    call: Call, pair: PairSpec, side: str, quantity: Decimal, drafts: tuple[Draft, ...]
) -> None:
    """The list's funds up front, so that an OCO is placed whole or not at all. Its orders
    spend the same funds once (the first to execute expires the other): a sale needs its
    coins once, a purchase what its dearer order costs."""
    if side == "buy":
        asset, need = pair.quote, max(quantity * _trigger_or_limit(d) for d in drafts)
    else:
        asset, need = pair.base, quantity
    if call.state.ledger.spot_available(call.api_key.key, asset) < need:
        raise rejected(INSUFFICIENT)


def _open(book: SpotBook, order_list: OrderList) -> bool:
    return any(leg.status == "open" for leg in book.legs(order_list))


def find_list(call: Call, book: SpotBook, client_param: str) -> OrderList | None:
    number = integer_param(call, "orderListId")
    client_id = client_order_id(call.params, client_param)
    if number is None and client_id is None:
        raise BinanceError(
            -1102,
            f"Param 'orderListId' or '{client_param}' must be sent, but both were empty/null!",
        )
    lists = book.lists_of(call.api_key.key)
    if number is not None:
        found = next((lst for lst in lists if lst.number == number), None)
        if found is not None and client_id is not None and found.client_id != client_id:
            return None
        return found
    return next((lst for lst in reversed(lists) if lst.client_id == client_id), None)


def query_list(call: Call) -> dict[str, Any]:
    book = spot_book(call.state.ledger)
    order_list = find_list(call, book, "origClientOrderId")
    if order_list is None:
        raise BinanceError(-2013, "Order list does not exist.")
    return list_report(book, order_list, order_list.created)


def cancel_list(call: Call) -> dict[str, Any]:
    book = spot_book(call.state.ledger)
    pair = symbol(call)
    cancel_id = client_order_id(call.params)
    order_list = find_list(call, book, "listClientOrderId")
    if order_list is None or order_list.symbol != pair.id or not _open(book, order_list):
        raise BinanceError(-2011, UNKNOWN_ORDER)
    legs = book.legs(order_list)
    for leg in legs:
        call.state.ledger.cancel(leg, call.now)
    cancel_id = cancel_id or generated_id(book, f"cancel|{order_list.ledger_id}")
    reports = [cancel_report(book, leg, cancel_id, leg.client_id, call.now) for leg in legs]
    return {**list_report(book, order_list, call.now), "orderReports": reports}


def open_lists(call: Call) -> list[dict[str, Any]]:
    book = spot_book(call.state.ledger)
    return [
        list_report(book, found, found.created)
        for found in book.lists_of(call.api_key.key)
        if _open(book, found)
    ]


def all_lists(call: Call) -> list[dict[str, Any]]:
    """GET /api/v3/allOrderList: from fromId on, or in a time range (24 hours at most)."""
    book = spot_book(call.state.ledger)
    from_id = integer_param(call, "fromId")
    start, end = time_range(call)
    count = limit(call)
    if from_id is not None and (start is not None or end is not None):
        raise BinanceError(-1128, "Combination of optional parameters invalid.")
    lists = book.lists_of(call.api_key.key)
    if from_id is not None:
        lists = [found for found in lists if found.number >= from_id][:count]
    else:
        lists = window(lists, lambda found: ms(found.created), start, end, count)
    return [list_report(book, found, found.created) for found in lists]


LIST_ROUTES = {
    ("POST", "/api/v3/orderList/oco"): Route(
        new_oco, signed=True, permission="enableSpotAndMarginTrading"
    ),
    ("GET", "/api/v3/orderList"): Route(query_list, 4, signed=True, permission="enableReading"),
    ("DELETE", "/api/v3/orderList"): Route(
        cancel_list, signed=True, permission="enableSpotAndMarginTrading"
    ),
    ("GET", "/api/v3/openOrderList"): Route(open_lists, 6, signed=True, permission="enableReading"),
    ("GET", "/api/v3/allOrderList"): Route(all_lists, 20, signed=True, permission="enableReading"),
}
