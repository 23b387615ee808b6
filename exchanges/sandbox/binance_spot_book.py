"""Binance Spot's orders in the shared ledger, and the answers that describe them.

Every dialect keeps its orders in the one ledger (accounts.Ledger, records.Order): a Binance
Spot order there has venue "binance" and the ledger id ``binance-spot-<orderId>`` (the prefix
keeps it apart from the other dialects' ids in the same dictionary). What Binance reports that
an Order has no field for (the type as Binance names it: a LIMIT_MAKER is a ledger "limit";
timeInForce; origQuoteOrderQty; the order list an order belongs to) is kept in a SpotBook
beside the ledger: one book per ledger, started afresh when the ledger is reset (a reset
replaces the ledger's orders dictionary, which is how the book notices).

Order statuses as Binance's enums.md defines them: NEW, PARTIALLY_FILLED, FILLED, CANCELED,
EXPIRED. EXPIRED is what the ledger cancelled by the order's own rule: a LIMIT IOC or FOK that
found nothing to match, and the other order of an OCO once one of them executes.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from exchanges.sandbox.accounts import TRIGGERS, Ledger, Order
from exchanges.sandbox.binance_spot_common import money
from exchanges.sandbox.records import ZERO

LEDGER_PREFIX = "binance-spot-"
LIST_PREFIX = "binance-spot-list-"
EXPIRING_REASONS = ("expired", "list")  # ledger cancel reasons Binance reports as EXPIRED
# Binance's archive: an order CANCELED or EXPIRED with nothing executed, ended over 90 days
# ago, is no longer returned (errors.md -2026 ORDER_ARCHIVED; CHANGELOG: "order with status
# CANCELED or EXPIRED where executedQty == 0 that occurred more than 90 days in the past").
ARCHIVE_AFTER = 90 * 86400
# What exchangeInfo lists as each symbol's defaultSelfTradePreventionMode.
STP_MODE = "EXPIRE_MAKER"


@dataclass
class Terms:
    """A Spot order's Binance fields that the ledger's Order does not carry."""

    number: int  # orderId
    kind: str  # LIMIT, LIMIT_MAKER, MARKET, STOP_LOSS, TAKE_PROFIT
    time_in_force: str
    quote_qty: Decimal = ZERO  # origQuoteOrderQty: the quoteOrderQty a MARKET order was sent with
    order_list: int = -1


@dataclass
class OrderList:
    """An OCO: its two orders (ledger ids, the below order first, as Binance lists them)."""

    number: int
    client_id: str
    key: str
    symbol: str
    created: float
    legs: list[str] = field(default_factory=list)

    @property
    def ledger_id(self) -> str:
        return f"{LIST_PREFIX}{self.number}"


class SpotBook:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.orders_seen = ledger.orders
        self.terms: dict[str, Terms] = {}
        self.lists: dict[int, OrderList] = {}

    def next_ledger_id(self, ahead: int = 0) -> tuple[str, int]:
        """The ledger id and orderId of the order placed `ahead` orders after the next one
        (one sequence for all symbols)."""
        number = len(self.terms) + 1 + ahead
        return f"{LEDGER_PREFIX}{number}", number

    def register(self, order: Order, terms: Terms) -> None:
        self.terms[order.id] = terms

    def orders_of(self, key: str, symbol: str | None = None) -> list[Order]:
        """The key's Spot orders, by orderId."""
        found = [
            self.ledger.orders[ledger_id]
            for ledger_id in self.terms
            if ledger_id in self.ledger.orders
        ]
        return [o for o in found if o.key == key and (symbol is None or o.symbol == symbol)]

    def by_number(self, key: str, symbol: str, number: int) -> Order | None:
        order = self.ledger.orders.get(f"{LEDGER_PREFIX}{number}")
        if order is None or order.key != key or order.symbol != symbol:
            return None
        return order

    def by_client_id(self, key: str, symbol: str, client_id: str) -> Order | None:
        """The key's latest order with this client order id (ids are reused once orders end)."""
        matching = [o for o in self.orders_of(key, symbol) if o.client_id == client_id]
        return matching[-1] if matching else None

    def lists_of(self, key: str) -> list[OrderList]:
        return [found for found in self.lists.values() if found.key == key]

    def legs(self, order_list: OrderList) -> list[Order]:
        return [self.ledger.orders[ledger_id] for ledger_id in order_list.legs]


_BOOKS: weakref.WeakKeyDictionary[Ledger, SpotBook] = weakref.WeakKeyDictionary()


def spot_book(ledger: Ledger) -> SpotBook:
    book = _BOOKS.get(ledger)
    if book is None or book.orders_seen is not ledger.orders:
        book = _BOOKS[ledger] = SpotBook(ledger)
    return book


def ms(seconds: float) -> int:
    return int(seconds * 1000)


def order_number(order: Order) -> int:
    return int(order.id.removeprefix(LEDGER_PREFIX))


