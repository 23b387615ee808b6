"""POST /api/v3/order's parameters and answers, through ccxt's implicit methods (the request
goes out as written, signed, and the answer comes back as Binance's JSON): the documented
refusal for each wrong parameter, the newOrderRespType formats and their defaults, the test
endpoint, a TAKE_PROFIT order, and GET /api/v3/myTrades' filters.
"""

from decimal import Decimal

import ccxt
import pytest

MOMENT = 1_800_000_000.0
ORDER = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
SIZED = {**ORDER, "quantity": "0.01", "price": "20000"}


def without(params: dict, *names: str) -> dict:
    return {name: value for name, value in params.items() if name not in names}


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


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        (without(SIZED, "symbol"), -1102, "Mandatory parameter 'symbol'"),
        ({**SIZED, "symbol": "DOGEUSDT"}, -1121, "Invalid symbol."),
        ({**SIZED, "side": "HOLD"}, -1117, "Invalid side."),
        ({**SIZED, "type": "ICEBERG"}, -1116, "Invalid orderType."),
        ({**SIZED, "type": "STOP_LOSS_LIMIT"}, -2010, "Stop loss limit orders are not supported"),
        (without(SIZED, "timeInForce"), -1102, "Mandatory parameter 'timeInForce'"),
        ({**SIZED, "timeInForce": "GTD"}, -1115, "Invalid timeInForce."),
        ({**without(SIZED, "price"), "type": "MARKET"}, -1114, "TimeInForce parameter sent"),
        (without(SIZED, "price"), -1102, "Mandatory parameter 'price'"),
        (without(SIZED, "quantity"), -1102, "Mandatory parameter 'quantity'"),
        ({**SIZED, "quantity": "1e-2"}, -1100, "Illegal characters found in parameter 'quantity'"),
        ({**SIZED, "stopPrice": "19000"}, -1106, "Parameter 'stopPrice' sent when not required."),
        ({**SIZED, "newClientOrderId": "no spaces"}, -1100, "parameter 'newClientOrderId'"),
        ({**SIZED, "newOrderRespType": "ALL"}, -1100, "parameter 'newOrderRespType'"),
    ],
)
def test_each_wrong_parameter_has_its_code(exchange, params, code, message):
    with pytest.raises(ccxt.ExchangeError, match=f"{code}.*{message}"):
        exchange.privatePostOrder(params)
    assert exchange.fetch_open_orders("BTC/USDT") == []


def test_a_market_order_needs_one_quantity(exchange):
    market = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET"}
    with pytest.raises(ccxt.ExchangeError, match=r"-1102.*'quantity' or 'quoteOrderQty'"):
        exchange.privatePostOrder(market)
    with pytest.raises(ccxt.ExchangeError, match="-1128"):
        exchange.privatePostOrder({**market, "quantity": "0.01", "quoteOrderQty": "500"})


def test_the_answer_formats_and_their_defaults(exchange, venue):
    fields = {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}
    ack = exchange.privatePostOrder({**SIZED, "newOrderRespType": "ACK"})
    assert set(ack) == fields
    result = exchange.privatePostOrder({**SIZED, "newOrderRespType": "RESULT"})
    assert "fills" not in result
    assert (result["status"], result["origQty"], result["price"]) == (
        "NEW",
        "0.01000000",
        "20000.00000000",
    )
    full = exchange.privatePostOrder({**SIZED, "quantity": "0.02"})  # LIMIT: FULL by default
    assert full["fills"] == []
    maker = exchange.privatePostOrder({**without(SIZED, "timeInForce"), "type": "LIMIT_MAKER"})
    assert set(maker) == fields  # any other type: ACK by default
    bought = exchange.privatePostOrder({**without(SIZED, "timeInForce", "price"), "type": "MARKET"})
    (fill,) = bought["fills"]
    price = venue.state.market.price("BTCUSDT", MOMENT)
    assert fill == {
        "price": f"{price:.8f}",
        "qty": "0.01000000",
        "commission": "0.00001000",
        "commissionAsset": "BTC",
        "tradeId": 1,
    }
    assert [o["orderId"] for o in [ack, result, full, maker, bought]] == [1, 2, 3, 4, 5]


def test_the_test_endpoint_checks_but_places_nothing(exchange):
    assert exchange.privatePostOrderTest(SIZED) == {}
    rates = exchange.privatePostOrderTest({**SIZED, "computeCommissionRates": "true"})
    assert rates["standardCommissionForOrder"] == {"maker": "0.00100000", "taker": "0.00100000"}
    with pytest.raises(ccxt.ExchangeError, match=r"-1013.*LOT_SIZE"):
        exchange.privatePostOrderTest({**SIZED, "quantity": "0.000001"})
    assert exchange.fetch_orders("BTC/USDT") == []


def test_a_take_profit_waits_for_its_price(exchange, venue):
    market = venue.state.market
    last = market.price("BTCUSDT", MOMENT)
    trades = market.trades_between("BTCUSDT", MOMENT, MOMENT + 3600)
    target = round((last + max(t.price for t in trades)) / 2)
    assert last < target
    reached = next(t for t in trades if t.price >= target)
    order = exchange.create_order(
        "BTC/USDT", "market", "sell", 0.01, None, {"takeProfitPrice": float(target)}
    )
    waiting = exchange.privateGetOrder({"symbol": "BTCUSDT", "orderId": order["id"]})
    assert (waiting["type"], waiting["status"], waiting["isWorking"], waiting["workingTime"]) == (
        "TAKE_PROFIT",
        "NEW",
        False,
        -1,
    )
    assert waiting["stopPrice"] == f"{target:.8f}"

    at(venue, exchange, reached.time)
    done = exchange.privateGetOrder({"symbol": "BTCUSDT", "orderId": order["id"]})
    assert (done["status"], done["workingTime"]) == ("FILLED", int(reached.time * 1000))
    assert done["cummulativeQuoteQty"] == f"{reached.price * Decimal('0.01'):.8f}"


def test_my_trades_by_order_from_id_and_time(exchange, venue):
    first = exchange.create_order("BTC/USDT", "market", "buy", 0.01)
    at(venue, exchange, MOMENT + 60)
    second = exchange.create_order("BTC/USDT", "market", "buy", 0.02)
    exchange.create_order("ETH/USDT", "market", "buy", 0.1)  # another symbol: not listed

    def ids(**params):
        return [t["order"] for t in exchange.fetch_my_trades("BTC/USDT", params=params)]

    assert ids() == [first["id"], second["id"]]
    assert ids(orderId=second["id"]) == [second["id"]]
    assert ids(fromId=2) == [second["id"]]
    assert ids(startTime=int(MOMENT * 1000) + 1) == [second["id"]]
    assert ids(endTime=int(MOMENT * 1000)) == [first["id"]]
    assert ids(limit=1) == [second["id"]]  # the most recent
    with pytest.raises(ccxt.ExchangeError, match="-1127"):
        ids(startTime=0, endTime=86_400_001)
    with pytest.raises(ccxt.ExchangeError, match="-1128"):
        ids(fromId=1, startTime=int(MOMENT * 1000))
