"""The Binance USDⓈ-M dialect on the wire: SIGNED request refusals, request weights, the exact
refusals Binance's USDⓈ-M error list words, and answers ccxt does not read field by field."""

import json
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest

from exchanges.sandbox.auth import binance_signature

T0 = 1_789_984_800  # 2026-09-21 10:00:00 UTC, a minute's start
INVALID_KEY = {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}


class Fapi:
    """Plain HTTP to the venue's /fapi, signing as Binance documents (HMAC-SHA256 of the query
    string), with the answer's status, JSON and headers."""

    def __init__(self, venue) -> None:
        self.venue = venue

    def call(self, method, path, params=None, *, label=None, secret=None, timestamp=None):
        query = urllib.parse.urlencode(params or {})
        headers = {}
        if label is not None:
            key = self.venue.key(label)
            stamp = int(self.venue.state.clock() * 1000) if timestamp is None else timestamp
            query = "&".join(filter(None, [query, f"timestamp={stamp}"]))
            query += "&signature=" + binance_signature(secret or key.secret, query)
            headers["X-MBX-APIKEY"] = key.key
        request = urllib.request.Request(  # noqa: S310 - the venue's own http URL
            f"{self.venue.url}{path}?{query}", method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
                return answer.status, json.loads(answer.read()), dict(answer.headers)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read()), dict(error.headers)


@pytest.fixture
def fapi(venue):
    venue.freeze_time(T0)
    return Fapi(venue)


def test_signed_requests_are_checked_as_binance_documents(fapi):
    ok = fapi.call("GET", "/fapi/v1/positionSide/dual", label="binance-full")
    assert ok[:2] == (200, {"dualSidePosition": False})
    bad = fapi.call("GET", "/fapi/v1/positionSide/dual", label="binance-full", secret="wrong")
    assert bad[:2] == (400, {"code": -1022, "msg": "Signature for this request is not valid."})
    stale = fapi.call("GET", "/fapi/v3/account", label="binance-full", timestamp=T0 * 1000 - 5001)
    assert stale[:2] == (
        400,
        {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."},
    )
    ahead = fapi.call("GET", "/fapi/v3/account", label="binance-full", timestamp=T0 * 1000 + 1000)
    assert ahead[1] == {
        "code": -1021,
        "msg": "Timestamp for this request was 1000ms ahead of the server's time.",
    }
    wide = fapi.call("GET", "/fapi/v3/account", {"recvWindow": 60001}, label="binance-full")
    assert wide[:2] == (400, {"code": -1131, "msg": "recvWindow must be less than 60000"})
    anonymous = fapi.call("GET", "/fapi/v3/account", {"timestamp": T0 * 1000})
    assert anonymous[:2] == (401, {"code": -2014, "msg": "API-key format invalid."})


def test_every_signed_call_needs_enable_futures(fapi):
    for path in ("/fapi/v3/account", "/fapi/v1/openOrders", "/fapi/v1/income"):
        assert fapi.call("GET", path, label="binance-spot-only")[:2] == (401, INVALID_KEY)
        assert fapi.call("GET", path, label="binance-read-only")[:2] == (401, INVALID_KEY)
    status, ticker, _ = fapi.call("GET", "/fapi/v1/ticker/price", {"symbol": "BTCUSDT"})
    assert (status, ticker["symbol"]) == (200, "BTCUSDT")  # public: no key at all


def test_weights_add_up_on_the_futures_limiter_then_429_then_418(fapi):
    # 24hr tickers of every contract weigh 40: 60 of them are the minute's 2400.
    for count in range(1, 61):
        status, _, headers = fapi.call("GET", "/fapi/v1/ticker/24hr")
        assert (status, headers["X-MBX-USED-WEIGHT-1M"]) == (200, str(40 * count))
    status, body, headers = fapi.call("GET", "/fapi/v1/ticker/24hr")
    assert (status, body["code"], headers["Retry-After"]) == (429, -1003, "60")
    status, body, _ = fapi.call("GET", "/fapi/v1/time")  # kept calling within the minute
    assert (status, body["code"]) == (418, -1003)
    assert fapi.call("GET", "/api/v3/ping")[0] == 200  # Spot counts on its own limiter


def test_request_weights_follow_the_documented_tables(fapi):
    def used(path, params=None, label=None):
        before = int(fapi.call("GET", "/fapi/v1/ping")[2]["X-MBX-USED-WEIGHT-1M"])
        status, _, headers = fapi.call("GET", path, params, label=label)
        assert status == 200
        return int(headers["X-MBX-USED-WEIGHT-1M"]) - before

    kline = {"symbol": "BTCUSDT", "interval": "1m"}
    assert [used("/fapi/v1/klines", {**kline, "limit": n}) for n in (99, 100, 1000, 1500)] == [
        1,
        2,
        5,
        10,
    ]
    assert [used("/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": n}) for n in (50, 1000)] == [
        2,
        20,
    ]
    assert used("/fapi/v1/income", label="binance-full") == 30
    assert used("/fapi/v1/openOrders", label="binance-full") == 40  # every symbol


