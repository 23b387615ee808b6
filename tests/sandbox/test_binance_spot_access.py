"""Who may call the sandbox's Binance Spot dialect, and how often: the SIGNED request checks
(key header, signature, recvWindow, trusted IPs, the key's switches), the restricted-location
answer, request weights, and what GET /sapi/v1/account/apiRestrictions reports of a key.

Codes and messages are Binance's (errors.md, "General API Information", "LIMITS"); ccxt's
exception for each is what its binance class maps the answer to.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import ccxt
import pytest

from exchanges.sandbox import SandboxVenue
from exchanges.sandbox.auth import WeightLimiter, binance_signature

MOMENT = 1_800_000_000.0  # a minute's start: 2027-01-15T08:00:00Z
RESTRICTED_IP, TRUSTED_IP = "198.51.100.23", "203.0.113.7"


def send(venue, path: str, query: dict, headers: dict | None = None) -> tuple[int, dict, dict]:
    """A GET to the venue: the status, the headers and the decoded body."""
    url = f"{venue.url}{path}?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - the venue
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_a_signed_request_without_the_key_header_is_refused(venue):
    timestamp = str(int(time.time() * 1000))
    signature = binance_signature(venue.key("binance-full").secret, f"timestamp={timestamp}")
    query = {"timestamp": timestamp, "signature": signature}
    status, _, body = send(venue, "/api/v3/account", query)  # no X-MBX-APIKEY
    assert (status, body) == (401, {"code": -2014, "msg": "API-key format invalid."})


def test_a_wrong_secret_and_an_unknown_key(binance):
    with pytest.raises(ccxt.AuthenticationError, match="-1022"):
        binance(secret="0" * 64).fetch_balance()
    with pytest.raises(ccxt.AuthenticationError, match="-2015"):
        binance(apiKey="A" * 64).fetch_balance()


@pytest.mark.parametrize(
    ("venue_ahead", "message"),
    [
        (10, "Timestamp for this request is outside of the recvWindow."),
        (-10, "Timestamp for this request was 1000ms ahead of the server's time."),
    ],
)
def test_a_clock_10_seconds_off_is_refused(binance, venue, venue_ahead, message):
    exchange = binance()
    exchange.load_markets()
    exchange.options["recvWindow"] = 5000  # Binance's default window
    venue.freeze_time(time.time() + venue_ahead)
    with pytest.raises(ccxt.InvalidNonce, match=f"-1021.*{message}"):
        exchange.fetch_balance()


def test_a_restricted_location_gets_451(binance, venue):
    status, _, body = send(venue, "/api/v3/ping", {}, {"X-Sandbox-Client-IP": RESTRICTED_IP})
    assert (status, body["code"]) == (451, 0)
    assert body["msg"].startswith("Service unavailable from a restricted location")
    with pytest.raises(ccxt.ExchangeNotAvailable, match="451"):
        binance(headers={"X-Sandbox-Client-IP": RESTRICTED_IP}).fetch_time()


def test_a_key_with_trusted_ips_works_from_them_only(binance):
    with pytest.raises(ccxt.AuthenticationError, match="-2015"):
        binance("binance-ip-restricted").fetch_balance()
    trusted = binance("binance-ip-restricted", headers={"X-Sandbox-Client-IP": TRUSTED_IP})
    assert trusted.fetch_balance()["total"]["USDT"] == 100000.0


def test_a_read_only_key_reads_but_cannot_trade(binance):
    exchange = binance("binance-read-only")
    exchange.load_markets()
    with pytest.raises(ccxt.AuthenticationError, match="-2015"):
        exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 20000)
    assert exchange.fetch_balance()["total"]["BTC"] == 2.0
    assert exchange.fetch_open_orders("BTC/USDT") == []


def api_restrictions(exchange, venue) -> dict:
    venue.freeze_time(MOMENT)
    exchange.options["timeDifference"] = exchange.milliseconds() - int(MOMENT * 1000) + 5000
    return exchange.sapiGetAccountApiRestrictions()


def test_the_permissions_of_a_key_that_can_withdraw(binance, venue):
    answer = api_restrictions(binance("binance-withdraw"), venue)
    assert {name for name, value in answer.items() if value is True} == {
        "enableReading",
        "enableSpotAndMarginTrading",
        "enableFutures",
        "enableWithdrawals",
    }
    assert (answer["ipRestrict"], answer["createTime"]) == (False, 1_735_689_600_000)
    # Trading without trusted IPs lasts 30 days from 2025-01-01, renewed: the 25th period,
    # (1_800_000_000 - 1_735_689_600) // 2_592_000 + 1, ends at 1_735_689_600 + 25 * 2_592_000.
    assert answer["tradingAuthorityExpirationTime"] == 1_800_489_600_000


def test_no_trading_expiry_for_trusted_ips_or_without_trading(binance, venue):
    headers = {"X-Sandbox-Client-IP": TRUSTED_IP}
    trusted = api_restrictions(binance("binance-ip-restricted", headers=headers), venue)
    assert trusted["ipRestrict"] is True
    assert "tradingAuthorityExpirationTime" not in trusted
    read_only = api_restrictions(binance("binance-read-only"), venue)
    assert (read_only["enableReading"], read_only["enableSpotAndMarginTrading"]) == (True, False)
    assert "tradingAuthorityExpirationTime" not in read_only


@pytest.fixture
def small_venue():
    """A venue whose IPs may use 30 weight a minute (Binance's is 6000)."""
    venue = SandboxVenue()
    venue.state.weights["binance"] = WeightLimiter(30)
    venue.start()
    venue.freeze_time(MOMENT + 10)
    yield venue
    venue.stop()


def test_weights_add_up_then_429_then_418(small_venue):
    ticker = {"symbol": "BTCUSDT"}
    used = [
        send(small_venue, path, query)[1]["X-MBX-USED-WEIGHT-1M"]
        for path, query in [
            ("/api/v3/exchangeInfo", {}),  # weight 20
            ("/api/v3/depth", {"symbol": "BTCUSDT", "limit": "5"}),  # 5 up to 100 levels
            ("/api/v3/ticker/price", ticker),  # 2
            ("/api/v3/ping", {}),  # 1
            ("/api/v3/ticker/price", ticker),  # 2: the 30 allowed
        ]
    ]
    assert used == ["20", "25", "27", "28", "30"]

    status, headers, body = send(small_venue, "/api/v3/ticker/price", ticker)  # 32 > 30
    assert (status, body["code"], headers["Retry-After"]) == (429, -1003, "50")  # to the minute
    status, headers, body = send(small_venue, "/api/v3/ping", {})  # called again: banned
    assert (status, body["code"], headers["Retry-After"]) == (418, -1003, "120")  # 2 minutes

    exchange = ccxt.binance({"enableRateLimit": False})
    exchange.urls["api"] = {**exchange.urls["api"], **small_venue.ccxt_urls("binance")}
    with pytest.raises(ccxt.DDoSProtection, match="418"):
        exchange.fetch_time()
