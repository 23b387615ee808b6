"""EMA trend state, SuperTrend, Trend Magic: hand-worked values and plain per-bar loops."""

import math

import numpy as np
import pytest

from tests.strategies.test_indicators_averages import NAN, assert_matches, closes, plain_ema
from tests.strategies.test_indicators_properties import candles_of, compute, random_walk
from tests.strategies.test_indicators_volatility import plain_atr, plain_true_range


def test_trend_by_hand():
    # EMA 2 (alpha 2/3) of 1, 2, 3, 2, 1, 1: 3/2 (seed), 5/2, 13/6, 25/18, 61/54.
    # Slope over 1 bar. Bar 2: close 3 > 5/2 and 5/2 > 3/2: up. Bar 3: close 2 < 13/6 and
    # 13/6 < 5/2: down. Bars 4 and 5: closes 1 under 25/18 and 61/54, both falling: down.
    values = compute("trend", closes(1, 2, 3, 2, 1, 1), period=2, slope_lookback=1)["value"]
    assert_matches(values, [NAN, NAN, 1, -1, -1, -1])


def test_trend_is_neither_on_a_flat_market():
    # The EMA of a flat close equals it: the close is neither above nor below.
    values = compute("trend", closes(*[3.0] * 5), period=2, slope_lookback=1)["value"]
    assert_matches(values, [NAN, NAN, 0, 0, 0])


@pytest.mark.parametrize(("count", "lookback"), [(20, 1), (50, 3), (5, 8)])
def test_trend_matches_a_plain_loop(count, lookback):
    candles = random_walk(count=200)
    close = candles.close.tolist()
    ema = plain_ema(close, count)
    expected = []
    for i, price in enumerate(close):
        if i < lookback or math.isnan(ema[i - lookback]):
            expected.append(NAN)
        elif price > ema[i] and ema[i] > ema[i - lookback]:
            expected.append(1.0)
        elif price < ema[i] and ema[i] < ema[i - lookback]:
            expected.append(-1.0)
        else:
            expected.append(0.0)
    values = compute("trend", candles, period=count, slope_lookback=lookback)["value"]
    assert_matches(values, expected)
    # (With a one-bar slope the EMA always moves toward the close, so 0 needs a tie.)
    assert {-1.0, 1.0} <= set(values[~np.isnan(values)].tolist())


def plain_super_trend(candles, count: int, factor: float):
    """TradingView's ta.supertrend, written out: direction from the previous line's side."""
    atr = plain_atr(candles, count)
    high, low, close = candles.high.tolist(), candles.low.tolist(), candles.close.tolist()
    line, state = [NAN] * len(close), [NAN] * len(close)
    upper = lower = NAN
    for i in range(len(close)):
        if math.isnan(atr[i]):
            continue
        middle = (high[i] + low[i]) / 2
        basic_upper, basic_lower = middle + factor * atr[i], middle - factor * atr[i]
        if math.isnan(line[i - 1]):
            upper, lower, state[i] = basic_upper, basic_lower, -1.0
        else:
            was_down = line[i - 1] == upper
            if basic_upper < upper or close[i - 1] > upper:
                upper = basic_upper
            if basic_lower > lower or close[i - 1] < lower:
                lower = basic_lower
            if was_down:
                state[i] = 1.0 if close[i] > upper else -1.0
            else:
                state[i] = -1.0 if close[i] < lower else 1.0
        line[i] = lower if state[i] == 1.0 else upper
    return line, state


@pytest.mark.parametrize(("count", "factor"), [(10, 3.0), (3, 0.5)])
def test_super_trend_matches_a_plain_loop(count, factor):
    candles = random_walk(count=300)
    line, state = plain_super_trend(candles, count, factor)
    values = compute("super_trend", candles, period=count, multiplier=factor)
    assert_matches(values["line"], line)
    assert_matches(values["state"], state)
    assert {-1.0, 1.0} == set(values["state"][~np.isnan(values["state"])].tolist())


def test_super_trend_turns_up_in_a_rally_and_trails_below_it():
    # Ten flat bars, then a climb of 5 a bar: ATR 2 is at most 7, so by the fourth rally bar
    # the close (130) is well above the first bar's upper band (100 + 3 x 2 = 106).
    rows = [(100, 101, 99, 100)] * 10 + [(c - 5, c + 1, c - 6, c) for c in range(105, 160, 5)]
    values = compute("super_trend", candles_of(rows), period=2, multiplier=3.0)
    assert values["state"][2] == -1.0
    assert values["state"][-1] == 1.0
    assert values["line"][-1] < rows[-1][2]


def plain_trend_magic(candles, cci_period: int, atr_period: int, factor: float):
    high, low, close = candles.high.tolist(), candles.low.tolist(), candles.close.tolist()
    ranges = plain_true_range(candles)
    trail, state = [NAN] * len(close), [NAN] * len(close)
    level = NAN
    for i in range(max(cci_period - 1, atr_period), len(close)):
        window = close[i - cci_period + 1 : i + 1]
        mean = sum(window) / cci_period
        deviation = sum(abs(x - mean) for x in window) / cci_period
        cci = 0.0 if deviation == 0 else (close[i] - mean) / (0.015 * deviation)
        offset = factor * sum(ranges[i - atr_period + 1 : i + 1]) / atr_period
        if cci >= 0:
            level = low[i] - offset if math.isnan(level) else max(low[i] - offset, level)
        else:
            level = high[i] + offset if math.isnan(level) else min(high[i] + offset, level)
        trail[i], state[i] = level, 1.0 if cci >= 0 else -1.0
    return trail, state


def test_trend_magic_by_hand():
    # CCI 2 of the close has the sign of the last change; ATR 1 is the true range.
    # Bar 1 (h 10, l 8, c 9): down, TR max(2, 0, 2) = 2 -> trail = 10 + 2 = 12.
    # Bar 2 (9, 7, 8): down, TR 2 -> min(9 + 2, 12) = 11.
    # Bar 3 (10, 8, 10): up, TR 2 -> max(8 - 2, 11) = 11 (an up trail only rises).
    # Bar 4 (14, 11, 13): up, TR max(3, 4, 1) = 4 -> max(7, 11) = 11.
    # Bar 5 (16, 14, 15): up, TR 3 -> max(11, 11) = 11. Bar 6 (18, 17, 18): TR 3 -> 14.
    rows = [
        (10, 11, 9, 10),
        (9, 10, 8, 9),
        (8, 9, 7, 8),
        (9, 10, 8, 10),
        (12, 14, 11, 13),
        (14, 16, 14, 15),
        (17, 18, 17, 18),
    ]
    values = compute("trend_magic", candles_of(rows), cci_period=2, atr_period=1, multiplier=1.0)
    assert_matches(values["trail"], [NAN, 12, 11, 11, 11, 11, 14])
    assert_matches(values["state"], [NAN, -1, -1, 1, 1, 1, 1])


@pytest.mark.parametrize(("cci_period", "atr_period", "factor"), [(20, 5, 1.0), (3, 10, 2.0)])
def test_trend_magic_matches_a_plain_loop(cci_period, atr_period, factor):
    candles = random_walk(count=300)
    trail, state = plain_trend_magic(candles, cci_period, atr_period, factor)
    values = compute(
        "trend_magic",
        candles,
        cci_period=cci_period,
        atr_period=atr_period,
        multiplier=factor,
    )
    assert_matches(values["trail"], trail, decimal=8)
    assert_matches(values["state"], state)