def generated_id(book: SpotBook, text: str) -> str:
    """A client order id for one not sent: 22 characters, as Binance generates them."""
    return book.ledger.derived_uid(text).replace("-", "")[:22]


def status(order: Order) -> str:
    if order.status == "open":
        return "PARTIALLY_FILLED" if order.filled else "NEW"
    if order.status == "closed":
        return "FILLED"
    return "EXPIRED" if order.reason in EXPIRING_REASONS else "CANCELED"


def archived(order: Order, now: float) -> bool:
    return (
        order.status == "canceled"
        and not order.filled
        and order.closed is not None
        and now - order.closed > ARCHIVE_AFTER
    )


def working_since(book: SpotBook, order: Order) -> float | None:
    """When the order went on the book: at once, or, for a STOP_LOSS or TAKE_PROFIT, when its
    trigger was reached (None while it waits)."""
    if order.type not in TRIGGERS:
        return order.opened
    if not order.fills:
        return None
    return book.ledger.fills[order.fills[0]].time


def updated(book: SpotBook, order: Order) -> float:
    times = [order.opened, order.closed or 0.0]
    times += [book.ledger.fills[fill_id].time for fill_id in order.fills]
    return max(times)


def order_fields(book: SpotBook, order: Order) -> dict[str, Any]:
    """The fields every order answer shares (Binance's RESULT answer without its times)."""
    terms = book.terms[order.id]
    trigger = order.type in TRIGGERS
    fields: dict[str, Any] = {
        "symbol": order.symbol,
        "orderId": terms.number,
        "orderListId": terms.order_list,
        "clientOrderId": order.client_id,
        "price": money(ZERO if trigger else order.price),
        "origQty": money(order.volume),
        "executedQty": money(order.filled),
        "origQuoteOrderQty": money(terms.quote_qty),
        "cummulativeQuoteQty": money(order.cost),
        "status": status(order),
        "timeInForce": terms.time_in_force,
        "type": terms.kind,
        "side": order.side.upper(),
    }
    if trigger:  # "Conditional fields in Order Responses": stopPrice for the stop types only
        fields["stopPrice"] = money(order.price)
    return fields


def query_report(book: SpotBook, order: Order) -> dict[str, Any]:
    """GET /api/v3/order, openOrders, allOrders."""
    since = working_since(book, order)
    return {
        **order_fields(book, order),
        "time": ms(order.opened),
        "updateTime": ms(updated(book, order)),
        "isWorking": since is not None,
        "workingTime": -1 if since is None else ms(since),
        "selfTradePreventionMode": STP_MODE,
    }


def placed_report(book: SpotBook, order: Order, response_type: str) -> dict[str, Any]:
    """POST /api/v3/order's answer in its newOrderRespType: ACK, RESULT or FULL."""
    terms = book.terms[order.id]
    ack = {
        "symbol": order.symbol,
        "orderId": terms.number,
        "orderListId": terms.order_list,
        "clientOrderId": order.client_id,
        "transactTime": ms(order.opened),
    }
    if response_type == "ACK":
        return ack
    since = working_since(book, order)
    result = {
        **ack,
        **order_fields(book, order),
        "workingTime": -1 if since is None else ms(since),
        "selfTradePreventionMode": STP_MODE,
    }
    if response_type == "FULL":
        result["fills"] = [fill_report(book, fill_id) for fill_id in order.fills]
    return result


def fill_report(book: SpotBook, fill_id: str) -> dict[str, Any]:
    fill = book.ledger.fills[fill_id]
    return {
        "price": money(fill.price),
        "qty": money(fill.volume),
        "commission": money(fill.fee),
        "commissionAsset": fill.fee_asset,
        "tradeId": int(fill.id),
    }


def cancel_report(
    book: SpotBook, order: Order, cancel_id: str, orig_client_id: str | None, now: float
) -> dict[str, Any]:
    """DELETE /api/v3/order's answer: `cancel_id` is the cancel's own client order id."""
    return {
        **order_fields(book, order),
        "origClientOrderId": orig_client_id,
        "clientOrderId": cancel_id,
        "transactTime": ms(now),
        "selfTradePreventionMode": STP_MODE,
    }


def list_report(book: SpotBook, order_list: OrderList, when: float) -> dict[str, Any]:
    """An order list's status (its orders' ids; the orderReports are the caller's to add)."""
    legs = book.legs(order_list)
    done = all(leg.status != "open" for leg in legs)
    return {
        "orderListId": order_list.number,
        "contingencyType": "OCO",
        "listStatusType": "ALL_DONE" if done else "EXEC_STARTED",
        "listOrderStatus": "ALL_DONE" if done else "EXECUTING",
        "listClientOrderId": order_list.client_id,
        "transactionTime": ms(when),
        "symbol": order_list.symbol,
        "orders": [
            {
                "symbol": leg.symbol,
                "orderId": book.terms[leg.id].number,
                "clientOrderId": leg.client_id,
            }
            for leg in legs
        ],
    }
