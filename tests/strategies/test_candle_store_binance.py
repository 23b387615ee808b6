"""Filling the candle store the way Binance allows: its klines reach back to the market's
listing, 1000 a page, so a year of hours is nine requests and trades are never read."""

import time
from decimal import Decimal

import ccxt
import pytest

from exchanges import retry
from exchanges.models import Exchange
from strategies.candles.fetch import candles_fill
from strategies.candles.store import candles_read, series_for

pytestmark = pytest.mark.django_db

HOUR, DAY = 3_600_000, 86_400_000
LISTED = 1_502_928_000_000  # 2017-08-17T00:00:00Z: the sandbox's Binance markets open


@pytest.fixture
def binance(venue, settings, monkeypatch):
    settings.EXCHANGE_API_OVERRIDES = {"binance": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    return Exchange.objects.get(slug="binance")


def test_a_year_of_hours_is_nine_pages_of_klines_and_never_fetched_again(binance, venue):
    end = int(time.time() * 1000) // HOUR * HOUR
    start = end - 365 * DAY

    began = time.monotonic()
    report = candles_fill(exchange=binance, symbol="BTC/USDT", timeframe="1h", start=start, end=end)
    seconds = time.monotonic() - began

    # 8760 hours in pages of 1000: eight whole pages and one of 760.
    assert report.requests == 9
    assert report.from_trades == []
    assert report.aggregated == []
    assert seconds < 30, f"a year of hours took {seconds:.1f} s"
    series = series_for(exchange=binance, symbol="BTC/USDT", timeframe="1h")
    held = candles_read(series, start=start, end=end)
    assert len(held) == 8760
    assert held.time[0] == start
    assert held.time[-1] == end - HOUR
    # A bar as the venue's market made it (prices to Binance's tick, 0.01).
    middle = start + 4000 * HOUR
    candle = venue.state.market.candle("BTCUSDT", 60, middle // 60_000, time.time())
    index = int(held.time.searchsorted(middle))
    assert Decimal(str(held.open[index])) == candle.open
    assert Decimal(str(held.close[index])) == candle.close

    again = candles_fill(exchange=binance, symbol="BTC/USDT", timeframe="1h", start=start, end=end)
    assert again.requests == 0


def test_days_before_the_listing_are_held_empty_not_rebuilt_from_trades(binance):
    start, end = LISTED - 16 * DAY, LISTED + 3 * DAY

    report = candles_fill(exchange=binance, symbol="BTC/USDT", timeframe="1d", start=start, end=end)

    assert report.requests == 1
    assert report.from_trades == []
    series = series_for(exchange=binance, symbol="BTC/USDT", timeframe="1d")
    held = candles_read(series, start=start, end=end)
    assert held.time.tolist() == [LISTED, LISTED + DAY, LISTED + 2 * DAY]
    assert series.coverage == [[start, end]]
    again = candles_fill(exchange=binance, symbol="BTC/USDT", timeframe="1d", start=start, end=end)
    assert again.requests == 0


def test_an_empty_answer_is_the_exchange_s_trouble_not_a_range_held_empty(binance, monkeypatch):
    from exchanges import clients

    build = clients.build

    def answering_nothing(*args, **kwargs):
        client = build(*args, **kwargs)
        client.fetch_ohlcv = lambda *_args, **_kwargs: []
        return client

    monkeypatch.setattr(clients, "build", answering_nothing)
    end = int(time.time() * 1000) // DAY * DAY

    with pytest.raises(ccxt.BadResponse):
        candles_fill(
            exchange=binance, symbol="BTC/USDT", timeframe="1d", start=end - 10 * DAY, end=end
        )

    assert series_for(exchange=binance, symbol="BTC/USDT", timeframe="1d").coverage == []
