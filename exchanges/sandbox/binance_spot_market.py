"""Binance Spot's public market data: GET /api/v3/depth, /trades, /aggTrades, /avgPrice,
/ticker/24hr, /ticker/price and /ticker/bookTicker, built from the synthetic market
(market.Market: its book, its trades and their 24-hour summary).

Written from Binance's Spot API documentation ("Market Data endpoints"): parameters, weights
and answers as documented. Sandbox choices: the book's lastUpdateId is the time it describes
(ms: the synthetic book changes each second); each aggregate trade is one trade (the synthetic
market never prints two fills of one taker order at one price); trade ids are the market's own
(minute * 100 + index: increasing, not consecutive); avgPrice is the volume-weighted price of
the last 5 minutes' trades.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchanges.sandbox.binance_common import BinanceError
from exchanges.sandbox.binance_routes import Call, Route, integer_param
from exchanges.sandbox.binance_spot_book import ms
from exchanges.sandbox.binance_spot_common import limit, money, symbol, symbols
from exchanges.sandbox.market import PairSpec, Trade

DEPTH_WEIGHTS = ((100, 5), (500, 25), (1000, 50), (5000, 250))
AVERAGE_MINUTES = 5
AGG_TRADES_SPAN_MS = 3_600_000  # aggTrades: startTime and endTime at most an hour apart


def depth_weight(params: dict[str, str]) -> int:
    raw = params.get("limit", "")
    wanted = min(int(raw), 5000) if raw.isdigit() else 100
    return next(weight for most, weight in DEPTH_WEIGHTS if wanted <= most)


def symbols_weight(single: int, many: int) -> Any:
    """The weight of an endpoint that takes `symbol`, `symbols` or neither."""
    return lambda params: single if params.get("symbol") else many


def ticker_24hr_weight(params: dict[str, str]) -> int:
    if params.get("symbol"):
        return 2
    count = params.get("symbols", "").count(",") + 1 if params.get("symbols") else 101
    return 2 if count <= 20 else 40 if count <= 100 else 80


def depth(call: Call) -> dict[str, Any]:
    pair = symbol(call)
    levels = integer_param(call, "limit", 100)
    if levels is None or levels < 1:
        raise BinanceError(-1100, "Illegal characters found in parameter 'limit'.")
    asks, bids = call.state.market.book(pair.id, call.now, min(levels, 5000))
    return {
        "lastUpdateId": call.now_ms,
        "bids": [[money(price), money(volume)] for price, volume, _ in bids],
        "asks": [[money(price), money(volume)] for price, volume, _ in asks],
    }


def trade_row(trade: Trade) -> dict[str, Any]:
    return {
        "id": trade.id,
        "price": money(trade.price),
        "qty": money(trade.volume),
        "quoteQty": money(trade.price * trade.volume),
        "time": ms(trade.time),
        "isBuyerMaker": trade.side == "s",  # the taker sold: the buyer's order was resting
        "isBestMatch": True,
    }


def trades(call: Call) -> list[dict[str, Any]]:
    pair = symbol(call)
    return [trade_row(t) for t in call.state.market.recent_trades(pair.id, call.now, limit(call))]


def agg_trades(call: Call) -> list[dict[str, Any]]:
    """GET /api/v3/aggTrades: from fromId, or from startTime to endTime (both inclusive, at
    most an hour apart), else the most recent."""
    pair = symbol(call)
    count = limit(call)
    from_id = integer_param(call, "fromId")
    start, end = integer_param(call, "startTime"), integer_param(call, "endTime")
    market = call.state.market
    if start is not None and end is not None and not 0 <= end - start <= AGG_TRADES_SPAN_MS:
        raise BinanceError(-1127, "More than 1 hours between startTime and endTime.")
    rows: list[Trade] = []
    if from_id is not None:  # trade ids are minute * 100 + index: start at fromId's minute
        minute = from_id // 100
        while len(rows) < count and minute * 60 <= call.now:
            rows += [
                t
                for t in market.minute_trades(pair.id, minute)
                if t.id >= from_id and t.time <= call.now
            ]
            minute += 1
        rows = rows[:count]
    elif start is not None or end is not None:
        first = start / 1000 if start is not None else (end or 0) / 1000 - 3600
        last = min(call.now, end / 1000 if end is not None else first + 3600)
        between = market.trades_between(pair.id, first - 1e-4, last)
        rows = between[:count] if start is not None else between[-count:]
    else:
        rows = market.recent_trades(pair.id, call.now, count)
    return [
        {
            "a": t.id,
            "p": money(t.price),
            "q": money(t.volume),
            "f": t.id,
            "l": t.id,
            "T": ms(t.time),
            "m": t.side == "s",
            "M": True,
        }
        for t in rows
    ]


def average_price(call: Call, pair: PairSpec) -> tuple[Decimal, int]:
    """The volume-weighted price of the last AVERAGE_MINUTES minutes, and the last trade's
    time (ms)."""
    market = call.state.market
    recent = market.trades_between(pair.id, call.now - AVERAGE_MINUTES * 60, call.now)
    last = market.last_trade(pair.id, call.now)
    volume = sum((t.volume for t in recent), Decimal(0))
    if not volume:
        return last.price, ms(last.time)
    return sum((t.price * t.volume for t in recent), Decimal(0)) / volume, ms(last.time)


def avg_price(call: Call) -> dict[str, Any]:
    price, close_time = average_price(call, symbol(call))
    return {"mins": AVERAGE_MINUTES, "price": money(price), "closeTime": close_time}


def chosen_pairs(call: Call) -> tuple[list[PairSpec], bool]:
    """The pairs asked for, and whether the answer is one object (`symbol`) or a list."""
    if call.params.get("symbol"):
        if call.params.get("symbols"):
            raise BinanceError(-1128, "Combination of optional parameters invalid.")
        return [symbol(call)], True
    return symbols(call) or call.state.market.listed("binance"), False


def one_or_all(call: Call, row: Any) -> Any:
    pairs, single = chosen_pairs(call)
    rows = [row(call, pair) for pair in pairs]
    return rows[0] if single else rows


def ticker_24hr(call: Call) -> Any:
    kind = call.params.get("type", "FULL")
    if kind not in ("FULL", "MINI"):
        raise BinanceError(-1139, "Invalid ticker type.")
    return one_or_all(call, lambda c, p: ticker_row(c, p, full=kind == "FULL"))


def ticker_row(call: Call, pair: PairSpec, *, full: bool) -> dict[str, Any]:
    market = call.state.market
    since = call.now - 86400
    day = market.summary(pair.id, since, call.now)
    first = market.trades_between(pair.id, since, since + 3600)
    last = market.last_trade(pair.id, call.now)
    row: dict[str, Any] = {
        "symbol": pair.id,
        "openPrice": money(day.open),
        "highPrice": money(day.high),
        "lowPrice": money(day.low),
        "lastPrice": money(last.price),
        "volume": money(day.volume),
        "quoteVolume": money(day.vwap * day.volume),
        "openTime": ms(since),
        "closeTime": call.now_ms,
        "firstId": first[0].id if first else last.id,
        "lastId": last.id,
        "count": day.trade_count,
    }
    if not full:
        return row
    asks, bids = market.book(pair.id, call.now, 1)
    change = last.price - day.open
    return {
        **row,
        "priceChange": money(change),
        "priceChangePercent": f"{change / day.open * 100:.3f}",
        "weightedAvgPrice": money(day.vwap),
        "prevClosePrice": money(market.price(pair.id, since)),
        "lastQty": money(last.volume),
        "bidPrice": money(bids[0][0]),
        "bidQty": money(bids[0][1]),
        "askPrice": money(asks[0][0]),
        "askQty": money(asks[0][1]),
    }


def ticker_price(call: Call) -> Any:
    return one_or_all(
        call, lambda c, p: {"symbol": p.id, "price": money(c.state.market.price(p.id, c.now))}
    )


def book_ticker(call: Call) -> Any:
    def row(c: Call, pair: PairSpec) -> dict[str, Any]:
        asks, bids = c.state.market.book(pair.id, c.now, 1)
        return {
            "symbol": pair.id,
            "bidPrice": money(bids[0][0]),
            "bidQty": money(bids[0][1]),
            "askPrice": money(asks[0][0]),
            "askQty": money(asks[0][1]),
        }

    return one_or_all(call, row)


MARKET_ROUTES = {
    ("GET", "/api/v3/depth"): Route(depth, weight=depth_weight),
    ("GET", "/api/v3/trades"): Route(trades, 25),
    ("GET", "/api/v3/aggTrades"): Route(agg_trades, 4),
    ("GET", "/api/v3/avgPrice"): Route(avg_price, 2),
    ("GET", "/api/v3/ticker/24hr"): Route(ticker_24hr, weight=ticker_24hr_weight),
    ("GET", "/api/v3/ticker/price"): Route(ticker_price, weight=symbols_weight(2, 4)),
    ("GET", "/api/v3/ticker/bookTicker"): Route(book_ticker, weight=symbols_weight(2, 4)),
}
