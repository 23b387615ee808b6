"""Binance Spot OCO order lists through ccxt's implicit methods (ccxt 4.5.90 has no unified
OCO; `privatePostOrderListOco` is what a broker calls): both orders rest, the first to execute
expires the other, cancelling one order cancels the list.

The prices are chosen from the synthetic market's own trades after the frozen moment, so that
the test knows which order a trade reaches first.
"""

from decimal import Decimal

import ccxt
import pytest

MOMENT = 1_800_000_000.0
PAIR = "BTCUSDT"
TICK = Decimal("0.01")


def at(venue, exchange, moment: float) -> None:
    """Freeze the venue at `moment`, ccxt's clock 5 s behind it (inside its 10 s recvWindow)."""
    venue.freeze_time(moment)
    exchange.options["timeDifference"] = exchange.milliseconds() - int(moment * 1000) + 5000


@pytest.fixture
def exchange(binance, venue):
    exchange = binance()
    exchange.load_markets()
    at(venue, exchange, MOMENT)
    return exchange


def sell_oco(exchange, limit_price: Decimal, stop_price: Decimal, **extra: str) -> dict:
    return exchange.privatePostOrderListOco(
        {
            "symbol": PAIR,
            "side": "SELL",
            "quantity": "0.001",
            "aboveType": "LIMIT_MAKER",
            "abovePrice": str(limit_price),
            "belowType": "STOP_LOSS",
            "belowStopPrice": str(stop_price),
            **extra,
        }
    )


def next_hour(venue):
    market = venue.state.market
    return market.price(PAIR, MOMENT), market.trades_between(PAIR, MOMENT, MOMENT + 3600)


def statuses(exchange, oco: dict) -> list[str]:
    return [
        exchange.privateGetOrder({"symbol": PAIR, "orderId": leg["orderId"]})["status"]
        for leg in oco["orders"]
    ]


def test_both_orders_rest_then_the_stop_executes_and_the_limit_expires(exchange, venue):
    last, trades = next_hour(venue)
    lowest, highest = min(t.price for t in trades), max(t.price for t in trades)
    stop = ((last + lowest) / 2).quantize(TICK)
    assert lowest < stop < last
    reached = next(t for t in trades if t.price <= stop)

    oco = sell_oco(exchange, highest + 100, stop, listClientOrderId="exit-1")

    assert (oco["contingencyType"], oco["listStatusType"], oco["listOrderStatus"]) == (
        "OCO",
        "EXEC_STARTED",
        "EXECUTING",
    )
    below, above = oco["orderReports"]
    assert (below["type"], below["stopPrice"], above["type"], above["price"]) == (
        "STOP_LOSS",
        f"{stop:.8f}",
        "LIMIT_MAKER",
        f"{highest + 100:.8f}",
    )
    assert statuses(exchange, oco) == ["NEW", "NEW"]
    (listed,) = exchange.privateGetOpenOrderList()
    assert (listed["orderListId"], listed["listClientOrderId"]) == (oco["orderListId"], "exit-1")

    at(venue, exchange, reached.time)
    assert statuses(exchange, oco) == ["FILLED", "EXPIRED"]
    stop_order = exchange.fetch_order(str(below["orderId"]), "BTC/USDT")
    # A STOP_LOSS executes as a market order at the trade that reached it.
    assert (stop_order["filled"], stop_order["average"]) == (0.001, float(reached.price))
    done = exchange.privateGetOrderList({"orderListId": oco["orderListId"]})
    assert (done["listStatusType"], done["listOrderStatus"]) == ("ALL_DONE", "ALL_DONE")
    assert exchange.privateGetOpenOrderList() == []


