"""ATR, Bollinger bands, Donchian channel, ADX: hand-worked values and plain per-bar loops."""

import math

import numpy as np
import pytest

from tests.strategies.test_indicators_averages import NAN, assert_matches, closes
from tests.strategies.test_indicators_properties import candles_of, compute, random_walk


def plain_true_range(candles) -> list[float]:
    high, low, close = candles.high.tolist(), candles.low.tolist(), candles.close.tolist()
    return [NAN] + [
        max(high[i] - low[i], abs(high[i] - close[i - 1]), abs(low[i] - close[i - 1]))
        for i in range(1, len(close))
    ]


def plain_atr(candles, count: int) -> list[float]:
    """Average of true ranges 1..N (bar 0 has no previous close), then Wilder's smoothing."""
    ranges = plain_true_range(candles)
    out = [NAN] * len(ranges)
    for i in range(count, len(ranges)):
        if i == count:
            out[i] = sum(ranges[1 : count + 1]) / count
        else:
            out[i] = (out[i - 1] * (count - 1) + ranges[i]) / count
    return out


def test_atr_by_hand():
    # Bars (high, low, close): (10, 8, 9), (12, 9, 11), (15, 11, 14), (11, 10, 10.5).
    # True ranges: bar 1 max(3, |12-9|, |9-9|) = 3; bar 2 max(4, |15-11|, |11-11|) = 4;
    # bar 3 max(1, |11-14|, |10-14|) = 4 (the gap down counts).
    # ATR 2: bar 2 (3+4)/2 = 3.5; bar 3 (3.5 x 1 + 4)/2 = 3.75.
    candles = candles_of([(9, 10, 8, 9), (11, 12, 9, 11), (14, 15, 11, 14), (10, 11, 10, 10.5)])
    assert_matches(compute("atr", candles, period=2)["value"], [NAN, NAN, 3.5, 3.75])


@pytest.mark.parametrize("count", [1, 14])
def test_atr_matches_a_plain_wilder_loop(count):
    candles = random_walk(count=150)
    assert_matches(compute("atr", candles, period=count)["value"], plain_atr(candles, count))


def test_bollinger_by_hand_uses_the_population_deviation():
    # Period 3 over 1, 2, 3: mean 2, population variance (1 + 0 + 1)/3 = 2/3.
    # Bands: 2 +/- 2 x sqrt(2/3).
    values = compute("bollinger", closes(1, 2, 3), period=3, stddev=2.0)
    spread = 2 * math.sqrt(2 / 3)
    assert_matches(values["mid"], [NAN, NAN, 2])
    assert_matches(values["upper"], [NAN, NAN, 2 + spread], decimal=7)
    assert_matches(values["lower"], [NAN, NAN, 2 - spread], decimal=7)


def test_bollinger_matches_a_plain_loop():
    candles = random_walk(count=120)
    close = candles.close.tolist()
    mid, upper, lower = [NAN] * 19, [NAN] * 19, [NAN] * 19
    for i in range(19, 120):
        window = close[i - 19 : i + 1]
        mean = sum(window) / 20
        deviation = math.sqrt(sum((x - mean) ** 2 for x in window) / 20)
        mid.append(mean)
        upper.append(mean + 2.5 * deviation)
        lower.append(mean - 2.5 * deviation)
    values = compute("bollinger", candles, period=20, stddev=2.5)
    assert_matches(values["mid"], mid)
    assert_matches(values["upper"], upper, decimal=6)
    assert_matches(values["lower"], lower, decimal=6)


def test_donchian_by_hand_leaves_the_current_bar_out():
    # Period 2; highs 5, 7, 6, 9 and lows 1, 2, 4, 3.
    # Bar 2 reads bars 0-1: upper 7, lower 1, mid 4. Bar 3 reads bars 1-2: upper 7, lower 2,
    # mid 4.5, so bar 3's high of 9 is above the channel: a breakout.
    candles = candles_of([(3, 5, 1, 3), (5, 7, 2, 5), (5, 6, 4, 5), (8, 9, 3, 8)])
    values = compute("donchian", candles, period=2)
    assert_matches(values["upper"], [NAN, NAN, 7, 7])
    assert_matches(values["lower"], [NAN, NAN, 1, 2])
    assert_matches(values["mid"], [NAN, NAN, 4, 4.5])


