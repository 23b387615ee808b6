"""The shared candle store: packed chunks, held ranges, and filling from the sandbox venue the
way Kraken allows (its latest 720 candles, then older bars rebuilt from paged trades)."""

import time
from decimal import Decimal

import ccxt
import numpy as np
import pytest
from django.db import connection

from exchanges import retry
from exchanges.models import Exchange
from strategies.candles import packing
from strategies.candles.fetch import bars_from_trades, candles_fill
from strategies.candles.ranges import merged, missing
from strategies.candles.store import candles_read, candles_write, series_for
from strategies.models import CandleChunk
from strategies.series import Candles

pytestmark = pytest.mark.django_db

MINUTE = 60_000


def bars(times: list[int], closes: list[float]) -> Candles:
    close = np.array(closes, dtype=float)
    return Candles(
        "1m",
        np.array(times, dtype=np.int64),
        close.copy(),
        close + 1,
        close - 1,
        close,
        close * 0 + 2,
    )


def test_missing_ranges_by_hand():
    assert merged([(5, 10), (0, 3), (3, 4), (9, 12)]) == [(0, 4), (5, 12)]
    assert missing([(0, 4), (5, 12)], 0, 20) == [(4, 5), (12, 20)]
    assert missing([(0, 4)], 1, 3) == []
    assert missing([], 7, 9) == [(7, 9)]


def test_bars_are_stored_in_chunks_and_read_back_by_range():
    series = series_for(
        exchange=Exchange.objects.get(slug="kraken"), symbol="BTC/USD", timeframe="1m"
    )
    span = packing.CHUNK_BARS * MINUTE
    times = [span - 2 * MINUTE, span - MINUTE, span, span + 2 * MINUTE]  # across two chunks
    candles_write(
        series=series,
        candles=bars(times, [1, 2, 3, 4]),
        covered=(times[0], span + 3 * MINUTE),
        source="exchange",
    )

    assert CandleChunk.objects.filter(series=series).count() == 2
    every = candles_read(series)
    assert every.time.tolist() == times
    assert every.close.tolist() == [1, 2, 3, 4]
    part = candles_read(series, start=span - MINUTE, end=span + 2 * MINUTE)
    assert part.time.tolist() == [span - MINUTE, span]
    # span + MINUTE is inside a held range and has no bar: a gap, not a missing fetch.
    assert missing(series.coverage, times[0], span + 3 * MINUTE) == []


def test_writing_a_bar_again_replaces_it_and_keeps_the_others():
    series = series_for(
        exchange=Exchange.objects.get(slug="kraken"), symbol="ETH/USD", timeframe="1m"
    )
    candles_write(
        series=series, candles=bars([0, MINUTE], [1, 2]), covered=(0, 2 * MINUTE), source="exchange"
    )
    candles_write(
        series=series,
        candles=bars([MINUTE, 2 * MINUTE], [20, 30]),
        covered=(MINUTE, 3 * MINUTE),
        source="trades",
    )

    stored = candles_read(series)
    assert stored.time.tolist() == [0, MINUTE, 2 * MINUTE]
    assert stored.close.tolist() == [1, 20, 30]
    assert series.coverage == [[0, 3 * MINUTE]]
    assert [source for _a, _b, source in series.provenance] == ["exchange", "trades"]


def test_bars_from_trades_by_hand():
    trades = [
        {"timestamp": 60_000, "price": 10.0, "amount": 1.0},
        {"timestamp": 90_000, "price": 12.0, "amount": 0.5},
        {"timestamp": 100_000, "price": 9.0, "amount": 2.0},
        # Nobody traded from 120,000 to 179,999: no bar there.
        {"timestamp": 185_000, "price": 11.0, "amount": 1.0},
    ]
    candles = bars_from_trades("1m", trades)

    assert candles.time.tolist() == [60_000, 180_000]
    assert candles.open.tolist() == [10.0, 11.0]
    assert candles.high.tolist() == [12.0, 11.0]
    assert candles.low.tolist() == [9.0, 11.0]
    assert candles.close.tolist() == [9.0, 11.0]
    assert candles.volume.tolist() == [3.5, 1.0]


@pytest.fixture
def kraken_on_sandbox(venue, settings, monkeypatch):
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    return venue


def sandbox_candle(venue, minute_ms: int):
    (candle,) = venue.state.market.candles("XXBTZUSD", 1, time.time(), minute_ms / 1000 - 60, 1)
    assert candle.time * 1000 == minute_ms
    return candle


