"""RSI, MACD, stochastic, CCI: against hand-worked values and deliberately plain loops."""

import math

import pytest

from tests.strategies.test_indicators_averages import (
    NAN,
    assert_matches,
    closes,
    plain_ema,
    plain_sma,
)
from tests.strategies.test_indicators_properties import candles_of, compute, random_walk


def plain_rsi(values, count: int) -> list[float]:
    """Wilder: simple averages of the first N gains and losses, then (prev x (N-1) + x) / N."""
    out = [NAN] * len(values)
    gains = [max(values[i] - values[i - 1], 0.0) for i in range(1, len(values))]
    losses = [max(values[i - 1] - values[i], 0.0) for i in range(1, len(values))]
    gain = loss = NAN
    for i in range(count, len(values)):
        if i == count:
            gain, loss = sum(gains[:count]) / count, sum(losses[:count]) / count
        else:
            gain = (gain * (count - 1) + gains[i - 1]) / count
            loss = (loss * (count - 1) + losses[i - 1]) / count
        out[i] = 0.0 if gain + loss == 0 else 100.0 * gain / (gain + loss)
    return out


def test_rsi_by_hand():
    # Period 2 over closes 10, 11, 10, 12, 13: changes +1, -1, +2, +1.
    # Bar 2: gains (1+0)/2 = 0.5, losses (0+1)/2 = 0.5 -> 100 x 0.5/1 = 50.
    # Bar 3: gain (0.5x1 + 2)/2 = 1.25, loss (0.5x1 + 0)/2 = 0.25 -> 100 x 1.25/1.5 = 83.33...
    # Bar 4: gain (1.25 + 1)/2 = 1.125, loss 0.25/2 = 0.125 -> 100 x 1.125/1.25 = 90.
    values = compute("rsi", closes(10, 11, 10, 12, 13), period=2)["value"]
    assert_matches(values, [NAN, NAN, 50, 250 / 3, 90])


@pytest.mark.parametrize("count", [2, 14])
def test_rsi_matches_a_plain_wilder_loop(count):
    candles = random_walk(count=200)
    expected = plain_rsi(candles.close.tolist(), count)
    assert_matches(compute("rsi", candles, period=count)["value"], expected)


def test_macd_by_hand():
    # Closes 1, 2, 3, 5, 8; fast 2 (alpha 2/3), slow 3 (alpha 1/2), signal 2 (alpha 2/3).
    # EMA2: bar 1 seed 1.5; bar 2 1.5 + 2/3 x 1.5 = 2.5; bar 3 2.5 + 2/3 x 2.5 = 25/6;
    #       bar 4 25/6 + 2/3 x (8 - 25/6) = 121/18.
    # EMA3: bar 2 seed 2; bar 3 2 + (5-2)/2 = 7/2; bar 4 7/2 + (8 - 7/2)/2 = 23/4.
    # Line: 5/2 - 2 = 1/2; 25/6 - 7/2 = 2/3; 121/18 - 23/4 = 35/36.
    # Signal: bar 3 seed (1/2 + 2/3)/2 = 7/12; bar 4 7/12 + 2/3 x (35/36 - 7/12) = 91/108.
    # Histogram at bar 4: 35/36 - 91/108 = 7/54.
    values = compute("macd", closes(1, 2, 3, 5, 8), fast=2, slow=3, signal=2)
    assert_matches(values["line"], [NAN, NAN, 1 / 2, 2 / 3, 35 / 36])
    assert_matches(values["signal"], [NAN, NAN, NAN, 7 / 12, 91 / 108])
    assert_matches(values["hist"], [NAN, NAN, NAN, 2 / 3 - 7 / 12, 7 / 54])


def test_macd_matches_plain_emas_each_seeded_on_its_own():
    candles = random_walk(count=200)
    close = candles.close.tolist()
    fast, slow = plain_ema(close, 12), plain_ema(close, 26)
    line = [f - s for f, s in zip(fast, slow, strict=True)]
    signal = plain_ema(line, 9)
    values = compute("macd", candles)
    assert_matches(values["line"], line)
    assert_matches(values["signal"], signal)
    assert_matches(values["hist"], [x - s for x, s in zip(line, signal, strict=True)])