@pytest.mark.parametrize("count", [1, 20])
def test_donchian_matches_a_plain_loop(count):
    candles = random_walk(count=100)
    high, low = candles.high.tolist(), candles.low.tolist()
    upper = [NAN] * count + [max(high[i - count : i]) for i in range(count, 100)]
    lower = [NAN] * count + [min(low[i - count : i]) for i in range(count, 100)]
    values = compute("donchian", candles, period=count)
    assert_matches(values["upper"], upper)
    assert_matches(values["lower"], lower)
    assert_matches(values["mid"], [(u + d) / 2 for u, d in zip(upper, lower, strict=True)])


def directional_moves(candles):
    high, low = candles.high.tolist(), candles.low.tolist()
    plus, minus = [NAN], [NAN]
    for i in range(1, len(high)):
        up, down = high[i] - high[i - 1], low[i - 1] - low[i]
        plus.append(up if up > down and up > 0 else 0.0)
        minus.append(down if down > up and down > 0 else 0.0)
    return plus, minus


def wilder_sums(values, count: int, *, book_seed: bool) -> list[float]:
    """Running sums smoothed as sum - sum/N + value. TA-Lib seeds with the first N-1 values
    and smooths in the Nth; Wilder's book (and StockCharts) seeds with the first N."""
    out = [NAN] * len(values)
    if book_seed:
        total = sum(values[1 : count + 1])
        out[count] = total
    else:
        total = sum(values[1:count])
        total = total - total / count + values[count]
        out[count] = total
    for i in range(count + 1, len(values)):
        total = total - total / count + values[i]
        out[i] = total
    return out


def plain_adx(candles, count: int, *, book_seed: bool = False):
    plus_moves, minus_moves = directional_moves(candles)
    ranges = wilder_sums(plain_true_range(candles), count, book_seed=book_seed)
    plus_sums = wilder_sums(plus_moves, count, book_seed=book_seed)
    minus_sums = wilder_sums(minus_moves, count, book_seed=book_seed)
    plus = [100 * p / r for p, r in zip(plus_sums, ranges, strict=True)]
    minus = [100 * m / r for m, r in zip(minus_sums, ranges, strict=True)]
    dx = [100 * abs(p - m) / (p + m) for p, m in zip(plus, minus, strict=True)]
    adx = [NAN] * len(dx)
    adx[2 * count - 1] = sum(dx[count : 2 * count]) / count
    for i in range(2 * count, len(dx)):
        adx[i] = (adx[i - 1] * (count - 1) + dx[i]) / count
    return adx, plus, minus


@pytest.mark.parametrize("count", [2, 14])
def test_adx_matches_a_plain_loop(count):
    candles = random_walk(count=200)
    adx, plus, minus = plain_adx(candles, count)
    values = compute("adx", candles, period=count)
    assert_matches(values["adx"], adx)
    assert_matches(values["plus_di"], plus)
    assert_matches(values["minus_di"], minus)


def test_adx_converges_to_wilders_book_seeding():
    # The two seedings differ at first; the gap shrinks by (1 - 1/N) a bar.
    candles = random_walk(count=400)
    book_adx, book_plus, _ = plain_adx(candles, 14, book_seed=True)
    values = compute("adx", candles, period=14)
    assert abs(values["plus_di"][14] - book_plus[14]) > 1e-3
    np.testing.assert_allclose(values["plus_di"][250:], book_plus[250:], rtol=1e-6)
    np.testing.assert_allclose(values["adx"][250:], book_adx[250:], rtol=1e-6)


def test_adx_by_hand_on_a_steady_climb():
    # Every bar 1 higher (high = close + 1, low = close - 1): +DM 1, -DM 0, true range 2
    # each bar, so +DI = 100 x 1/2 = 50 and -DI = 0 whatever the smoothing; DX = 100 = ADX.
    candles = candles_of([(c, c + 1, c - 1, c) for c in range(10, 20)])
    values = compute("adx", candles, period=3)
    assert_matches(values["plus_di"], [NAN] * 3 + [50] * 7)
    assert_matches(values["minus_di"], [NAN] * 3 + [0] * 7)
    assert_matches(values["adx"], [NAN] * 5 + [100] * 5)
