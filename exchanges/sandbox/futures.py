"""The Kraken Futures REST dialect: /derivatives/api/v3, /api/history/v2, /api/charts/v1 and
the API-key check at /api/auth/v1/api-keys/v3/check.

Answers are ``{"result": "success", ..., "serverTime": ...}``; refusals are
``{"result": "error", "error": "<code>", "serverTime": ...}``. Order outcomes that are not errors
of the request (insufficient funds, a post-only order that would execute, an unknown order to
cancel) are statuses inside ``sendStatus`` / ``cancelStatus``, as Kraken Futures reports them.
Futures prices follow the Spot pair of the same underlying (PF_XBTUSD trades on XBT/USD's path).
Orders: market, limit (lmt, post, ioc), and stop or take-profit market orders (stp,
take_profit with a stopPrice, triggered by the last price; stop-limit orders are refused).
/orders/status answers for open orders and for those that ended in the last 5 seconds, as
Kraken documents it: an order that ended earlier is found in the history, not there.
Funding: /derivatives/api/v4/historicalfundingrates, every hourly rate since listing.
History: order events (/api/history/v2/orders), trigger events (v2/triggers: stops cancelled
before they triggered are only there) and the account log (v3/account-log: each fill's USD
balance, fee and realised profit), which is where Kraken Futures reports fees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from exchanges.sandbox import (
    accounts,
    futures_account,
    futures_funding,
    futures_history,
    futures_orders,
)
from exchanges.sandbox.auth import (
    AuthRefused,
    Refusal,
    check_key_state,
    find_key,
    futures_authent,
    signatures_match,
)
from exchanges.sandbox.faults import Fault
from exchanges.sandbox.futures_common import (
    INSTRUMENTS,
    Call,
    FuturesError,
    Instrument,
    number,
    server_time,
)
from exchanges.sandbox.keys import ApiKey
from exchanges.sandbox.state import KEYS_CREATED, VenueState
from exchanges.sandbox.wire import Request, Response, json_response

CHART_INTERVALS = {
    "1m": 1,
    "5m": 5,
    "15m": 15,
    "30m": 30,
    "1h": 60,
    "4h": 240,
    "12h": 720,
    "1d": 1440,
    "1w": 10080,
}
REFUSALS = {
    Refusal.BAD_NONCE: "nonceBelowThreshold",
    Refusal.DUPLICATE_NONCE: "nonceDuplicate",
    Refusal.RATE_LIMIT: "apiLimitExceeded",
}  # every other refusal (key, signature, expiry, IP, permission) is "authenticationError"
READ = frozenset({"general-read-only", "general-full"})
TRADE = frozenset({"general-full"})
WITHDRAW = frozenset({"withdrawal"})
KEY_CHECK_PATH = "/api/auth/v1/api-keys/v3/check"
FUNDING_PATH = "/derivatives/api/v4/historicalfundingrates"  # v4, as Kraken documents it


Endpoint = tuple[str, frozenset[str] | None, Callable[[Call], Any]]  # method, permissions, handler
HISTORY = {
    "/api/history/v2/orders": futures_history.order_history,
    "/api/history/v2/triggers": futures_history.trigger_history,
    "/api/history/v3/account-log": futures_history.account_log,
}


class FuturesDialect:
    name = "futures"

    def __init__(self, state: VenueState) -> None:
        self.state = state

    @staticmethod
    def handles(path: str) -> bool:
        return path.startswith(("/derivatives/api/", "/api/history/", "/api/charts/", "/api/auth/"))

    @staticmethod
    def api_key(request: Request) -> str | None:
        return request.header("APIKey")

    def handle(self, request: Request) -> Response:
        now = self.state.clock()
        try:
            endpoint, args = self._route(request)
            method, permissions, handler = endpoint
            if request.method != method:
                raise FuturesError("Bad Request", 405)
            key = None if permissions is None else self.authenticate(request, now, permissions)
            body = handler(Call(self.state, key, request.params(), now, args))
        except AuthRefused as refused:
            code = REFUSALS.get(refused.refusal, "authenticationError")
            body = {"result": "error", "error": code, "serverTime": server_time(now)}
            return json_response(body, 401 if code == "authenticationError" else 200)
        except FuturesError as error:
            body = {"result": "error", "error": error.code, "serverTime": server_time(now)}
            return json_response(body, error.status)
        return json_response(body)

    def _route(self, request: Request) -> tuple[Endpoint, tuple[str, ...]]:
        path = request.path
        if path == KEY_CHECK_PATH:
            return ("GET", frozenset(), key_check), ()
        if path.startswith("/api/charts/v1/"):
            parts = tuple(path.removeprefix("/api/charts/v1/").split("/"))
            if len(parts) == 3:
                return ("GET", None, charts), parts
        if path in HISTORY:
            return ("GET", READ, HISTORY[path]), ()
        if path == FUNDING_PATH:
            return ("GET", None, futures_funding.historical_funding_rates), ()
        name = path.removeprefix("/derivatives/api/v3/")
        if name == "orders/status":
            # Ids come repeated (orderIds=a&orderIds=b), which Request.params() folds.
            sent = parse_qsl(request.query or request.body.decode("utf-8", "replace"))
            ids = tuple(value for field, value in sent if field in ("orderIds", "cliOrdIds"))
            # Kraken documents POST; ccxt sends GET: both are answered.
            method = request.method if request.method in ("GET", "POST") else "POST"
            return (method, READ, futures_orders.order_status), ids
        if name.startswith("tickers/"):
            return ("GET", None, ticker), (name.removeprefix("tickers/"),)
        if name in ENDPOINTS:
            return ENDPOINTS[name], ()
        raise FuturesError("notFound", 404)

    def authenticate(self, request: Request, now: float, permissions: frozenset[str]) -> ApiKey:
        """Key, Authent, Nonce (optional), expiry, IP, rate limit and permission, in that order."""
        api_key = find_key(self.state.keys, self.api_key(request), "futures")
        # Since Kraken's February 2024 change, postData is hashed exactly as sent (URL-encoded).
        post_data = request.query or request.body.decode("utf-8", "replace")
        nonce = request.header("Nonce") or ""
        endpoint_path = request.path.removeprefix("/derivatives")
        expected = futures_authent(api_key.secret, post_data, nonce, endpoint_path)
        if not signatures_match(expected, request.header("Authent")):
            raise AuthRefused(Refusal.BAD_SIGNATURE)
        if nonce:
            self.state.nonces.accept(api_key, nonce)
        check_key_state(api_key, request.client_ip, now)
        if self.state.counter is not None:
            self.state.counter.charge(api_key.key, 1, now)
        if permissions and not permissions & api_key.permissions:
            raise AuthRefused(Refusal.PERMISSION)
        self.state.last_used[api_key.key] = now
        return api_key

    def fault_response(self, fault: Fault) -> Response:
        code = "apiLimitExceeded" if fault.kind == "rate_limit" else "unavailable"
        status = fault.status or (200 if fault.kind == "rate_limit" else 503)
        body = {"result": "error", "error": code, "serverTime": server_time(self.state.clock())}
        return json_response(body, status)


# --- public endpoints ------------------------------------------------------------------------

FEE_SCHEDULE_UID = "7fc4d7c0-464f-4029-a9bb-55856d0c5247"


def fee_schedules(call: Call) -> dict:
    """/feeschedules: the linear perpetuals' schedule, in percent by 30-day USD volume; its
    first tier is what the ledger charges every key (FUTURES_TAKER, FUTURES_MAKER)."""
    first = {
        "makerFee": float(accounts.FEE_RATES["futures"][1] * 100),
        "takerFee": float(accounts.FEE_RATES["futures"][0] * 100),
        "usdVolume": 0.0,
    }
    tiers = [first, {"makerFee": 0.015, "takerFee": 0.04, "usdVolume": 1_000_000.0}]
    schedule = {"uid": FEE_SCHEDULE_UID, "name": "PF Linear Fees", "tiers": tiers}
    return {"result": "success", "feeSchedules": [schedule], "serverTime": server_time(call.now)}


def fee_volumes(call: Call) -> dict:
    """/feeschedules/volumes: the key's 30-day USD volume per schedule (none traded here)."""
    volumes = {FEE_SCHEDULE_UID: 0.0}
    return {
        "result": "success",
        "volumesByFeeSchedule": volumes,
        "serverTime": server_time(call.now),
    }


