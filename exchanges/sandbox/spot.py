"""The Kraken Spot REST dialect: routing, authentication and the public (market data) endpoints.

Answers are ``{"error": [], "result": ...}``; a refused request is ``{"error": ["E..."]}`` with
HTTP 200, as Kraken answers every API-level error (its docs: status codes other than 200 mean the
request did not reach its servers). Private endpoints live in spot_private.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any

from exchanges.sandbox import spot_common, spot_private
from exchanges.sandbox.auth import (
    AuthRefused,
    Refusal,
    check_key_state,
    find_key,
    signatures_match,
    spot_signature,
)
from exchanges.sandbox.faults import Fault
from exchanges.sandbox.keys import ApiKey
from exchanges.sandbox.market import Candle, PairSpec
from exchanges.sandbox.spot_common import ASSETS, SpotError
from exchanges.sandbox.state import VenueState, fmt
from exchanges.sandbox.wire import Request, Response, json_response

# Not a string Kraken documents for expired keys (its docs name none); it follows Kraken's
# documented "E<category>:<type>[:<extra info>]" form so a client can tell it from a missing
# permission. ccxt maps only the exact "EGeneral:Permission denied" to PermissionDenied, so
# ccxt raises a plain ExchangeError for this one.
EXPIRED_KEY_ERROR = "EGeneral:Permission denied:expired"

REFUSALS = {
    Refusal.UNKNOWN_KEY: "EAPI:Invalid key",
    Refusal.BAD_SIGNATURE: "EAPI:Invalid signature",
    Refusal.BAD_NONCE: "EAPI:Invalid nonce",
    Refusal.DUPLICATE_NONCE: "EAPI:Invalid nonce",
    Refusal.EXPIRED: EXPIRED_KEY_ERROR,
    Refusal.IP_NOT_ALLOWED: "EGeneral:Permission denied",
    Refusal.PERMISSION: "EGeneral:Permission denied",
    Refusal.RATE_LIMIT: "EAPI:Rate limit exceeded",
}
INTERVALS = (1, 5, 15, 30, 60, 240, 1440, 10080, 21600)
FEES_TAKER = [[0, 0.26], [50000, 0.24], [100000, 0.22], [250000, 0.2], [500000, 0.18]]
FEES_MAKER = [[0, 0.16], [50000, 0.14], [100000, 0.12], [250000, 0.1], [500000, 0.08]]

Handler = Callable[[VenueState, dict[str, str], float], Any]


class SpotDialect:
    name = "spot"

    def __init__(self, state: VenueState) -> None:
        self.state = state

    @staticmethod
    def handles(path: str) -> bool:
        return path.startswith("/0/")

    @staticmethod
    def api_key(request: Request) -> str | None:
        return request.header("API-Key")

    def handle(self, request: Request) -> Response:
        _, _version, kind, method = ([*request.path.split("/", 3), "", ""])[:4]
        now = self.state.clock()
        try:
            if kind == "public" and method in PUBLIC:
                result = PUBLIC[method](self.state, request.params(), now)
            elif kind == "private" and method in spot_private.PRIVATE:
                result = self._private(request, method, now)
            else:
                return json_response({"error": ["EGeneral:Unknown method"]})
        except AuthRefused as refused:
            return json_response({"error": [REFUSALS[refused.refusal]]})
        except SpotError as error:
            return json_response({"error": [error.code]})
        except json.JSONDecodeError:
            return json_response({"error": ["EGeneral:Invalid arguments"]})
        return json_response({"error": [], "result": result})

    def _private(self, request: Request, method: str, now: float) -> Any:
        if request.method != "POST":
            raise SpotError("EGeneral:Invalid arguments")
        api_key = self.authenticate(request, now)
        required = spot_private.PERMISSIONS.get(method, frozenset())
        if required and not required & api_key.permissions:
            raise AuthRefused(Refusal.PERMISSION)
        context = spot_common.Context(self.state, api_key, request.params(), now)
        return spot_private.PRIVATE[method](context)

    def authenticate(self, request: Request, now: float) -> ApiKey:
        """Key, signature, nonce, expiry, IP and rate limit, in that order."""
        api_key = find_key(self.state.keys, self.api_key(request), "spot")
        nonce = request.params().get("nonce", "")
        expected = spot_signature(api_key.secret, request.path, nonce, request.body)
        if not signatures_match(expected, request.header("API-Sign")):
            raise AuthRefused(Refusal.BAD_SIGNATURE)
        self.state.nonces.accept(api_key, nonce)
        check_key_state(api_key, request.client_ip, now)
        if self.state.counter is not None:
            method = request.path.rsplit("/", 1)[-1]
            if method not in ("AddOrder", "CancelOrder"):  # the trading engine has its own limiter
                cost = 2 if method in ("Ledgers", "TradesHistory", "QueryLedgers") else 1
                self.state.counter.charge(api_key.key, cost, now)
        self.state.last_used[api_key.key] = now
        return api_key

    @staticmethod
    def fault_response(fault: Fault) -> Response:
        if fault.kind == "rate_limit":
            return json_response({"error": ["EAPI:Rate limit exceeded"]}, fault.status or 200)
        return json_response({"error": ["EService:Unavailable"]}, fault.status or 503)


# --- public endpoints ------------------------------------------------------------------------


def _pairs(state: VenueState, params: dict[str, str], default_all: bool = True) -> list[PairSpec]:
    names = [n for n in params.get("pair", "").split(",") if n]
    if not names:
        if default_all:
            return state.market.listed("kraken")
        raise SpotError("EGeneral:Invalid arguments")
    pairs = [state.market.pair(name.upper()) for name in names]
    if any(pair is None for pair in pairs):
        raise SpotError("EQuery:Unknown asset pair")
    return [pair for pair in pairs if pair is not None]


def time_(state: VenueState, params: dict[str, str], now: float) -> dict:
    return {"unixtime": int(now), "rfc1123": formatdate(now, usegmt=True)}


def system_status(state: VenueState, params: dict[str, str], now: float) -> dict:
    return {"status": "online", "timestamp": datetime.fromtimestamp(int(now), UTC).isoformat()}


def assets(state: VenueState, params: dict[str, str], now: float) -> dict:
    wanted = {a for a in params.get("asset", "").split(",") if a}
    result = {}
    for asset_id, (altname, decimals, display) in ASSETS.items():
        if wanted and asset_id not in wanted and altname not in wanted:
            continue
        result[asset_id] = {
            "aclass": "currency",
            "altname": altname,
            "decimals": decimals,
            "display_decimals": display,
            "status": "enabled",
        }
    if wanted and not result:
        raise SpotError("EQuery:Unknown asset")
    return result


def asset_pairs(state: VenueState, params: dict[str, str], now: float) -> dict:
    return {pair.id: _pair_info(pair) for pair in _pairs(state, params)}


def _pair_info(pair: PairSpec) -> dict:
    return {
        "altname": pair.altname,
        "wsname": pair.wsname,
        "aclass_base": "currency",
        "base": pair.base,
        "aclass_quote": "currency",
        "quote": pair.quote,
        "lot": "unit",
        "cost_decimals": pair.cost_decimals,
        "pair_decimals": pair.pair_decimals,
        "lot_decimals": pair.lot_decimals,
        "lot_multiplier": 1,
        "leverage_buy": [],
        "leverage_sell": [],
        "fees": FEES_TAKER,
        "fees_maker": FEES_MAKER,
        "fee_volume_currency": "ZUSD",
        "margin_call": 80,
        "margin_stop": 40,
        "ordermin": pair.ordermin,
        "costmin": pair.costmin,
        "tick_size": str(pair.tick),
        "status": "online",
    }


def ticker(state: VenueState, params: dict[str, str], now: float) -> dict:
    return {pair.id: _ticker(state, pair, now) for pair in _pairs(state, params)}


def _ticker(state: VenueState, pair: PairSpec, now: float) -> dict:
    market, places = state.market, pair.pair_decimals
    last = market.last_trade(pair.id, now)
    asks, bids = market.book(pair.id, now, 1)
    today = market.summary(pair.id, now // 86400 * 86400, now)
    day = market.summary(pair.id, now - 86400, now)
    vol = pair.lot_decimals
    return {
        "a": [fmt(asks[0][0], places), "1", fmt(asks[0][1], 3)],
        "b": [fmt(bids[0][0], places), "1", fmt(bids[0][1], 3)],
        "c": [fmt(last.price, places), fmt(last.volume, vol)],
        "v": [fmt(today.volume, vol), fmt(day.volume, vol)],
        "p": [fmt(today.vwap, places + 1), fmt(day.vwap, places + 1)],
        "t": [today.trade_count, day.trade_count],
        "l": [fmt(today.low, places), fmt(day.low, places)],
        "h": [fmt(today.high, places), fmt(day.high, places)],
        "o": fmt(today.open, places),
    }


OHLC_DEPTH = 720


def ohlc(state: VenueState, params: dict[str, str], now: float) -> dict:
    (pair,) = _pairs(state, params, default_all=False)[:1]
    interval = _int(params.get("interval"), 1)
    if interval not in INTERVALS:
        raise SpotError("EGeneral:Invalid arguments")
    since = _int(params.get("since"), None)
    # Like Kraken: only the latest 720 candles exist here, whatever `since` asks for; older
    # history has to be rebuilt from the Trades endpoint.
    oldest = (int(now // 60) // interval - (OHLC_DEPTH - 1)) * interval * 60
    if since is not None:
        since = max(since, oldest - interval * 60)
    candles = state.market.candles(pair.id, interval, now, since, OHLC_DEPTH)
    current = int(now // 60) // interval * interval * 60
    return {
        pair.id: [_candle_row(c, pair) for c in candles],
        "last": current - interval * 60,
    }


def _candle_row(candle: Candle, pair: PairSpec) -> list:
    places = pair.pair_decimals
    return [
        candle.time,
        fmt(candle.open, places),
        fmt(candle.high, places),
        fmt(candle.low, places),
        fmt(candle.close, places),
        fmt(candle.vwap, places + 1),
        fmt(candle.volume, pair.lot_decimals),
        candle.trade_count,
    ]


def depth(state: VenueState, params: dict[str, str], now: float) -> dict:
    (pair,) = _pairs(state, params, default_all=False)[:1]
    count = max(1, min(_int(params.get("count"), 100), 500))
    asks, bids = state.market.book(pair.id, now, count)
    rows = lambda side: [[fmt(p, pair.pair_decimals), fmt(v, 3), t] for p, v, t in side]  # noqa: E731
    return {pair.id: {"asks": rows(asks), "bids": rows(bids)}}


def trades(state: VenueState, params: dict[str, str], now: float) -> dict:
    (pair,) = _pairs(state, params, default_all=False)[:1]
    count = max(1, min(_int(params.get("count"), 1000), 1000))
    since = _int(params.get("since"), None)
    if since is None:
        found = state.market.recent_trades(pair.id, now, count)
    else:
        # Kraken's `since` is a trade id in nanoseconds or a time in seconds.
        after = since / 1e9 if since > 10**12 else float(since)
        found = state.market.trades_between(pair.id, after, min(now, after + 6 * 3600))[:count]
    rows = [
        [
            fmt(t.price, pair.pair_decimals),
            fmt(t.volume, pair.lot_decimals),
            t.time,
            t.side,
            t.ordertype,
            "",
            t.id,
        ]
        for t in found
    ]
    last = int((found[-1].time if found else now) * 1e9)
    return {pair.id: rows, "last": str(last)}


def _int(raw: str | None, default: Any) -> Any:
    if not raw:
        return default
    try:
        return int(float(raw))
    except ValueError:
        raise SpotError("EGeneral:Invalid arguments") from None


PUBLIC: dict[str, Handler] = {
    "Time": time_,
    "SystemStatus": system_status,
    "Assets": assets,
    "AssetPairs": asset_pairs,
    "Ticker": ticker,
    "OHLC": ohlc,
    "Depth": depth,
    "Trades": trades,
}
