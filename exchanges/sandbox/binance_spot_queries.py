"""Binance Spot's order queries and cancels: GET and DELETE /api/v3/order, GET and DELETE
/api/v3/openOrders, GET /api/v3/allOrders.

Written from Binance's Spot API documentation ("Trading endpoints", "Account endpoints",
errors.md). How long an ended order stays queryable follows Binance's archive rule (see
binance_spot_book.ARCHIVE_AFTER): -2026 to GET /api/v3/order, no longer listed by allOrders.
"""

from __future__ import annotations

from typing import Any

from exchanges.sandbox.accounts import Order
from exchanges.sandbox.binance_common import BinanceError, client_order_id
from exchanges.sandbox.binance_routes import Call, Route, integer_param
from exchanges.sandbox.binance_spot_book import (
    SpotBook,
    archived,
    cancel_report,
    generated_id,
    list_report,
    order_number,
    query_report,
    spot_book,
)
from exchanges.sandbox.binance_spot_common import limit, symbol, time_range, window
from exchanges.sandbox.binance_spot_orders import UNKNOWN_ORDER

CANCEL_RESTRICTIONS = {"ONLY_NEW": ("NEW",), "ONLY_PARTIALLY_FILLED": ("PARTIALLY_FILLED",)}


def find_order(call: Call, book: SpotBook) -> Order | None:
    """The order named by orderId or origClientOrderId; both sent must name the same one."""
    pair = symbol(call)
    number = integer_param(call, "orderId")
    client_id = client_order_id(call.params, "origClientOrderId")
    if number is None and client_id is None:
        raise BinanceError(
            -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"
        )
    key = call.api_key.key
    if number is None:
        return book.by_client_id(key, pair.id, client_id or "")
    order = book.by_number(key, pair.id, number)
    if order is not None and client_id is not None and order.client_id != client_id:
        raise BinanceError(-2039, "Client order ID is not correct for this order ID.")
    return order


def query_order(call: Call) -> dict[str, Any]:
    book = spot_book(call.state.ledger)
    order = find_order(call, book)
    if order is None:
        raise BinanceError(-2013, "Order does not exist.")
    if archived(order, call.now):
        raise BinanceError(
            -2026,
            "Order was canceled or expired with no executed qty over 90 days ago and has been "
            "archived.",
        )
    return query_report(book, order)


def cancel_order(call: Call) -> dict[str, Any]:
    """DELETE /api/v3/order. An order of an OCO cancels its whole list, as Binance documents;
    the answer is the cancelled order's own report (the sandbox's choice of shape)."""
    book = spot_book(call.state.ledger)
    restriction = call.params.get("cancelRestrictions")
    if restriction is not None and restriction not in CANCEL_RESTRICTIONS:
        raise BinanceError(-1145, "Invalid cancelRestrictions")
    cancel_id = client_order_id(call.params)
    order = find_order(call, book)
    if order is None or order.status != "open":
        raise BinanceError(-2011, UNKNOWN_ORDER)
    if restriction is not None:
        from_status = "PARTIALLY_FILLED" if order.filled else "NEW"
        if from_status not in CANCEL_RESTRICTIONS[restriction]:
            raise BinanceError(-2011, "Order was not canceled due to cancel restrictions.")
    terms = book.terms[order.id]
    siblings = [order]
    if terms.order_list >= 0:
        siblings = book.legs(book.lists[terms.order_list])
    for leg in siblings:
        call.state.ledger.cancel(leg, call.now)
    cancel_id = cancel_id or generated_id(book, f"cancel|{order.id}")
    return cancel_report(book, order, cancel_id, order.client_id, call.now)


def open_orders(call: Call) -> list[dict[str, Any]]:
    book = spot_book(call.state.ledger)
    wanted = symbol(call).id if call.params.get("symbol") else None
    orders = book.orders_of(call.api_key.key, wanted)
    return [query_report(book, o) for o in orders if o.status == "open"]


def cancel_open_orders(call: Call) -> list[dict[str, Any]]:
    """DELETE /api/v3/openOrders: every open order of the symbol, lists included. With none
    open, Binance answers -2011 "Unknown order sent." (the answer its users report; the
    documentation does not say)."""
    book = spot_book(call.state.ledger)
    pair = symbol(call)
    orders = [o for o in book.orders_of(call.api_key.key, pair.id) if o.status == "open"]
    if not orders:
        raise BinanceError(-2011, UNKNOWN_ORDER)
    # One cancel, one client order id for all its reports (as Binance's example answer).
    cancel_id = generated_id(book, f"cancel|{call.api_key.key}|{pair.id}|{call.now_ms}")
    answers: list[dict[str, Any]] = []
    done_lists: set[int] = set()
    for order in orders:
        list_number = book.terms[order.id].order_list
        if list_number in done_lists:
            continue
        legs = [order] if list_number < 0 else book.legs(book.lists[list_number])
        for leg in legs:
            call.state.ledger.cancel(leg, call.now)
        reports = [cancel_report(book, leg, cancel_id, leg.client_id, call.now) for leg in legs]
        if list_number < 0:
            answers.extend(reports)
        else:
            done_lists.add(list_number)
            report = list_report(book, book.lists[list_number], call.now)
            answers.append({**report, "orderReports": reports})
    return answers


def all_orders(call: Call) -> list[dict[str, Any]]:
    """GET /api/v3/allOrders: from orderId on, or in a time range of at most 24 hours, else
    the most recent; archived orders (see binance_spot_book) are no longer listed."""
    book = spot_book(call.state.ledger)
    pair = symbol(call)
    start, end = time_range(call)
    count = limit(call)
    first = integer_param(call, "orderId")
    orders = [
        o
        for o in book.orders_of(call.api_key.key, pair.id)
        if not archived(o, call.now) and (first is None or order_number(o) >= first)
    ]
    if first is not None and start is None and end is None:
        orders = orders[:count]
    else:
        orders = window(orders, lambda o: int(o.opened * 1000), start, end, count)
    return [query_report(book, o) for o in orders]


QUERY_ROUTES = {
    ("GET", "/api/v3/order"): Route(query_order, 4, signed=True, permission="enableReading"),
    ("DELETE", "/api/v3/order"): Route(
        cancel_order, signed=True, permission="enableSpotAndMarginTrading"
    ),
    ("GET", "/api/v3/openOrders"): Route(
        open_orders,
        weight=lambda params: 6 if params.get("symbol") else 80,
        signed=True,
        permission="enableReading",
    ),
    ("DELETE", "/api/v3/openOrders"): Route(
        cancel_open_orders, signed=True, permission="enableSpotAndMarginTrading"
    ),
    ("GET", "/api/v3/allOrders"): Route(all_orders, 20, signed=True, permission="enableReading"),
}
