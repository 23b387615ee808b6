"""Injected faults: each produces the venue's answer, and ccxt raises the class it maps it to."""

import json
import socket
import time
import urllib.error

import ccxt
import pytest

from exchanges.sandbox import CallCounter, SandboxVenue
from exchanges.sandbox.faults import Fault


def test_http_5xx_for_the_next_n_calls(venue, raw, spot, futures):
    venue.inject_http_error(502, count=2)
    assert raw.request("GET", "/0/public/Time")[0] == 502
    exchange = spot()
    with pytest.raises(ccxt.ExchangeNotAvailable, match="502"):
        exchange.fetch_time()
    assert exchange.fetch_time() > 0  # both uses consumed
    venue.inject_http_error(504)
    with pytest.raises(ccxt.RequestTimeout):  # ccxt reads a 504 as a timeout
        exchange.fetch_time()
    venue.inject_http_error(503, venue="futures")
    assert spot().fetch_time() > 0  # a futures-only fault leaves Spot alone
    with pytest.raises(ccxt.ExchangeNotAvailable):
        futures().fetch_markets()


def test_service_unavailable(venue, raw, spot, futures):
    venue.inject_unavailable()
    status, text = raw.request("GET", "/0/public/Time")
    assert (status, json.loads(text)) == (503, {"error": ["EService:Unavailable"]})
    venue.inject_unavailable()
    with pytest.raises(ccxt.ExchangeNotAvailable, match="EService:Unavailable"):
        spot().fetch_balance()
    venue.inject_unavailable(venue="futures")
    with pytest.raises(ccxt.ExchangeNotAvailable, match="unavailable"):
        futures().fetch_balance()


def test_rate_limit_errors(venue, raw, spot, futures):
    key = venue.key("spot-full").key
    venue.inject_rate_limit(key=key)
    assert raw.spot_private("spot-no-query-funds", "GetApiKeyInfo")[1]["error"] == []  # other key
    assert raw.spot_private("spot-full", "Balance")[1] == {"error": ["EAPI:Rate limit exceeded"]}
    venue.inject_rate_limit(key=key)
    # ccxt maps Kraken Spot's rate limit to DDoSProtection (not its RateLimitExceeded sibling)
    with pytest.raises(ccxt.DDoSProtection, match="EAPI:Rate limit exceeded"):
        spot().fetch_balance()
    venue.inject_rate_limit(venue="futures")
    with pytest.raises(ccxt.RateLimitExceeded, match="apiLimitExceeded"):
        futures().fetch_balance()


def test_the_call_counter_limits_like_kraken():
    with SandboxVenue(rate_limit=CallCounter(maximum=3, decay_per_second=0.0)) as venue:
        key = venue.key("spot-full")
        exchange = ccxt.kraken({"apiKey": key.key, "secret": key.secret, "enableRateLimit": False})
        exchange.urls["api"] = venue.ccxt_urls("kraken")
        for _ in range(3):
            exchange.privatePostBalance()
        with pytest.raises(ccxt.DDoSProtection, match="EAPI:Rate limit exceeded"):
            exchange.privatePostBalance()


def test_a_slow_answer_past_the_client_timeout(venue, raw, spot):
    venue.inject_slow(1.0)
    with pytest.raises((socket.timeout, urllib.error.URLError)):
        raw.request("GET", "/0/public/Time", timeout=0.2)
    venue.inject_slow(1.0)
    exchange = spot(timeout=200)
    started = time.monotonic()
    with pytest.raises(ccxt.RequestTimeout):
        exchange.fetch_time()
    assert time.monotonic() - started < 0.9
    venue.inject_slow(0.2)
    assert spot(timeout=2000).fetch_time() > 0  # slow but within the timeout: a normal answer


def test_malformed_json(venue, raw, spot, futures):
    venue.inject_malformed_json()
    status, text = raw.request("GET", "/0/public/Time")
    assert status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    # ccxt's kraken raises nothing on a truncated answer: it returns empty structures.
    exchange = spot()
    exchange.load_markets()
    venue.inject_malformed_json(venue="spot")
    balance = exchange.fetch_balance()
    assert isinstance(balance["info"], str)
    assert balance["total"] == {}
    perpetual = futures()
    perpetual.load_markets()
    venue.inject_malformed_json(venue="futures")
    with pytest.raises(ccxt.BadRequest, match="no account for flex"):
        perpetual.fetch_balance()


def test_faults_over_the_admin_endpoint(venue, raw):
    body = json.dumps({"kind": "http_error", "status": 500, "count": 1}).encode()
    status, text = raw.request("POST", "/_sandbox/faults", body)
    assert status == 201
    assert json.loads(text)["faults"][0]["kind"] == "http_error"
    assert raw.request("GET", "/0/public/Time")[0] == 500
    assert raw.request("GET", "/0/public/Time")[0] == 200
    raw.request("POST", "/_sandbox/faults", json.dumps({"kind": "slow", "seconds": 5}).encode())
    assert json.loads(raw.request("GET", "/_sandbox/faults")[1])["faults"][0]["seconds"] == 5
    assert raw.request("DELETE", "/_sandbox/faults")[0] == 200
    assert json.loads(raw.request("GET", "/_sandbox/faults")[1]) == {"faults": []}
    assert raw.request("POST", "/_sandbox/faults", b'{"kind": "explode"}')[0] == 400
    assert raw.request("POST", "/_sandbox/faults", b'{"kind": "slow"}')[0] == 400
    assert raw.request("GET", "/_sandbox/health")[0] == 200


def test_reset_over_the_admin_endpoint(venue, raw, spot):
    spot().create_order("BTC/USD", "market", "buy", 0.01)
    assert venue.state.ledger.orders
    assert raw.request("POST", "/_sandbox/reset")[0] == 200
    assert venue.state.ledger.orders == {}
    assert spot().fetch_balance()["total"]["BTC"] == 2.0


def test_fault_validation():
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("boom")
    with pytest.raises(ValueError, match="count"):
        Fault("malformed", 0)
    with pytest.raises(ValueError, match="unknown fault fields"):
        Fault.from_json({"kind": "malformed", "colour": "red"})


def test_stop_is_prompt_even_during_a_slow_answer():
    venue = SandboxVenue().start()
    venue.inject_slow(30)
    key = venue.key("spot-full")
    exchange = ccxt.kraken({"apiKey": key.key, "secret": key.secret, "timeout": 200})
    exchange.urls["api"] = venue.ccxt_urls("kraken")
    with pytest.raises(ccxt.RequestTimeout):
        exchange.fetch_time()
    started = time.monotonic()
    venue.stop()
    assert time.monotonic() - started < 2


def test_a_lost_answer_on_order_endpoints_only_the_order_placed_all_the_same(venue, spot):
    exchange = spot()
    exchange.load_markets()
    venue.inject(Fault("lost_answer", endpoint="AddOrder"))

    exchange.fetch_balance()  # another endpoint: untouched
    with pytest.raises(ccxt.RequestTimeout):
        exchange.create_order("BTC/USD", "market", "buy", 0.01, None, {"clientOrderId": "lost-1"})

    # The order went through: the client finds it by its client id, nothing to send again.
    (found,) = exchange.fetch_closed_orders(params={"clientOrderId": "lost-1"})
    assert (found["clientOrderId"], found["status"], found["filled"]) == ("lost-1", "closed", 0.01)
    assert exchange.fetch_open_orders(params={"clientOrderId": "lost-1"}) == []
    assert venue.faults.pending() == []
