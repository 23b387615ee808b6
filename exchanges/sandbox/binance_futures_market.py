"""Binance USDⓈ-M public market data: /fapi/v1/ping, time, exchangeInfo, klines, depth,
ticker/24hr, ticker/price (and /fapi/v2/ticker/price), premiumIndex, fundingRate and
fundingInfo, answered as Binance's USDⓈ-M documentation shows them.

Sandbox choices: exchangeInfo lists the order types the sandbox executes (LIMIT, MARKET,
STOP_MARKET, TAKE_PROFIT_MARKET) and the times in force it honours (GTC, IOC, FOK, GTX), so
that a client refuses the others before sending them. Klines reuse the Spot dialect's candles
(binance_spot.candle_range, kline_row: the same synthetic trades), limit 500 by default and
1500 at most as USDⓈ-M documents, with Spot's intervals (no 1M). Book levels sit on the
contract's tick around the last trade price. The mark price (and index price) is the last
trade price. premiumIndex's lastFundingRate is the rate the next settlement (nextFundingTime)
will charge, the figure ccxt reads as the current funding rate; fundingRate lists settled
rates, each with the mark price it was charged at: both from funding_book.funding_rate, the
function the funding book charges with. Without startTime and endTime fundingRate answers the
most recent 200 settlements (or `limit`); with startTime, `limit` (100, at most 1000) from it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR
from typing import Any

from exchanges.sandbox.binance_common import BinanceError, mandatory
from exchanges.sandbox.binance_futures_common import (
    CONTRACTS,
    LISTED_MS,
    Contract,
    limit_param,
    money,
    ms,
    optional_contract,
    price_text,
    quantity_text,
    text,
    the_contract,
)
from exchanges.sandbox.binance_routes import Call, integer_param
from exchanges.sandbox.binance_spot import INTERVALS, candle_range, kline_row
from exchanges.sandbox.funding_book import BINANCE_USDM_FUNDING, funding_rate

FUNDING_PERIOD = BINANCE_USDM_FUNDING.period
DEPTH_WEIGHTS = {5: 2, 10: 2, 20: 2, 50: 2, 100: 5, 500: 10, 1000: 20}
ORDER_TYPES = ["LIMIT", "MARKET", "STOP_MARKET", "TAKE_PROFIT_MARKET"]
TIME_IN_FORCE = ["GTC", "IOC", "FOK", "GTX"]
SUB_TYPES = {"BTCUSDT": ["PoW"], "ETHUSDT": ["Layer-1"]}


def ping(call: Call) -> dict[str, Any]:
    return {}


def server_time(call: Call) -> dict[str, int]:
    return {"serverTime": call.now_ms}


def exchange_info(call: Call) -> dict[str, Any]:
    return {
        "timezone": "UTC",
        "serverTime": call.now_ms,
        "futuresType": "U_MARGINED",
        "rateLimits": [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": call.state.weights["binanceusdm"].limit,
            },
            {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
        ],
        "exchangeFilters": [],
        "assets": [{"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"}],
        "symbols": [_symbol_info(c) for c in CONTRACTS.values()],
    }


def _symbol_info(contract: Contract) -> dict[str, Any]:
    return {
        "symbol": contract.symbol,
        "pair": contract.symbol,
        "contractType": "PERPETUAL",
        "deliveryDate": 4_133_404_800_000,
        "onboardDate": LISTED_MS,
        "status": "TRADING",
        "maintMarginPercent": "2.5000",
        "requiredMarginPercent": "5.0000",
        "baseAsset": contract.base,
        "quoteAsset": "USDT",
        "marginAsset": "USDT",
        "pricePrecision": contract.price_places,
        "quantityPrecision": contract.quantity_places,
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "underlyingType": "COIN",
        "underlyingSubType": SUB_TYPES[contract.symbol],
        "settlePlan": 0,
        "triggerProtect": "0.0500",
        "liquidationFee": "0.012500",
        "marketTakeBound": "0.05",
        "maxMoveOrderLimit": 10000,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": str(contract.min_price),
                "maxPrice": str(contract.max_price),
                "tickSize": str(contract.tick),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": str(contract.min_qty),
                "maxQty": str(contract.max_qty),
                "stepSize": str(contract.step),
            },
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": str(contract.min_qty),
                "maxQty": str(contract.market_max_qty),
                "stepSize": str(contract.step),
            },
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "limit": 10},
            {"filterType": "MIN_NOTIONAL", "notional": str(contract.min_notional)},
            {
                "filterType": "PERCENT_PRICE",
                "multiplierUp": "1.0500",
                "multiplierDown": "0.9500",
                "multiplierDecimal": "4",
            },
        ],
        "orderTypes": ORDER_TYPES,
        "timeInForce": TIME_IN_FORCE,
    }


def limit_weight(params: dict[str, str]) -> int:
    """Klines' weight by `limit`: [1, 100) 1, [100, 500) 2, [500, 1000] 5, above 10."""
    raw = params.get("limit") or ""
    limit = int(raw) if raw.isdigit() else 500
    return 1 if limit < 100 else 2 if limit < 500 else 5 if limit <= 1000 else 10


def depth_weight(params: dict[str, str]) -> int:
    raw = params.get("limit") or ""
    return DEPTH_WEIGHTS.get(int(raw) if raw.isdigit() else 500, 2)


def klines(call: Call) -> list[list[Any]]:
    contract = the_contract(call)
    interval = call.params.get("interval")
    if not interval:
        raise mandatory("interval")
    minutes = INTERVALS.get(interval)
    if minutes is None:
        raise BinanceError(-1120, "Invalid interval.")
    limit = limit_param(call, 500, 1500)
    start, end = integer_param(call, "startTime"), integer_param(call, "endTime")
    pair = call.state.market.pairs[contract.symbol]
    return [
        kline_row(candle, pair, minutes)
        for candle in candle_range(call, pair, minutes, start, end, limit)
    ]