def test_klines_go_up_to_1500(fapi):
    params = {"symbol": "BTCUSDT", "interval": "1m", "limit": 1500}
    status, rows, _ = fapi.call("GET", "/fapi/v1/klines", params)
    assert (status, len(rows), rows[-1][0]) == (200, 1500, (T0 // 60) * 60_000)
    status, body, _ = fapi.call("GET", "/fapi/v1/klines", {**params, "limit": 1501})
    assert (status, body["code"]) == (400, -1130)


def order(fapi, **params):
    return fapi.call(
        "POST", "/fapi/v1/order", {"symbol": "BTCUSDT", **params}, label="binance-full"
    )


def test_conditional_types_go_to_the_algo_order_api(fapi):
    status, body, _ = order(
        fapi, side="SELL", type="STOP_MARKET", stopPrice="50000", quantity="0.01"
    )
    assert (status, body) == (
        400,
        {
            "code": -4120,
            "msg": "Order type not supported for this endpoint. Please use the Algo Order API "
            "endpoints instead.",
        },
    )


def test_price_and_quantity_filters(fapi):
    limit = {"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01"}
    precision = "Precision is over the maximum defined for this asset."
    refusals = [
        ({**limit, "price": "60000.05"}, -4014, "Price not increased by tick size."),
        ({**limit, "price": "60000.001"}, -1111, precision),
        ({**limit, "price": "500"}, -4013, "Price less than min price."),
        ({**limit, "price": "60000", "quantity": "0.0105"}, -1111, precision),
        (
            {**limit, "price": "60000", "quantity": "0"},
            -4003,
            "Quantity less than zero.",
        ),
        (
            {"side": "BUY", "type": "MARKET", "quantity": "121"},
            -4005,
            "Quantity greater than max quantity.",
        ),
        ({**limit, "price": "1000000"}, -4016, "Price is higher than mark price multiplier cap."),
    ]
    for params, code, message in refusals:
        assert order(fapi, **params)[:2] == (400, {"code": code, "msg": message}), params


def test_a_new_orders_answer_is_ack_by_default_and_result_on_request(fapi):
    status, ack, _ = order(fapi, side="BUY", type="MARKET", quantity="0.01")
    assert (status, ack["status"], ack["executedQty"], ack["orderId"]) == (
        200,
        "NEW",
        "0.000",
        4_000_000_001,
    )
    status, result, _ = order(
        fapi, side="BUY", type="MARKET", quantity="0.01", newOrderRespType="RESULT"
    )
    assert (result["status"], result["executedQty"], result["orderId"]) == (
        "FILLED",
        "0.010",
        4_000_000_002,
    )
    assert (result["positionSide"], result["type"], result["origType"]) == (
        "BOTH",
        "MARKET",
        "MARKET",
    )
    fill_price = fapi.venue.state.market.price("BTCUSDT", T0)
    assert result["avgPrice"] == f"{fill_price:.5f}"
    assert result["cumQuote"] == f"{fill_price * 1 / 100:.5f}"


def test_client_order_ids_are_unique_among_open_orders(fapi):
    rest = {
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.01",
        "price": "60000",
    }
    assert order(fapi, newClientOrderId="mine", **rest)[0] == 200
    status, body, _ = order(fapi, newClientOrderId="mine", **rest)
    assert (status, body) == (400, {"code": -4116, "msg": "clientOrderId is duplicated."})
    status, body, _ = order(fapi, newClientOrderId="not valid!", **rest)
    assert (status, body["code"]) == (400, -1100)


def test_time_in_force(fapi):
    last = fapi.venue.state.market.price("BTCUSDT", T0)
    below = str((last * 98 / 100).quantize(1))
    above = str((last * 102 / 100).quantize(1))
    base = {"side": "BUY", "type": "LIMIT", "quantity": "0.01"}
    status, body, _ = order(fapi, timeInForce="GTX", price=above, **base)
    assert (status, body["code"]) == (400, -5022)  # post-only that would take
    status, body, _ = order(fapi, timeInForce="FOK", price=below, **base)
    assert (status, body["code"]) == (400, -5021)
    status, body, _ = order(fapi, timeInForce="IOC", price=below, newOrderRespType="RESULT", **base)
    assert (status, body["status"], body["timeInForce"]) == (200, "EXPIRED", "IOC")
    status, body, _ = order(fapi, timeInForce="GTX", price=below, newOrderRespType="RESULT", **base)
    assert (status, body["status"], body["timeInForce"]) == (200, "NEW", "GTX")


def test_funding_rate_history_is_every_eight_hours_since_listing(fapi):
    status, first, _ = fapi.call(
        "GET", "/fapi/v1/fundingRate", {"symbol": "BTCUSDT", "startTime": 0, "limit": 2}
    )
    assert status == 200
    # BTCUSDT's onboardDate, 2019-09-25 08:00 UTC, then 8 hours later.
    assert [row["fundingTime"] for row in first] == [1_569_398_400_000, 1_569_427_200_000]
    _, recent, _ = fapi.call("GET", "/fapi/v1/fundingRate", {"symbol": "ETHUSDT"})
    assert len(recent) == 200
    assert recent[-1]["fundingTime"] == T0 // 28800 * 28_800_000  # 08:00, the last settled
    _, index, _ = fapi.call("GET", "/fapi/v1/premiumIndex", {"symbol": "ETHUSDT"})
    assert index["nextFundingTime"] == recent[-1]["fundingTime"] + 28_800_000


def algo(fapi, **params):
    return fapi.call(
        "POST",
        "/fapi/v1/algoOrder",
        {"symbol": "BTCUSDT", "algoType": "CONDITIONAL", **params},
        label="binance-full",
    )


def test_conditional_orders_answer_as_the_algo_order_api_documents(fapi):
    last = fapi.venue.state.market.price("BTCUSDT", T0)
    below = (last - 500).quantize(Decimal("0.1"))  # on the 0.10 tick
    order(fapi, side="BUY", type="MARKET", quantity="0.01")
    stop = {"side": "SELL", "type": "STOP_MARKET", "quantity": "0.01", "reduceOnly": "true"}
    status, body, _ = algo(fapi, triggerPrice=str(below + 1000), **stop)  # above: reached
    assert (status, body) == (400, {"code": -2021, "msg": "Order would immediately trigger."})
    status, placed, _ = algo(fapi, triggerPrice=str(below), clientAlgoId="sl-1", **stop)
    assert status == 200
    assert (placed["algoId"], placed["clientAlgoId"], placed["algoStatus"]) == (
        3_000_000_000_000_001,
        "sl-1",
        "NEW",
    )
    assert (placed["orderType"], placed["triggerPrice"], placed["actualOrderId"]) == (
        "STOP_MARKET",
        f"{below:.2f}",
        "",
    )
    # Nine more fill MAX_NUM_ALGO_ORDERS (10 open conditional orders a contract).
    for step in range(1, 10):
        assert algo(fapi, triggerPrice=str(below - step), **stop)[0] == 200
    status, body, _ = algo(fapi, triggerPrice=str(below - 100), **stop)
    assert (status, body) == (400, {"code": -4045, "msg": "Reach max stop order limit."})

    cancel = {"algoId": placed["algoId"]}
    status, body, _ = fapi.call("DELETE", "/fapi/v1/algoOrder", cancel, label="binance-full")
    assert (status, body) == (
        200,
        {"algoId": placed["algoId"], "clientAlgoId": "sl-1", "code": "200", "msg": "success"},
    )
    status, body, _ = fapi.call("DELETE", "/fapi/v1/algoOrder", cancel, label="binance-full")
    assert (status, body) == (400, {"code": -2011, "msg": "Unknown order sent."})
    status, body, _ = fapi.call(
        "DELETE", "/fapi/v1/algoOpenOrders", {"symbol": "BTCUSDT"}, label="binance-full"
    )
    assert body == {"code": 200, "msg": "The operation of cancel all open order is done."}
    _, left, _ = fapi.call("GET", "/fapi/v1/openAlgoOrders", label="binance-full")
    assert left == []


def test_close_position_closes_what_is_held_and_a_stop_left_with_nothing_expires(fapi):
    market = fapi.venue.state.market
    order(fapi, side="BUY", type="MARKET", quantity="0.03")
    last = market.price("BTCUSDT", T0)
    low = min(t.price for t in market.trades_between("BTCUSDT", T0, T0 + 3600))
    trigger = ((low + last) / 2).quantize(Decimal("0.1"))
    reaching = next(
        t for t in market.trades_between("BTCUSDT", T0, T0 + 3600) if t.price <= trigger
    )
    stop = {"side": "SELL", "type": "STOP_MARKET", "triggerPrice": str(trigger)}
    _, closing, _ = algo(fapi, closePosition="true", clientAlgoId="close-all", **stop)
    _, spare, _ = algo(fapi, quantity="0.01", reduceOnly="true", **stop)
    assert closing["quantity"] == "0.000"  # Binance shows no quantity for Close-All

    fapi.venue.freeze_time(reaching.time)  # both reached by the same trade
    _, done, _ = fapi.call(
        "GET", "/fapi/v1/algoOrder", {"algoId": closing["algoId"]}, label="binance-full"
    )
    _, left, _ = fapi.call(
        "GET", "/fapi/v1/algoOrder", {"algoId": spare["algoId"]}, label="binance-full"
    )
    assert (done["algoStatus"], left["algoStatus"], left["actualOrderId"]) == (
        "FINISHED",
        "EXPIRED",
        "",
    )
    became = {"symbol": "BTCUSDT", "orderId": done["actualOrderId"]}
    _, actual, _ = fapi.call("GET", "/fapi/v1/order", became, label="binance-full")
    assert (actual["status"], actual["type"], actual["origType"]) == (
        "FILLED",
        "MARKET",
        "STOP_MARKET",
    )
    assert (actual["executedQty"], actual["clientOrderId"]) == ("0.030", "close-all")
    assert actual["avgPrice"] == f"{reaching.price:.5f}"
    _, positions, _ = fapi.call("GET", "/fapi/v3/positionRisk", label="binance-full")
    assert positions == []
