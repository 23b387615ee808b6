"""Fixtures shared by the run tests."""

import pytest

from exchanges import retry


@pytest.fixture
def sandbox(venue, settings, monkeypatch):
    """The sandbox venue standing in for Kraken, Kraken Futures, Binance and Binance USDⓈ-M,
    without rate limits or retry delays, and with a minimum market volume its synthetic
    markets pass."""
    venues = ("kraken", "krakenfutures", "binance", "binanceusdm")
    settings.EXCHANGE_API_OVERRIDES = dict.fromkeys(venues, venue.url)
    settings.EXCHANGE_RATE_LIMIT = False
    settings.RUNS_MIN_MARKET_VOLUME = 1000.0
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    return venue