def test_a_day_of_minutes_is_filled_from_candles_then_trades_and_never_fetched_twice(
    kraken_on_sandbox,
):
    kraken = Exchange.objects.get(slug="kraken")
    end = int(time.time() * 1000) // MINUTE * MINUTE
    start = end - 24 * 60 * MINUTE
    progress: list[tuple[int, int]] = []

    report = candles_fill(
        exchange=kraken,
        symbol="BTC/USD",
        timeframe="1m",
        start=start,
        end=end,
        progress=lambda done, total: progress.append((done, total)),
    )

    # The candle endpoint held the latest 720 minutes; the older 720 came from trades.
    assert report.from_candles
    assert report.from_trades
    assert min(a for a, _b in report.from_candles) >= end - 721 * MINUTE
    assert min(a for a, _b in report.from_trades) == start
    stored = candles_read(report.series, start=start, end=end)
    assert stored.time[0] == start
    assert stored.time[-1] == end - MINUTE  # the bar forming now is not stored
    assert missing(report.series.coverage, start, end) == []
    assert progress[-1] == (end - start, end - start)
    # Told page by page, growing: the 720 trade-built minutes alone take several pages.
    assert len(progress) > 3
    assert [done for done, _total in progress] == sorted(done for done, _total in progress)
    # The bars rebuilt from trades equal the venue's own candles, minute for minute.
    for minute in (start, start + 100 * MINUTE, end - 800 * MINUTE, end - 10 * MINUTE):
        venue_candle = sandbox_candle(kraken_on_sandbox, minute)
        index = int(np.searchsorted(stored.time, minute))
        assert stored.time[index] == minute
        for field in ("open", "high", "low", "close"):
            assert Decimal(str(getattr(stored, field)[index])) == getattr(venue_candle, field), (
                field
            )

    again = candles_fill(exchange=kraken, symbol="BTC/USD", timeframe="1m", start=start, end=end)
    assert again.requests == 0


def test_an_interrupted_backfill_resumes_where_it_stopped(kraken_on_sandbox, monkeypatch):
    kraken = Exchange.objects.get(slug="kraken")
    end = int(time.time() * 1000) // MINUTE * MINUTE
    start = end - 30 * 60 * MINUTE
    calls = {"count": 0}
    original = ccxt.kraken.fetch_trades

    def flaky(self, *args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 3:
            raise ccxt.AuthenticationError("kraken worker killed")  # not retried
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ccxt.kraken, "fetch_trades", flaky)
    with pytest.raises(ccxt.AuthenticationError):
        candles_fill(exchange=kraken, symbol="BTC/USD", timeframe="1m", start=start, end=end)
    series = series_for(exchange=kraken, symbol="BTC/USD", timeframe="1m")
    left = missing(series.coverage, start, end)
    assert left
    assert left[0][0] > start  # the first pages were kept

    resumed = candles_fill(exchange=kraken, symbol="BTC/USD", timeframe="1m", start=start, end=end)

    assert min(a for a, _b in resumed.from_trades) == left[0][0]
    assert missing(resumed.series.coverage, start, end) == []
    stored = candles_read(resumed.series, start=start, end=end)
    assert len(np.unique(stored.time)) == len(stored)


def test_a_longer_timeframe_is_built_from_minutes_already_held(kraken_on_sandbox):
    kraken = Exchange.objects.get(slug="kraken")
    end = int(time.time() * 1000) // (15 * MINUTE) * (15 * MINUTE)
    start = end - 6 * 60 * MINUTE
    candles_fill(exchange=kraken, symbol="BTC/USD", timeframe="1m", start=start, end=end)

    report = candles_fill(exchange=kraken, symbol="BTC/USD", timeframe="15m", start=start, end=end)

    assert report.requests == 0
    assert report.aggregated == [(start, end)]
    stored = candles_read(report.series)
    assert len(stored) == 24
    # A plain loop over the venue's own minutes (its 15-minute candles are sampled, not exact).
    minutes = kraken_on_sandbox.state.market.candles(
        "XXBTZUSD", 1, time.time(), start / 1000 - 60, 360
    )
    expected = []
    for first in range(0, 360, 15):
        group = minutes[first : first + 15]
        expected.append(
            (
                group[0].time * 1000,
                float(group[0].open),
                max(float(c.high) for c in group),
                min(float(c.low) for c in group),
                float(group[-1].close),
            )
        )
    assert (
        list(
            zip(
                stored.time.tolist(),
                stored.open.tolist(),
                stored.high.tolist(),
                stored.low.tolist(),
                stored.close.tolist(),
                strict=True,
            )
        )
        == expected
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage modes")
def test_chunks_are_stored_uncompressed_on_postgresql():
    # Packed float64 columns hardly compress; trying to made storing them 4.5x slower.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'strategies_candlechunk'::regclass AND attname = 'data'"
        )
        assert cursor.fetchone() == ("e",)  # EXTERNAL: out of line, never compressed