def plain_stochastic(candles, k_period: int, smoothing: int, d_period: int):
    high, low, close = candles.high.tolist(), candles.low.tolist(), candles.close.tolist()
    raw = [NAN] * len(close)
    for i in range(k_period - 1, len(close)):
        top, bottom = max(high[i - k_period + 1 : i + 1]), min(low[i - k_period + 1 : i + 1])
        raw[i] = 0.0 if top == bottom else 100.0 * (close[i] - bottom) / (top - bottom)
    k = plain_sma_from_first_value(raw, smoothing)
    d = plain_sma_from_first_value(k, d_period)
    # K is reported from the bar D is (TA-Lib's convention, and the declared warm-up).
    return [NAN if math.isnan(dv) else kv for kv, dv in zip(k, d, strict=True)], d


def plain_sma_from_first_value(values, count: int) -> list[float]:
    start = next((i for i, v in enumerate(values) if not math.isnan(v)), len(values))
    return [NAN] * start + plain_sma(values[start:], count)


def test_stochastic_by_hand():
    # k_period 2, k_smoothing 1, d_period 2; bars (high, low, close):
    # (10, 8, 9), (12, 9, 11), (13, 10, 10), (11, 7, 8).
    # Raw K: bar 1 100 x (11-8)/(12-8) = 75; bar 2 100 x (10-9)/(13-9) = 25;
    #        bar 3 100 x (8-7)/(13-7) = 50/3.
    # D: bar 2 (75+25)/2 = 50; bar 3 (25 + 50/3)/2 = 125/6. K starts with D, at bar 2.
    candles = candles_of([(9, 10, 8, 9), (11, 12, 9, 11), (10, 13, 10, 10), (8, 11, 7, 8)])
    values = compute("stochastic", candles, k_period=2, k_smoothing=1, d_period=2)
    assert_matches(values["k"], [NAN, NAN, 25, 50 / 3])
    assert_matches(values["d"], [NAN, NAN, 50, 125 / 6])


@pytest.mark.parametrize(("k_period", "smoothing", "d_period"), [(14, 3, 3), (5, 1, 4)])
def test_stochastic_matches_a_plain_loop(k_period, smoothing, d_period):
    candles = random_walk(count=150)
    k, d = plain_stochastic(candles, k_period, smoothing, d_period)
    values = compute(
        "stochastic", candles, k_period=k_period, k_smoothing=smoothing, d_period=d_period
    )
    assert_matches(values["k"], k)
    assert_matches(values["d"], d)


def test_stochastic_of_a_flat_range_is_zero():
    values = compute("stochastic", closes(*[5.0] * 6), k_period=2, k_smoothing=2, d_period=2)
    assert_matches(values["k"], [NAN, NAN, NAN, 0, 0, 0])


def plain_cci(candles, count: int) -> list[float]:
    typical = ((candles.high + candles.low + candles.close) / 3).tolist()
    out = [NAN] * len(typical)
    for i in range(count - 1, len(typical)):
        window = typical[i - count + 1 : i + 1]
        mean = sum(window) / count
        deviation = sum(abs(x - mean) for x in window) / count
        out[i] = 0.0 if deviation == 0 else (typical[i] - mean) / (0.015 * deviation)
    return out


def test_cci_by_hand():
    # Period 3, typical prices 2, 4, 9: average 5, deviations 3, 1, 4 -> mean 8/3.
    # CCI = (9 - 5) / (0.015 x 8/3) = 4 / 0.04 = 100.
    assert_matches(compute("cci", closes(2, 4, 9), period=3)["value"], [NAN, NAN, 100])


@pytest.mark.parametrize("count", [2, 20])
def test_cci_matches_a_plain_loop(count):
    candles = random_walk(count=150)
    values = compute("cci", candles, period=count)["value"]
    assert_matches(values, plain_cci(candles, count), decimal=7)
