"""Filling the candle store the way Kraken Futures allows: its charts reach back to the
listing, 2000 candles a window, so trades are never read; a range before the listing (which
Kraken answers with no candle at all) is held empty once candles after it prove the listing."""

from datetime import UTC, datetime

import ccxt
import pytest

from strategies.candles.fetch import candles_fill
from strategies.candles.store import candles_read, series_for
from tests.strategies.run_helpers import kraken_futures

pytestmark = pytest.mark.django_db

HOUR, DAY = 3_600_000, 86_400_000
LISTED = int(datetime(2022, 1, 1, tzinfo=UTC).timestamp() * 1000)  # the sandbox's openingDate
PERPETUAL = "BTC/USD:USD"


def test_days_before_the_listing_are_held_empty_and_the_rest_comes_from_charts(sandbox):
    start, end = LISTED - 100 * DAY, LISTED + 3 * DAY

    report = candles_fill(
        exchange=kraken_futures(), symbol=PERPETUAL, timeframe="1h", start=start, end=end
    )

    # 100 days before the listing are 2400 hours: one empty window of 2000 hours, then the
    # window that reaches the listing, with the 72 hours after it.
    assert report.from_trades == []
    assert report.requests == 2
    series = series_for(exchange=kraken_futures(), symbol=PERPETUAL, timeframe="1h")
    assert series.coverage == [[start, end]]
    held = candles_read(series, start=start, end=end)
    assert len(held) == 72
    assert held.time[0] == LISTED


def test_a_range_wholly_before_the_listing_is_held_empty_once_later_candles_prove_it(sandbox):
    start, end = LISTED - 30 * DAY, LISTED - 20 * DAY

    report = candles_fill(
        exchange=kraken_futures(), symbol=PERPETUAL, timeframe="1h", start=start, end=end
    )

    assert report.from_trades == []
    series = series_for(exchange=kraken_futures(), symbol=PERPETUAL, timeframe="1h")
    assert series.coverage == [[start, end]]
    assert len(candles_read(series)) == 0


def test_no_candle_before_nor_after_is_the_exchange_s_trouble_not_a_range_held_empty(
    sandbox, monkeypatch
):
    monkeypatch.setattr(ccxt.krakenfutures, "fetch_ohlcv", lambda self, *args, **kw: [])

    with pytest.raises(ccxt.BadResponse):
        candles_fill(
            exchange=kraken_futures(),
            symbol=PERPETUAL,
            timeframe="1h",
            start=LISTED + 10 * DAY,
            end=LISTED + 20 * DAY,
        )

    series = series_for(exchange=kraken_futures(), symbol=PERPETUAL, timeframe="1h")
    assert series.coverage == []
