"""The sandbox venue for the tests: one server per session, reset before every test."""

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import ccxt
import pytest

from exchanges.sandbox import SandboxVenue, futures_authent, spot_signature


def _ccxt_maker(venue: SandboxVenue, exchange_id: str, default_label: str) -> Callable[..., Any]:
    """ccxt's real class for `exchange_id`, pointed at the sandbox, for one of the demo keys.

    Built directly rather than through exchanges.clients: these tests are about the venue.
    """

    def make(label: str = default_label, **config: Any) -> Any:
        key = venue.key(label)
        options = {"apiKey": key.key, "secret": key.secret, "enableRateLimit": False}
        exchange = getattr(ccxt, exchange_id)({**options, "timeout": 5000, **config})
        exchange.urls["api"] = {**exchange.urls["api"], **venue.ccxt_urls(exchange_id)}
        return exchange

    return make


# What exchanges.clients gives every Binance client: markets of its own kind only, no margin
# pairs, no currency list (each a private call a key test does not need).
BINANCE_OPTIONS = {"fetchMargins": False, "fetchCurrencies": False}


@pytest.fixture
def binance(venue: SandboxVenue) -> Callable[..., ccxt.binance]:
    make = _ccxt_maker(venue, "binance", "binance-full")
    options = {**BINANCE_OPTIONS, "fetchMarkets": {"types": ["spot"]}}
    return lambda label="binance-full", **config: make(label, options=options, **config)


@pytest.fixture
def binanceusdm(venue: SandboxVenue) -> Callable[..., ccxt.binanceusdm]:
    make = _ccxt_maker(venue, "binanceusdm", "binance-full")
    options = {**BINANCE_OPTIONS, "fetchMarkets": {"types": ["linear"]}}
    return lambda label="binance-full", **config: make(label, options=options, **config)


@pytest.fixture
def spot(venue: SandboxVenue) -> Callable[..., ccxt.kraken]:
    return _ccxt_maker(venue, "kraken", "spot-full")


@pytest.fixture
def futures(venue: SandboxVenue) -> Callable[..., ccxt.krakenfutures]:
    return _ccxt_maker(venue, "krakenfutures", "futures-full")


class Raw:
    """Plain HTTP to the venue, signing by hand: to see the exact bytes a venue answers."""

    def __init__(self, venue: SandboxVenue) -> None:
        self.venue = venue
        self.nonce = 1_700_000_000_000

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
        timeout: float = 5.0,
    ) -> tuple[int, str]:
        request = urllib.request.Request(  # noqa: S310 - the venue's own http URL
            self.venue.url + path, data=body, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def spot_private(
        self,
        label: str,
        method: str,
        params: dict | None = None,
        *,
        nonce: int | None = None,
        secret: str | None = None,
        body_override: str | None = None,
        headers: dict | None = None,
    ) -> tuple[int, dict]:
        key = self.venue.key(label)
        if nonce is None:
            self.nonce += 1
            nonce = self.nonce
        body = urllib.parse.urlencode({"nonce": nonce, **(params or {})})
        path = f"/0/private/{method}"
        sign = spot_signature(secret or key.secret, path, str(nonce), body)
        sent = (body_override or body).encode()
        all_headers = {
            "API-Key": key.key,
            "API-Sign": sign,
            "Content-Type": "application/x-www-form-urlencoded",
            **(headers or {}),
        }
        status, text = self.request("POST", path, sent, all_headers)
        return status, json.loads(text)

    def futures_private(
        self,
        label: str,
        method: str,
        endpoint: str,
        params: dict | None = None,
        *,
        nonce: str = "",
        headers: dict | None = None,
    ) -> tuple[int, dict]:
        key = self.venue.key(label)
        query = urllib.parse.urlencode(params or {})
        path = "/derivatives/api/v3/" + endpoint
        authent = futures_authent(key.secret, query, nonce, path.removeprefix("/derivatives"))
        all_headers = {"APIKey": key.key, "Authent": authent, **(headers or {})}
        if nonce:
            all_headers["Nonce"] = nonce
        status, text = self.request(
            method, path + ("?" + query if query else ""), None, all_headers
        )
        return status, json.loads(text)


@pytest.fixture
def raw(venue: SandboxVenue) -> Raw:
    return Raw(venue)