def instruments(call: Call) -> dict:
    rows = [
        {
            "symbol": i.symbol,
            "type": "flexible_futures",
            "underlying": "rr_" + i.symbol[3:].lower(),
            "tickSize": float(i.tick),
            "contractSize": 1,
            "tradeable": True,
            "impactMidSize": 1,
            "maxPositionSize": 1000000,
            "openingDate": "2022-01-01T00:00:00.000Z",
            "marginLevels": [
                {"numNonContractUnits": 0, "initialMargin": 0.1, "maintenanceMargin": 0.05}
            ],
            "contractValueTradePrecision": i.precision,
            "feeScheduleUid": FEE_SCHEDULE_UID,
            "postOnly": False,
            "category": "",
            "tags": [],
        }
        for i in INSTRUMENTS.values()
    ]
    return {"result": "success", "instruments": rows, "serverTime": server_time(call.now)}


def _ticker(call: Call, instrument: Instrument) -> dict:
    market, now = call.state.market, call.now
    last = market.last_trade(instrument.pair, now)
    asks, bids = market.book(instrument.pair, now, 1)
    day = market.summary(instrument.pair, now - 86400, now)
    return {
        "tag": "perpetual",
        "pair": instrument.symbol[3:6] + ":" + instrument.symbol[6:],
        "symbol": instrument.symbol,
        "markPrice": number(last.price),
        "bid": number(bids[0][0]),
        "bidSize": number(bids[0][1]),
        "ask": number(asks[0][0]),
        "askSize": number(asks[0][1]),
        "vol24h": number(day.volume),
        "volumeQuote": number(day.volume * day.vwap),
        "openInterest": 0.0,
        "open24h": number(day.open),
        "high24h": number(day.high),
        "low24h": number(day.low),
        "indexPrice": number(last.price),
        "last": number(last.price),
        "lastTime": server_time(last.time),
        "lastSize": number(last.volume),
        "suspended": False,
        "fundingRate": 0.0,
        "fundingRatePrediction": 0.0,
        "postOnly": False,
    }


