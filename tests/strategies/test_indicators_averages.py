"""Moving averages, volume averages, VWAP, highest and lowest: against hand-worked values and
deliberately plain per-bar loops."""

import math

import numpy as np
import pytest

from tests.strategies.test_indicators_properties import candles_of, compute, random_walk

NAN = math.nan


def closes(*values: float):
    return candles_of([(value, value, value, value) for value in values])


def assert_matches(actual: np.ndarray, expected, decimal: int = 9) -> None:
    """Equal to `decimal` places, with NaN where NaN is expected."""
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    np.testing.assert_array_almost_equal(actual, expected, decimal=decimal)


def plain_sma(values, count: int) -> list[float]:
    out = []
    for i in range(len(values)):
        out.append(NAN if i < count - 1 else sum(values[i - count + 1 : i + 1]) / count)
    return out


def plain_ema(values, count: int) -> list[float]:
    """Seeded with the average of the first `count` finite values, then alpha = 2 / (N + 1)."""
    out, seen, level = [], [], NAN
    for value in values:
        if math.isnan(value):
            out.append(NAN)
            continue
        seen.append(value)
        if len(seen) == count:
            level = sum(seen) / count
        elif len(seen) > count:
            level += 2.0 / (count + 1) * (value - level)
        out.append(level)
    return out


def test_sma_by_hand():
    # Period 3 over 1, 2, 3, 4, 5: (1+2+3)/3 = 2, (2+3+4)/3 = 3, (3+4+5)/3 = 4.
    assert_matches(compute("sma", closes(1, 2, 3, 4, 5), period=3)["value"], [NAN, NAN, 2, 3, 4])


def test_ema_by_hand():
    # Period 3, alpha = 2/4 = 0.5. Seed = (2+4+6)/3 = 4; then 4 + 0.5 x (8-4) = 6;
    # then 6 + 0.5 x (12-6) = 9.
    values = compute("ema", closes(2, 4, 6, 8, 12), period=3)["value"]
    assert_matches(values, [NAN, NAN, 4, 6, 9])


def test_wma_by_hand():
    # Period 3, weights 1, 2, 3 (latest heaviest), divided by 6:
    # (1x1 + 2x2 + 3x3)/6 = 14/6; (2x1 + 3x2 + 6x3)/6 = 26/6.
    values = compute("wma", closes(1, 2, 3, 6), period=3)["value"]
    assert_matches(values, [NAN, NAN, 14 / 6, 26 / 6])


@pytest.mark.parametrize("count", [1, 5, 20])
def test_averages_match_plain_loops(count):
    candles = random_walk(count=150)
    close = candles.close.tolist()
    weights = range(1, count + 1)
    plain_wma = [
        NAN
        if i < count - 1
        else sum(w * v for w, v in zip(weights, close[i - count + 1 : i + 1], strict=True))
        / sum(weights)
        for i in range(len(close))
    ]
    assert_matches(compute("sma", candles, period=count)["value"], plain_sma(close, count))
    assert_matches(compute("ema", candles, period=count)["value"], plain_ema(close, count))
    assert_matches(compute("wma", candles, period=count)["value"], plain_wma)
    volume_ma = compute("volume_ma", candles, period=count)["value"]
    assert_matches(volume_ma, plain_sma(candles.volume.tolist(), count))


def test_volume_ma_by_hand():
    # Period 2 over volumes 10, 20, 30, 40: 15, 25, 35.
    candles = candles_of([(1, 1, 1, 1)] * 4, volume=[10, 20, 30, 40])
    assert_matches(compute("volume_ma", candles, period=2)["value"], [NAN, 15, 25, 35])


def test_vwap_by_hand():
    # Typical prices (h+l+c)/3: (3+1+2)/3 = 2, (6+2+4)/3 = 4, (9+3+6)/3 = 6; volumes 1, 3, 2.
    # Period 2: (2x1 + 4x3)/(1+3) = 14/4 = 3.5; (4x3 + 6x2)/(3+2) = 24/5 = 4.8.
    candles = candles_of([(2, 3, 1, 2), (4, 6, 2, 4), (6, 9, 3, 6)], volume=[1, 3, 2])
    assert_matches(compute("vwap", candles, period=2)["value"], [NAN, 3.5, 4.8])


def test_vwap_is_undefined_over_a_window_without_volume():
    # Windows of 2: (1, 0) has volume, (0, 0) has none, (0, 4) has: price 5 x 4 / 4 = 5.
    candles = candles_of([(5, 5, 5, 5)] * 4, volume=[1, 0, 0, 4])
    assert_matches(compute("vwap", candles, period=2)["value"], [NAN, 5, NAN, 5])


def test_vwap_matches_a_plain_loop():
    candles = random_walk(count=120)
    typical = ((candles.high + candles.low + candles.close) / 3).tolist()
    volume = candles.volume.tolist()
    expected = [
        NAN
        if i < 9
        else sum(t * v for t, v in zip(typical[i - 9 : i + 1], volume[i - 9 : i + 1], strict=True))
        / sum(volume[i - 9 : i + 1])
        for i in range(120)
    ]
    assert_matches(compute("vwap", candles, period=10)["value"], expected)


@pytest.mark.parametrize("source", ["open", "high", "low", "close", "volume"])
@pytest.mark.parametrize("count", [1, 7])
def test_highest_and_lowest_of_any_field_include_the_current_bar(source, count):
    candles = random_walk(count=80)
    values = candles.field(source).tolist()
    highest = [NAN if i < count - 1 else max(values[i - count + 1 : i + 1]) for i in range(80)]
    lowest = [NAN if i < count - 1 else min(values[i - count + 1 : i + 1]) for i in range(80)]
    assert_matches(compute("highest", candles, period=count, source=source)["value"], highest)
    assert_matches(compute("lowest", candles, period=count, source=source)["value"], lowest)


def test_highest_by_hand():
    # Highs 1, 5, 3, 2 over 2 bars, this one included: 5, 5, 3.
    candles = candles_of([(1, 1, 1, 1), (1, 5, 1, 1), (1, 3, 1, 1), (1, 2, 1, 1)])
    assert_matches(compute("highest", candles, period=2)["value"], [NAN, 5, 5, 3])