def test_the_limit_executes_and_the_stop_expires(exchange, venue):
    last, trades = next_hour(venue)
    lowest, highest = min(t.price for t in trades), max(t.price for t in trades)
    limit = ((last + highest) / 2).quantize(TICK)
    assert last < limit < highest
    reached = next(t for t in trades if t.price >= limit)

    oco = sell_oco(exchange, limit, lowest - 100)
    at(venue, exchange, reached.time)

    below, above = oco["orders"]
    limit_order = exchange.fetch_order(str(above["orderId"]), "BTC/USDT")
    # A maker fill at the limit price, of what that trade traded (at most the order).
    filled = min(Decimal("0.001"), reached.volume)
    assert (limit_order["filled"], limit_order["average"]) == (float(filled), float(limit))
    assert exchange.fetch_order(str(below["orderId"]), "BTC/USDT")["status"] == "expired"


def test_cancelling_one_order_cancels_the_list(exchange, venue):
    last, _ = next_hour(venue)
    oco = sell_oco(exchange, last + 1000, last - 1000)
    _below, above = oco["orders"]
    assert exchange.fetch_balance()["used"]["BTC"] > 0

    cancelled = exchange.cancel_order(str(above["orderId"]), "BTC/USDT")

    assert (cancelled["status"], cancelled["info"]["orderListId"]) == (
        "canceled",
        oco["orderListId"],
    )
    assert statuses(exchange, oco) == ["CANCELED", "CANCELED"]
    done = exchange.privateGetOrderList({"origClientOrderId": oco["listClientOrderId"]})
    assert done["listStatusType"] == "ALL_DONE"
    assert exchange.fetch_balance()["used"]["BTC"] == 0.0
    with pytest.raises(ccxt.OrderNotFound, match="-2011"):
        exchange.privateDeleteOrderList({"symbol": PAIR, "orderListId": oco["orderListId"]})


def test_cancelling_the_list(exchange, venue):
    last, _ = next_hour(venue)
    oco = sell_oco(exchange, last + 1000, last - 1000)

    cancelled = exchange.privateDeleteOrderList(
        {"symbol": PAIR, "listClientOrderId": oco["listClientOrderId"]}
    )

    assert cancelled["listOrderStatus"] == "ALL_DONE"
    assert [r["status"] for r in cancelled["orderReports"]] == ["CANCELED", "CANCELED"]
    (listed,) = exchange.privateGetAllOrderList()
    assert listed["orderListId"] == oco["orderListId"]


def test_oco_refusals(exchange, venue):
    last, _ = next_hour(venue)
    with pytest.raises(ccxt.InvalidOrder, match="relationship of the prices"):
        sell_oco(exchange, last - 1000, last - 2000)  # the limit must be above the last price
    with pytest.raises(ccxt.ExchangeError, match="-1197"):
        exchange.privatePostOrderListOco(
            {
                "symbol": PAIR,
                "side": "SELL",
                "quantity": "0.001",
                "aboveType": "STOP_LOSS",
                "aboveStopPrice": str(last + 1000),
                "belowType": "TAKE_PROFIT",
                "belowStopPrice": str(last - 1000),
            }
        )
    with pytest.raises(ccxt.InsufficientFunds):
        exchange.privatePostOrderListOco(
            {
                "symbol": PAIR,
                "side": "SELL",
                "quantity": "2.5",  # more than the key's 2 BTC
                "aboveType": "LIMIT_MAKER",
                "abovePrice": str(last + 1000),
                "belowType": "STOP_LOSS",
                "belowStopPrice": str(last - 1000),
            }
        )
    assert exchange.privateGetOpenOrderList() == []
    assert exchange.fetch_open_orders("BTC/USDT") == []


def test_an_oco_holds_its_coins_once(exchange, venue):
    """Both legs sell the same coins: the key's 2 BTC cover a list selling 1.5, and its
    account shows 1.5 locked, not 3 (Binance locks an OCO's quantity once)."""
    price, _trades = next_hour(venue)
    limit_price = (price * Decimal("1.05")).quantize(TICK)
    stop_price = (price * Decimal("0.95")).quantize(TICK)

    sell_oco(exchange, limit_price, stop_price, quantity="1.5")

    balances = {b["asset"]: b for b in exchange.privateGetAccount()["balances"]}
    assert (Decimal(balances["BTC"]["free"]), Decimal(balances["BTC"]["locked"])) == (
        Decimal("0.5"),
        Decimal("1.5"),
    )