def tickers(call: Call) -> dict:
    rows = [_ticker(call, i) for i in INSTRUMENTS.values()]
    return {"result": "success", "tickers": rows, "serverTime": server_time(call.now)}


def ticker(call: Call) -> dict:
    instrument = call.instrument(call.path_args[0])
    return {
        "result": "success",
        "ticker": _ticker(call, instrument),
        "serverTime": server_time(call.now),
    }


def orderbook(call: Call) -> dict:
    instrument = call.instrument()
    asks, bids = call.state.market.book(instrument.pair, call.now, 25)
    book = {
        "asks": [[number(p), number(v)] for p, v, _ in asks],
        "bids": [[number(p), number(v)] for p, v, _ in bids],
    }
    return {"result": "success", "orderBook": book, "serverTime": server_time(call.now)}


def charts(call: Call) -> dict:
    """Candles: trade, mark and spot (index) prices are one series in the sandbox. None before
    the instrument's listing (LISTED): Kraken answers such a range with no candle at all."""
    price_type, symbol, interval = call.path_args
    minutes = CHART_INTERVALS.get(interval)
    if price_type not in ("trade", "mark", "spot") or minutes is None:
        raise FuturesError("Bad Request", 400)
    instrument = call.instrument(symbol)
    to = min(float(call.params.get("to") or call.now), call.now)
    start = float(call.params.get("from") or to - 500 * minutes * 60)
    candles = call.state.market.candles(instrument.pair, minutes, to, start - 1, 2001)
    rows = [
        {
            "time": c.time * 1000,
            "open": str(c.open),
            "high": str(c.high),
            "low": str(c.low),
            "close": str(c.close),
            "volume": str(c.volume),
        }
        for c in candles[:2000]
        if start <= c.time <= to and c.time >= futures_funding.LISTED
    ]
    return {"candles": rows, "more_candles": len(candles) > 2000}


def key_check(call: Call) -> dict:
    """Kraken's "Check v3 API key" answer (docs.kraken.com, Futures Auth)."""
    key = call.api_key
    general = (
        "full"
        if "general-full" in key.permissions
        else ("read-only" if "general-read-only" in key.permissions else "none")
    )
    blocks = list(key.ip_allowlist)
    return {
        "apiKey": key.key,
        "accountUid": call.state.ledger.account_uid(key.key),
        "iiban": "AA00 SAND BOXX FUTR",
        "createdAt": server_time(KEYS_CREATED),
        "permissions": {
            "general": general,
            "withdrawal": "full" if "withdrawal" in key.permissions else "none",
        },
        "allowedCidrBlock": blocks[0] if blocks else None,
        "allowedCidrBlocks": blocks,
        "validUntil": key.expires_at.isoformat() if key.expires_at else None,
    }


ENDPOINTS: dict[str, Endpoint] = {
    "instruments": ("GET", None, instruments),
    "tickers": ("GET", None, tickers),
    "orderbook": ("GET", None, orderbook),
    "feeschedules": ("GET", None, fee_schedules),
    "feeschedules/volumes": ("GET", READ, fee_volumes),
    "accounts": ("GET", READ, futures_account.accounts),
    "openorders": ("GET", READ, futures_orders.open_orders),
    "openpositions": ("GET", READ, futures_account.open_positions),
    "fills": ("GET", READ, futures_orders.fills),
    "sendorder": ("POST", TRADE, futures_orders.send_order),
    "cancelorder": ("POST", TRADE, futures_orders.cancel_order),
    "cancelallorders": ("POST", TRADE, futures_orders.cancel_all_orders),
    "withdrawal": ("POST", WITHDRAW, futures_account.withdrawal),
}
