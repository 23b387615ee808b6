"""The Binance Spot REST dialect: ``/api/v3/...`` and the ``/sapi/v1/...`` calls a key test
makes. The general endpoints (ping, time, exchangeInfo) and klines are here, with the route
table; market data is in binance_spot_market.py, the account and Wallet endpoints in
binance_spot_private.py, placing orders in binance_spot_orders.py, querying and cancelling
them in binance_spot_queries.py, OCO lists in binance_spot_lists.py (what they share:
binance_spot_common.py for parameters, binance_spot_book.py for the orders' records and
answers). See binance_common.py for the wire rules both Binance dialects share.
"""

from __future__ import annotations

from typing import Any

from exchanges.sandbox.binance_common import BinanceError, mandatory
from exchanges.sandbox.binance_routes import BinanceDialect, Call, Route, integer_param
from exchanges.sandbox.binance_spot_common import filters, symbol
from exchanges.sandbox.binance_spot_lists import LIST_ROUTES
from exchanges.sandbox.binance_spot_market import MARKET_ROUTES
from exchanges.sandbox.binance_spot_orders import LEDGER_TYPES, ORDER_ROUTES
from exchanges.sandbox.binance_spot_private import PRIVATE_ROUTES
from exchanges.sandbox.binance_spot_queries import QUERY_ROUTES
from exchanges.sandbox.market import Candle, Market, PairSpec
from exchanges.sandbox.state import fmt

# When the sandbox's Binance markets opened: klines start here (BTCUSDT's real listing day).
LISTED_MS = 1_502_928_000_000  # 2017-08-17T00:00:00Z
KLINES_DEFAULT, KLINES_MAX = 500, 1000
INTERVALS = {
    "1m": 1,
    "3m": 3,
    "5m": 5,
    "15m": 15,
    "30m": 30,
    "1h": 60,
    "2h": 120,
    "4h": 240,
    "6h": 360,
    "8h": 480,
    "12h": 720,
    "1d": 1440,
    "3d": 4320,
    "1w": 10080,
}


# --- public endpoints ----------------------------------------------------------------------------


def ping(call: Call) -> dict:
    return {}


def server_time(call: Call) -> dict:
    return {"serverTime": call.now_ms}


def exchange_info(call: Call) -> dict:
    wanted = call.params.get("symbol")
    pairs = [symbol(call)] if wanted else call.state.market.listed("binance")
    return {
        "timezone": "UTC",
        "serverTime": call.now_ms,
        "rateLimits": [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": call.state.weights["binance"].limit,
            },
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
            {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
            {
                "rateLimitType": "RAW_REQUESTS",
                "interval": "MINUTE",
                "intervalNum": 5,
                "limit": 61000,
            },
        ],
        "exchangeFilters": [],
        "symbols": [_symbol_info(pair) for pair in pairs],
    }


def _symbol_info(pair: PairSpec) -> dict[str, Any]:
    rules = filters(pair)
    return {
        "symbol": pair.id,
        "status": "TRADING",
        "baseAsset": pair.base,
        "baseAssetPrecision": 8,
        "quoteAsset": pair.quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": list(LEDGER_TYPES),
        "icebergAllowed": False,
        "ocoAllowed": True,
        "otoAllowed": False,
        "opoAllowed": False,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": False,
        "cancelReplaceAllowed": False,
        "amendAllowed": False,
        "pegInstructionsAllowed": False,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": str(rules.tick_size),
                "maxPrice": "1000000.00",
                "tickSize": str(rules.tick_size),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": str(rules.min_qty),
                "maxQty": "9000.00000000",
                "stepSize": str(rules.step_size),
            },
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": "0",
                "maxQty": "100.00000000",
                "stepSize": "0",
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": str(rules.min_notional),
                "applyMinToMarket": True,
                "maxNotional": "9000000.00000000",
                "applyMaxToMarket": False,
                "avgPriceMins": 0,  # 0: the last price (see binance_spot_orders)
            },
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    }


def klines(call: Call) -> list[list[Any]]:
    return kline_rows(call, symbol(call))


def kline_rows(call: Call, pair: PairSpec) -> list[list[Any]]:
    """GET klines, as both dialects answer it: up to `limit` (500; at most 1000) candles from
    `startTime` (the first whose open time is at or after it), else the last ones up to
    `endTime` or now; never before the listing, never past the current (still open) one."""
    interval = call.params.get("interval")
    if not interval:
        raise mandatory("interval")
    minutes = INTERVALS.get(interval)
    if minutes is None:
        raise BinanceError(-1120, "Invalid interval.")
    limit = integer_param(call, "limit", KLINES_DEFAULT) or KLINES_DEFAULT
    if not 1 <= limit <= KLINES_MAX:
        raise BinanceError(-1100, "Illegal characters found in parameter 'limit'.")
    start, end = integer_param(call, "startTime"), integer_param(call, "endTime")
    return [
        kline_row(c, pair, minutes) for c in candle_range(call, pair, minutes, start, end, limit)
    ]


def candle_range(
    call: Call, pair: PairSpec, minutes: int, start: int | None, end: int | None, limit: int
) -> list[Candle]:
    market: Market = call.state.market
    step = minutes * 60_000
    listed = -(-LISTED_MS // step) * step  # the first whole bucket once listed
    current = call.now_ms // step * step
    last = current if end is None else min(current, end // step * step)
    if start is not None:
        first = max(listed, -(-start // step) * step)
        last = min(last, first + (limit - 1) * step)
    else:
        first = max(listed, last - (limit - 1) * step)
    return [
        market.candle(pair.id, minutes, opened // 60_000, call.now)
        for opened in range(first, last + 1, step)
    ]


def kline_row(candle: Candle, pair: PairSpec, minutes: int) -> list[Any]:
    places, lots = pair.pair_decimals, pair.lot_decimals
    quote_volume = candle.vwap * candle.volume
    return [
        candle.time * 1000,
        fmt(candle.open, places),
        fmt(candle.high, places),
        fmt(candle.low, places),
        fmt(candle.close, places),
        fmt(candle.volume, lots),
        candle.time * 1000 + minutes * 60_000 - 1,
        fmt(quote_volume, 8),
        candle.trade_count,
        fmt(candle.volume / 2, lots),
        fmt(quote_volume / 2, 8),
        "0",
    ]


PUBLIC_ROUTES = {
    ("GET", "/api/v3/ping"): Route(ping),
    ("GET", "/api/v3/time"): Route(server_time),
    ("GET", "/api/v3/exchangeInfo"): Route(exchange_info, weight=20),
    ("GET", "/api/v3/klines"): Route(klines, weight=2),
}


class BinanceSpotDialect(BinanceDialect):
    name = "binance"
    prefixes = ("/api/v3/", "/sapi/")
    routes = {
        **PUBLIC_ROUTES,
        **MARKET_ROUTES,
        **PRIVATE_ROUTES,
        **ORDER_ROUTES,
        **QUERY_ROUTES,
        **LIST_ROUTES,
    }
