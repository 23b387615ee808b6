"""Filling the candle store from an exchange, through exchanges.clients (timeouts, base-URL
overrides, the markets cache, rate limits): its candles where it has them, and older bars
rebuilt from its public trade history where its candle endpoint stops (Kraken keeps only the
latest 720 candles of an interval). Where the candle endpoint holds the whole history
(FULL_HISTORY: Binance's klines and Kraken Futures' charts go back to the listing), trades
are never read: a range before the first candle is a time the market did not exist, held
as empty.

Only closed bars are stored. Each page is written as soon as it is read, with the range it
covers: an interrupted fill resumes where it stopped, and nothing is ever fetched twice.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ccxt
import numpy as np

from exchanges import clients, retry
from exchanges.models import Exchange
from strategies.candles.ranges import Range, missing
from strategies.candles.store import candles_read, candles_write, series_for
from strategies.engine.timeframes import aggregate
from strategies.models import CandleSeries, CandleSource
from strategies.series import Candles, timeframe_ms

Progress = Callable[[int, int], None]  # (ms done, ms to do)
# A page just stored: how it was made ("candles", "trades" or "aggregated"), and its range.
PageStored = Callable[[str, Range], None]
PAGE_LIMIT = 720
TRADES_PAGE = 1000
# Venues whose candle endpoint answers for any past range, and the candles a page holds there
# (Binance Spot's klines allow 1000 a request, at weight 2; USDⓈ-M's 1500, but 1000 costs
# weight 5 where 1500 costs 10; Kraken Futures' charts 2000 a window).
FULL_HISTORY = {"binance": 1000, "binanceusdm": 1000, "krakenfutures": 2000}
# Of those, the venues that answer a range before the listing with no candle at all (Binance
# answers it with the first candles after the listing): their empty pages are walked past,
# and held empty once a later candle proves that the listing came after them.
EMPTY_BEFORE_LISTING = {"krakenfutures"}
# Venues whose candle endpoint serves only the latest candles, and how many: older bars are
# rebuilt from trades (the estimates before a backtest count on it).
CANDLE_WINDOW = {"kraken": PAGE_LIMIT}


@dataclass
class FillReport:
    series: CandleSeries
    from_candles: list[Range] = field(default_factory=list)
    from_trades: list[Range] = field(default_factory=list)
    aggregated: list[Range] = field(default_factory=list)
    requests: int = 0
    progress: Progress | None = None
    on_page: PageStored | None = None
    on_request: Callable[[], None] | None = None
    to_do_ms: int = 0
    done_ms: int = 0

    def stored(self, where: list[Range], covered: Range) -> None:
        """A range now held: told to the progress callback after every page (a long backfill
        shows that it moves, and a cancel raised by the callback stops it there)."""
        where.append(covered)
        self.done_ms += covered[1] - covered[0]
        if self.on_page:
            made = "trades" if where is self.from_trades else "candles"
            self.on_page("aggregated" if where is self.aggregated else made, covered)
        if self.progress:
            self.progress(min(self.done_ms, self.to_do_ms), self.to_do_ms)


def candles_fill(
    *,
    exchange: Exchange,
    symbol: str,
    timeframe: str,
    start: int,
    end: int,
    progress: Progress | None = None,
    on_page: PageStored | None = None,
    on_request: Callable[[], None] | None = None,
) -> FillReport:
    """Make the closed bars of [start, end) held for the market, fetching only what is missing.
    `progress` hears (done, to do) and `on_page` each page after it is stored; either may
    raise to stop the fill there (what is stored stays). `on_request` is called before every
    request (a heartbeat)."""
    client = clients.build(exchange.ccxt_id)
    clients.ensure_markets(client)
    series = series_for(exchange=exchange, symbol=symbol, timeframe=timeframe)
    bar_ms = timeframe_ms(timeframe)
    start = start // bar_ms * bar_ms
    end = min(end, _now_ms(client) // bar_ms * bar_ms)  # the bar forming now is not closed
    todo = missing(series.coverage, start, end)
    report = FillReport(
        series,
        progress=progress,
        on_page=on_page,
        on_request=on_request,
        to_do_ms=sum(b - a for a, b in todo),
    )
    for gap_start, gap_end in todo:
        if _from_finer(series, gap_start, gap_end, report):
            continue
        held_from = _from_candles(client, series, gap_start, gap_end, report)
        if held_from > gap_start and client.id in FULL_HISTORY:
            _before_listing(series, (gap_start, held_from), report)
        elif held_from > gap_start:
            _from_trades(client, series, gap_start, held_from, report)
    if progress:
        progress(report.to_do_ms, report.to_do_ms)  # the gaps inside the ranges count as done
    return report


def finer_holding(series: CandleSeries, start: int, end: int) -> CandleSeries | None:
    """A finer series of the same market that holds all of [start, end) (the coarsest such),
    whose bars make this series' bars with no request at all (bars are aligned on the
    timeframe, so every bucket is whole)."""
    bar_ms = timeframe_ms(series.timeframe)
    finer = CandleSeries.objects.filter(
        exchange=series.exchange_id, owner=None, symbol=series.symbol
    ).exclude(pk=series.pk)
    for candidate in sorted(finer, key=lambda s: -timeframe_ms(s.timeframe)):
        step = timeframe_ms(candidate.timeframe)
        if step < bar_ms and not bar_ms % step and not missing(candidate.coverage, start, end):
            return candidate
    return None


def _from_finer(series: CandleSeries, start: int, end: int, report: FillReport) -> bool:
    """Aggregate [start, end) from a finer series that holds it, if there is one."""
    candidate = finer_holding(series, start, end)
    if candidate is not None:
        bars = aggregate(candles_read(candidate, start=start, end=end), series.timeframe)
        candles_write(
            series=series, candles=bars, covered=(start, end), source=CandleSource.AGGREGATED
        )
        report.stored(report.aggregated, (start, end))
        return True
    return False


def _now_ms(client: ccxt.Exchange) -> int:
    return int(client.milliseconds())


def _from_candles(
    client: ccxt.Exchange, series: CandleSeries, start: int, end: int, report: FillReport
) -> int:
    """Candles of [start, end) from the candle endpoint; returns where its history begins
    (end when it has nothing for the range)."""
    bar_ms = timeframe_ms(series.timeframe)
    cursor, first_held = start, end
    limit = FULL_HISTORY.get(client.id, PAGE_LIMIT)
    while cursor < end:
        rows = _call(
            client, report, client.fetch_ohlcv, series.symbol, series.timeframe, cursor, limit
        )
        if not rows and client.id in EMPTY_BEFORE_LISTING and first_held == end:
            cursor += limit * bar_ms  # before the listing, maybe: the next page tells
            continue
        if not rows and client.id in FULL_HISTORY:
            # Its candles reach any past range, and a range before the listing is answered
            # with the first candles after it: no candle at all is the exchange's trouble,
            # never a range to hold as empty.
            raise ccxt.BadResponse(f"{client.id} answered no {series.timeframe} candles")
        in_range = [row for row in rows if cursor <= row[0] < end]
        if not in_range:
            break
        first = int(in_range[0][0])
        first_held = min(first_held, first)
        page = Candles.from_rows(series.timeframe, in_range)
        reached = min(end, int(rows[-1][0]) + bar_ms)
        covered = (max(cursor, first), reached)
        candles_write(series=series, candles=page, covered=covered, source=CandleSource.EXCHANGE)
        report.stored(report.from_candles, covered)
        if reached <= cursor:
            break
        cursor = reached
    if first_held == end and client.id in EMPTY_BEFORE_LISTING:
        _listed_after(client, series, end, limit, report)
    return first_held


def _listed_after(
    client: ccxt.Exchange, series: CandleSeries, end: int, limit: int, report: FillReport
) -> None:
    """A range without a single candle is before the listing only if candles follow it; with
    none after it either, the exchange is in trouble, and nothing is held."""
    after = _call(client, report, client.fetch_ohlcv, series.symbol, series.timeframe, end, limit)
    if not after:
        raise ccxt.BadResponse(f"{client.id} answered no {series.timeframe} candles")


def _before_listing(series: CandleSeries, covered: Range, report: FillReport) -> None:
    """A range the full candle history does not reach: no market then, held with no bar so
    that no later fill asks for it again."""
    empty = Candles.from_rows(series.timeframe, [])
    candles_write(series=series, candles=empty, covered=covered, source=CandleSource.EXCHANGE)
    report.stored(report.from_candles, covered)


def _from_trades(
    client: ccxt.Exchange, series: CandleSeries, start: int, end: int, report: FillReport
) -> None:
    """Bars of [start, end) built from trades, page by page (paged by `since`); a bar nobody
    traded in stays a gap. Complete bars are stored after every page: resumable."""
    bar_ms = timeframe_ms(series.timeframe)
    held_until, since = start, start
    pending: list[dict] = []  # trades of the bar the last page stopped inside
    while True:
        page = _call(client, report, client.fetch_trades, series.symbol, since, TRADES_PAGE)
        known = {t["id"] for t in pending}
        fresh = [t for t in page if t["timestamp"] >= start and t["id"] not in known]
        if page and not fresh:
            raise ccxt.BadResponse(f"{client.id} trades do not move past {since}")
        trades = pending + [t for t in fresh if t["timestamp"] < end]
        if not page or page[-1]["timestamp"] >= end:
            # Nothing after `since`, or the page went past the end: every bar is complete.
            _store_trade_bars(series, trades, (held_until, end), report)
            return
        # The last trade's bar may go on in the next page.
        boundary = page[-1]["timestamp"] // bar_ms * bar_ms
        if boundary > held_until:
            complete = [t for t in trades if t["timestamp"] < boundary]
            _store_trade_bars(series, complete, (held_until, boundary), report)
            held_until = boundary
        pending = [t for t in trades if t["timestamp"] >= boundary]
        since = page[-1]["timestamp"]


def _store_trade_bars(
    series: CandleSeries, trades: list[dict], covered: Range, report: FillReport
) -> None:
    candles_write(
        series=series,
        candles=bars_from_trades(series.timeframe, trades),
        covered=covered,
        source=CandleSource.TRADES,
    )
    report.stored(report.from_trades, covered)


def bars_from_trades(timeframe: str, trades: list[dict]) -> Candles:
    """OHLCV bars of the trades (ccxt's unified trades, oldest first); no trade, no bar."""
    bar_ms = timeframe_ms(timeframe)
    if not trades:
        return Candles.from_rows(timeframe, [])
    stamps = np.array([t["timestamp"] for t in trades], dtype=np.int64)
    prices = np.array([t["price"] for t in trades], dtype=np.float64)
    amounts = np.array([t["amount"] for t in trades], dtype=np.float64)
    buckets = stamps // bar_ms * bar_ms
    first = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
    last = np.r_[first[1:], len(buckets)] - 1
    return Candles(
        timeframe,
        buckets[first],
        prices[first],
        np.maximum.reduceat(prices, first),
        np.minimum.reduceat(prices, first),
        prices[last],
        np.add.reduceat(amounts, first),
    )


def _call(client: ccxt.Exchange, report: FillReport, method: Callable[..., Any], *args: Any) -> Any:
    """A public call, retried while the exchange is only busy (reading twice is harmless)."""
    if report.on_request:
        report.on_request()
    report.requests += 1
    return retry.call_with_retries(lambda: method(*args), ccxt_id=client.id)