def depth(call: Call) -> dict[str, Any]:
    contract = the_contract(call)
    limit = integer_param(call, "limit", 500) or 500
    if limit not in DEPTH_WEIGHTS:
        raise BinanceError(-4021, f"'{limit}' is not valid depth limit.")
    asks, bids = call.state.market.book(contract.symbol, call.now, limit)

    def level(row: list[Any], rounding: str) -> list[str]:
        price = (row[0] / contract.tick).to_integral_value(rounding) * contract.tick
        return [price_text(contract, price), quantity_text(contract, max(row[1], contract.step))]

    return {
        "lastUpdateId": call.now_ms,
        "E": call.now_ms,
        "T": call.now_ms,
        "bids": [level(row, ROUND_FLOOR) for row in bids],
        "asks": [level(row, ROUND_CEILING) for row in asks],
    }


def _one_or_all(call: Call, row: Callable[[Call, Contract], dict[str, Any]]) -> Any:
    """A row for the symbol sent, else a list of every contract's."""
    wanted = optional_contract(call)
    if wanted is not None:
        return row(call, wanted)
    return [row(call, contract) for contract in CONTRACTS.values()]


def by_symbol(one: int, every: int) -> Callable[[dict[str, str]], int]:
    """A weight of `one` with a symbol, `every` without."""
    return lambda params: one if params.get("symbol") else every


def _ticker(call: Call, contract: Contract) -> dict[str, Any]:
    market, now = call.state.market, call.now
    day = market.summary(contract.symbol, now - 86400, now)
    last = market.last_trade(contract.symbol, now)
    # Every minute has a trade: the window's first is in the minute it opens in or the next.
    minute = int(now - 86400) // 60
    first = next(
        trade
        for m in (minute, minute + 1)
        for trade in market.minute_trades(contract.symbol, m)
        if trade.time > now - 86400
    )
    change = day.close - day.open
    return {
        "symbol": contract.symbol,
        "priceChange": price_text(contract, change),
        "priceChangePercent": text(change / day.open * 100, 3),
        "weightedAvgPrice": price_text(contract, day.vwap),
        "lastPrice": price_text(contract, day.close),
        "lastQty": quantity_text(contract, last.volume),
        "openPrice": price_text(contract, day.open),
        "highPrice": price_text(contract, day.high),
        "lowPrice": price_text(contract, day.low),
        "volume": quantity_text(contract, day.volume),
        "quoteVolume": text(day.vwap * day.volume, 2),
        "openTime": ms(now - 86400),
        "closeTime": call.now_ms,
        "firstId": first.id,
        "lastId": last.id,
        "count": day.trade_count,
    }


def ticker_24hr(call: Call) -> Any:
    return _one_or_all(call, _ticker)


def _price(call: Call, contract: Contract) -> dict[str, Any]:
    price = call.state.market.price(contract.symbol, call.now)
    return {"symbol": contract.symbol, "price": price_text(contract, price), "time": call.now_ms}


def ticker_price(call: Call) -> Any:
    return _one_or_all(call, _price)


def _next_settlement(now: float) -> int:
    return (int(now) // FUNDING_PERIOD + 1) * FUNDING_PERIOD


def _premium(call: Call, contract: Contract) -> dict[str, Any]:
    mark = money(call.state.market.price(contract.symbol, call.now))
    upcoming = _next_settlement(call.now)
    return {
        "symbol": contract.symbol,
        "markPrice": mark,
        "indexPrice": mark,
        "estimatedSettlePrice": mark,
        "lastFundingRate": text(funding_rate(contract.symbol, upcoming, BINANCE_USDM_FUNDING), 8),
        "interestRate": "0.00010000",
        "nextFundingTime": upcoming * 1000,
        "time": call.now_ms,
    }


def premium_index(call: Call) -> Any:
    return _one_or_all(call, _premium)


def funding_history(call: Call) -> list[dict[str, Any]]:
    wanted = optional_contract(call)
    contracts = [wanted] if wanted else list(CONTRACTS.values())
    start, end = integer_param(call, "startTime"), integer_param(call, "endTime")
    period_ms = FUNDING_PERIOD * 1000
    first = -(-LISTED_MS // period_ms)  # the first settlement once listed
    last = call.now_ms // period_ms
    if end is not None:
        last = min(last, end // period_ms)
    if start is not None:
        first = max(first, -(-start // period_ms))
        slots = range(first, min(last, first + limit_param(call, 100, 1000) - 1) + 1)
    else:
        count = limit_param(call, 200, 1000)
        slots = range(max(first, last - count + 1), last + 1)
    rows: list[dict[str, Any]] = []
    for contract in contracts:
        for slot in slots:
            moment = slot * FUNDING_PERIOD
            rate = funding_rate(contract.symbol, moment, BINANCE_USDM_FUNDING)
            mark = call.state.market.price(contract.symbol, moment)
            rows.append(
                {
                    "symbol": contract.symbol,
                    "fundingRate": text(rate, 8),
                    "fundingTime": moment * 1000,
                    "markPrice": money(mark),
                }
            )
    rows.sort(key=lambda row: row["fundingTime"])
    return rows


def funding_info(call: Call) -> list[dict[str, Any]]:
    return [
        {
            "symbol": contract.symbol,
            "adjustedFundingRateCap": "0.02000000",
            "adjustedFundingRateFloor": "-0.02000000",
            "fundingIntervalHours": FUNDING_PERIOD // 3600,
            "disclaimer": False,
        }
        for contract in CONTRACTS.values()
    ]
