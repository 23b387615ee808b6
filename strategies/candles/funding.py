"""Perpetual markets' funding rates: fetched from the exchange's published history into the
shared store once, read per bar for the fill model (its point 9).

Kraken Futures answers every rate since listing in one call; exchanges that page (Binance's
1,000 a call) are read from `since` until a page comes back empty or past the end. A fill
asks again only past what it already asked for, so each rate is fetched once.
"""

import time

import numpy as np
from django.db import transaction

from exchanges import clients, retry
from exchanges.models import Exchange
from strategies.models import FundingRate, FundingSeries
from strategies.series import Candles

MAX_PAGES = 200  # 200 pages of 1,000 hourly rates: 22 years, far past any listing


def funding_fill(*, exchange: Exchange, symbol: str, start: int, end: int) -> FundingSeries:
    """Make every rate the exchange published in [start, end) held (only up to now: later
    ones do not exist yet). ccxt's errors pass through: the caller waits or fails."""
    series, _ = FundingSeries.objects.get_or_create(exchange=exchange, symbol=symbol)
    now_ms = int(time.time() * 1000)
    end = min(end, now_ms)
    if series.holds(start, end):
        return series
    held_from, held_through = series.asked_from_ms, series.asked_through_ms
    asked_from = start if held_from is None else min(start, held_from)
    # Only what is not held yet: from the start when it is earlier than what was asked
    # before, else from where the last fill stopped (Kraken answers every rate since listing
    # anyway; only the new ones are stored).
    fresh_from = start
    if held_from is not None and held_through is not None and start >= held_from:
        fresh_from = held_through
    client = clients.build(exchange.ccxt_id)
    clients.ensure_markets(client)
    since, rows = fresh_from, []
    for _page in range(MAX_PAGES):
        page = _page_from(client, symbol, since)
        fresh = [rate for rate in page if int(rate["timestamp"]) >= since]
        rows += [(int(rate["timestamp"]), float(rate["fundingRate"])) for rate in fresh]
        if not fresh or int(fresh[-1]["timestamp"]) >= end:
            break
        since = int(fresh[-1]["timestamp"]) + 1
    _store(series, rows, asked_from, now_ms + 1)  # every rate published up to now is held
    return series


def _page_from(client, symbol: str, since: int) -> list[dict]:
    """One call for the rates from `since` on, retried while the exchange is only busy."""
    return retry.call_with_retries(
        lambda: client.fetch_funding_rate_history(symbol, since), ccxt_id=client.id
    )


@transaction.atomic
def _store(series: FundingSeries, rows: list[tuple[int, float]], asked_from: int, through: int):
    FundingRate.objects.bulk_create(
        (FundingRate(series=series, time_ms=at, rate=rate) for at, rate in rows),
        ignore_conflicts=True,
        batch_size=2000,
    )
    series.asked_from_ms, series.asked_through_ms = asked_from, through
    series.save(update_fields=["asked_from_ms", "asked_through_ms", "updated_at"])


def funding_per_bar(series: FundingSeries, candles: Candles) -> tuple[np.ndarray, list[int]]:
    """The rates due during each candle's bar (times from its open to the next bar's open),
    summed, and [first, last] time of the rates used ([] when none): what the fill model
    charges (point 9) and what the report says the rates cover."""
    per_bar = np.zeros(len(candles))
    if not len(candles):
        return per_bar, []
    start, end = int(candles.time[0]), int(candles.time[-1]) + candles.bar_ms
    rates = FundingRate.objects.filter(series=series, time_ms__gte=start, time_ms__lt=end)
    pairs = np.array(list(rates.values_list("time_ms", "rate")), dtype=np.float64).reshape(-1, 2)
    if not len(pairs):
        return per_bar, []
    times = pairs[:, 0].astype(np.int64)
    bars = np.searchsorted(candles.time, times, side="right") - 1
    np.add.at(per_bar, bars, pairs[:, 1])
    return per_bar, [int(times.min()), int(times.max())]
