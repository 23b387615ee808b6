"""How a finished backtest is kept: charts downsampled without hiding the drawdown, provenance
clipped to the period, gaps counted inside held ranges. Expected values worked out by hand."""

import numpy as np

from strategies.series import Candles
from strategies.services.backtest_results import (
    equity_points,
    gap_count,
    period_provenance,
    price_points,
)

HOUR = 3_600_000


def hours(closes: list[float]) -> Candles:
    close = np.array(closes, dtype=float)
    times = HOUR * np.arange(len(close), dtype=np.int64)
    return Candles("1h", times, close - 0.5, close + 1, close - 1, close, close * 0 + 1)


def test_equity_keeps_each_buckets_lowest_and_last_points():
    candles = hours([1, 2, 3, 4, 5])
    equity = np.array([100.0, 90.0, 95.0, 97.0, 99.0])

    # 4 points allowed: buckets of ceil(5 / 2) = 3 bars, [100, 90, 95] then [97, 99]. Each
    # gives its low and its last value at their bars' closes (bar i closes at (i + 1) hours).
    assert equity_points(candles.time + candles.bar_ms, equity, points=4) == [
        [2 * HOUR, 90.0],
        [3 * HOUR, 95.0],
        [4 * HOUR, 97.0],
        [5 * HOUR, 99.0],
    ]


def test_prices_are_merged_in_buckets_first_open_highest_high_lowest_low_last_close():
    candles = hours([10, 12, 8, 11])

    # Two bars per point: opens 9.5 and 7.5, highs 13 and 12, lows 9 and 7, closes 12 and 11.
    assert price_points(candles, points=2) == [
        [0, 9.5, 13.0, 9.0, 12.0],
        [2 * HOUR, 7.5, 12.0, 7.0, 11.0],
    ]


def test_provenance_is_clipped_to_the_period_and_gaps_counted_only_where_data_is_held():
    provenance = [[0, 10 * HOUR, "trades"], [10 * HOUR, 20 * HOUR, "exchange"]]

    assert period_provenance(provenance, 5 * HOUR, 12 * HOUR) == [
        [5 * HOUR, 10 * HOUR, "trades"],
        [10 * HOUR, 12 * HOUR, "exchange"],
    ]
    # Held: [5, 12) is 7 hourly slots; 5 bars stored, so 2 hours where nobody traded.
    assert gap_count([[0, 20 * HOUR]], 5 * HOUR, 12 * HOUR, HOUR, 5) == 2
    # Nothing held, nothing called a gap.
    assert gap_count([], 5 * HOUR, 12 * HOUR, HOUR, 0) == 0


def test_a_percentage_too_large_to_read_is_shown_as_a_bound():
    from django.utils import translation

    from strategies.engine.metric_texts import METRICS
    from strategies.views.backtest_display import metric_value

    cagr = next(metric for metric in METRICS if metric.name == "cagr")
    # A run up 5 % in 3 hours: 1.05 ** (8766 / 3) - 1 is about 2.5e61, a 62-digit percentage.
    assert metric_value(cagr, 1.05 ** (8766 / 3) - 1) == "more than 1,000,000 %"
    assert metric_value(cagr, 9_999.99) == "999999.00 %"  # just under the bound: as it is
    with translation.override("fr"):
        assert metric_value(cagr, 1e60) == "plus de 1\u00a0000\u00a0000 %"
