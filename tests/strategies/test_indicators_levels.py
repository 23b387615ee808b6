"""Previous day and week levels, premium and discount zones: by hand and plain loops."""

from datetime import UTC, datetime

import numpy as np
import pytest

from strategies.indicators import get
from strategies.series import Candles
from tests.strategies.test_indicators_averages import NAN, assert_matches
from tests.strategies.test_indicators_properties import candles_of, compute, random_walk

HOUR_MS = 3_600_000
MONDAY_MS = 1_704_067_200_000  # 2024-01-01 00:00 UTC, a Monday


def six_hour_bars(start_ms: int, rows) -> Candles:
    table = np.array(rows, dtype=np.float64)
    time = start_ms + 6 * HOUR_MS * np.arange(len(rows), dtype=np.int64)
    opens, highs, lows, closes = (table[:, column].copy() for column in range(4))
    return Candles("6h", time, opens, highs, lows, closes, np.ones(len(rows)))


TUESDAY_ROWS = [(10, 12, 9, 11), (11, 15, 10, 14), (14, 14, 8, 9), (9, 10, 7, 8)]


def test_day_levels_by_hand_skip_the_partial_first_day():
    # Starts Monday 06:00: Monday lacks its 00:00 bar, so it never counts. Tuesday's four
    # bars: open 10, high 15, low 7, close 8; Wednesday's bars read them, from bar 7 on,
    # which is the declared worst-case warm-up for 6h bars (2 x 4 - 1).
    monday = [(5, 6, 4, 5)] * 3
    wednesday = [(8, 9, 7, 8), (8, 20, 1, 8)]
    candles = six_hour_bars(MONDAY_MS + 6 * HOUR_MS, monday + TUESDAY_ROWS + wednesday)
    values = compute("prior_period_levels", candles)
    waiting = [NAN] * 7
    assert_matches(values["day_open"], [*waiting, 10, 10])
    assert_matches(values["day_high"], [*waiting, 15, 15])
    assert_matches(values["day_low"], [*waiting, 7, 7])
    assert_matches(values["day_close"], [*waiting, 8, 8])
    assert np.isnan(values["week_high"]).all()
    assert get("prior_period_levels").warmup_of("day_high", {}, candles.bar_ms) == 7


def test_a_series_starting_at_midnight_counts_its_first_day():
    candles = six_hour_bars(MONDAY_MS + 24 * HOUR_MS, [*TUESDAY_ROWS, (8, 9, 7, 8)])
    values = compute("prior_period_levels", candles)
    assert_matches(values["day_high"], [NAN] * 4 + [15])


def test_a_day_without_bars_is_skipped():
    # Tuesday's bars, nothing on Wednesday, then Thursday: Thursday reads Tuesday.
    thursday_ms = MONDAY_MS + 3 * 24 * HOUR_MS
    rows = [*TUESDAY_ROWS, (1, 1, 1, 1)]
    opens, highs, lows, closes = (
        np.array([row[column] for row in rows], dtype=float) for column in range(4)
    )
    times = [MONDAY_MS + 24 * HOUR_MS + 6 * HOUR_MS * i for i in range(4)] + [thursday_ms]
    candles = Candles("6h", np.array(times), opens, highs, lows, closes, np.ones(5))
    assert_matches(compute("prior_period_levels", candles)["day_low"], [NAN] * 4 + [7])


def plain_prior_levels(candles: Candles, period_of) -> dict[str, list[float]]:
    """Group bars by calendar period; each bar reads the last complete group before its own."""
    keys = [period_of(datetime.fromtimestamp(ms / 1000, tz=UTC)) for ms in candles.time.tolist()]
    starts_on_boundary = (
        period_of(datetime.fromtimestamp((int(candles.time[0]) - 1) / 1000, tz=UTC)) != keys[0]
    )
    out: dict[str, list[float]] = {"high": [], "low": [], "open": [], "close": []}
    for i, key in enumerate(keys):
        earlier = [j for j in range(i) if keys[j] != key]
        previous_key = keys[earlier[-1]] if earlier else None
        usable = previous_key is not None and (starts_on_boundary or previous_key != keys[0])
        rows = [j for j in range(i) if keys[j] == previous_key] if usable else []
        out["high"].append(max(candles.high[rows]) if rows else NAN)
        out["low"].append(min(candles.low[rows]) if rows else NAN)
        out["open"].append(candles.open[rows[0]] if rows else NAN)
        out["close"].append(candles.close[rows[-1]] if rows else NAN)
    return out


@pytest.mark.parametrize(("timeframe", "count"), [("1h", 400), ("4h", 200), ("1d", 40)])
def test_prior_period_levels_match_a_calendar_loop(timeframe, count):
    candles = random_walk(count=count, timeframe=timeframe)
    values = compute("prior_period_levels", candles)
    days = plain_prior_levels(candles, lambda moment: moment.date())
    weeks = plain_prior_levels(candles, lambda moment: moment.isocalendar()[:2])
    for name in ("high", "low", "open", "close"):
        assert_matches(values[f"day_{name}"], days[name])
        assert_matches(values[f"week_{name}"], weeks[name])
    assert np.isfinite(values["week_close"]).any()


def test_worst_case_warmups_by_timeframe():
    # A week of 1h bars is 168: one bar short of a week, then a full one -> 2 x 168 - 1.
    spec = get("prior_period_levels")
    assert spec.warmup({}, HOUR_MS) == 335
    assert spec.warmup_of("day_open", {}, HOUR_MS) == 47
    assert spec.warmup({}, 24 * HOUR_MS) == 13
    assert spec.warmup_of("day_open", {}, 24 * HOUR_MS) == 1


def test_premium_discount_zones_by_hand():
    # Period 2, band 0.1. Bar 2 reads bars 0-1: high 10, low 0, equilibrium 5, band 1;
    # close 7 > 6: premium. Bar 3 reads bars 1-2: high 9, low 2, equilibrium 5.5, band 0.7;
    # close 5 is within 4.8-6.2: equilibrium. Bar 4 reads bars 2-3: high 9, low 1,
    # equilibrium 5, band 0.8; close 3 < 4.2: discount.
    rows = [(5, 10, 0, 5), (6, 8, 2, 6), (7, 9, 4, 7), (5, 6, 1, 5), (3, 4, 2, 3)]
    values = compute("premium_discount_zones", candles_of(rows), period=2, band=0.1)
    assert_matches(values["current_zone"], [NAN, NAN, 1, 0, -1])
    assert_matches(values["range_high"], [NAN, NAN, 10, 9, 9])
    assert_matches(values["range_low"], [NAN, NAN, 0, 2, 1])
    assert_matches(values["equilibrium"], [NAN, NAN, 5, 5.5, 5])


@pytest.mark.parametrize(("count", "band"), [(50, 0.05), (10, 0.0), (20, 0.3)])
def test_premium_discount_zones_match_a_plain_loop(count, band):
    candles = random_walk(count=200)
    high, low, close = candles.high.tolist(), candles.low.tolist(), candles.close.tolist()
    zones = [NAN] * count
    for i in range(count, 200):
        top, bottom = max(high[i - count : i]), min(low[i - count : i])
        middle, width = (top + bottom) / 2, band * (top - bottom)
        zones.append(
            1.0 if close[i] > middle + width else -1.0 if close[i] < middle - width else 0.0
        )
    values = compute("premium_discount_zones", candles, period=count, band=band)
    assert_matches(values["current_zone"], zones)
    assert {-1.0, 1.0} <= set(zones[count:])
