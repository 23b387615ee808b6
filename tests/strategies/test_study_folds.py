"""Walk-forward folds on hand-built bar times, each fold's bars counted by hand."""

from collections.abc import Iterable

import numpy as np
import pytest

from strategies.engine.study.folds import Fold, walk_forward_folds

HOUR_MS = 3_600_000
DAY_MS = 86_400_000
START_MS = 1_704_067_200_000  # Monday 2024-01-01 00:00 UTC


def daily(days: Iterable[int]) -> np.ndarray:
    """Daily bar opens on the given day numbers (day 0 is START_MS)."""
    return START_MS + DAY_MS * np.fromiter(days, dtype=np.int64)


def hourly(count: int) -> np.ndarray:
    return START_MS + HOUR_MS * np.arange(count, dtype=np.int64)


def test_rolling_folds_over_200_daily_bars():
    # Bar i opens on day i and closes on day i + 1: the last close is day 200. OOS windows start
    # on day 60 and are 30 days long: [60, 90), [90, 120), [120, 150), [150, 180) end by day 200;
    # [180, 210) would end after it (partial) and is left out. Each in-sample window is the 60
    # days before its OOS window; with a bar a day, day numbers are bar indices.
    folds = walk_forward_folds(daily(range(200)), DAY_MS)

    assert folds == [
        Fold(1, slice(0, 60), slice(60, 90)),
        Fold(2, slice(30, 90), slice(90, 120)),
        Fold(3, slice(60, 120), slice(120, 150)),
        Fold(4, slice(90, 150), slice(150, 180)),
    ]


def test_anchored_folds_over_200_daily_bars():
    # The same OOS windows; every in-sample window starts on day 0.
    folds = walk_forward_folds(daily(range(200)), DAY_MS, anchored=True)

    assert folds == [
        Fold(1, slice(0, 60), slice(60, 90)),
        Fold(2, slice(0, 90), slice(90, 120)),
        Fold(3, slice(0, 120), slice(120, 150)),
        Fold(4, slice(0, 150), slice(150, 180)),
    ]


def test_a_last_window_ending_on_the_last_close_is_kept():
    # 180 bars: the last closes on day 180, exactly where the fourth OOS window [150, 180) ends.
    # One bar fewer (last close day 179) and that window is partial: three folds.
    assert len(walk_forward_folds(daily(range(180)), DAY_MS)) == 4
    assert len(walk_forward_folds(daily(range(179)), DAY_MS)) == 3


def test_hourly_bars_with_windows_of_days():
    # 120 hourly bars = 5 days; last close at hour 120. IS 2 days (48 bars), OOS 1 day (24 bars):
    # OOS windows hours [48, 72), [72, 96), [96, 120), the last ending on the last close.
    rolling = walk_forward_folds(hourly(120), HOUR_MS, in_sample_days=2, out_of_sample_days=1)
    anchored = walk_forward_folds(
        hourly(120), HOUR_MS, in_sample_days=2, out_of_sample_days=1, anchored=True
    )

    assert rolling == [
        Fold(1, slice(0, 48), slice(48, 72)),
        Fold(2, slice(24, 72), slice(72, 96)),
        Fold(3, slice(48, 96), slice(96, 120)),
    ]
    assert anchored == [
        Fold(1, slice(0, 48), slice(48, 72)),
        Fold(2, slice(0, 72), slice(72, 96)),
        Fold(3, slice(0, 96), slice(96, 120)),
    ]


def test_bars_that_do_not_line_up_with_the_windows_go_by_their_open():
    # 7-hour bars, 11 of them: opens at hours 0, 7, 14, 21 | 28, 35, 42 | 49, 56, 63, 70; the
    # last closes at hour 77. IS 1 day, OOS 1 day:
    #   fold 1: IS [0, 24) holds opens 0..21 -> bars 0-3; OOS [24, 48) opens 28..42 -> bars 4-6
    #   fold 2: IS [24, 48) -> bars 4-6;                   OOS [48, 72) opens 49..70 -> bars 7-10
    #   OOS [72, 96) ends after hour 77: partial, left out.
    times = START_MS + 7 * HOUR_MS * np.arange(11, dtype=np.int64)

    folds = walk_forward_folds(times, 7 * HOUR_MS, in_sample_days=1, out_of_sample_days=1)

    assert folds == [
        Fold(1, slice(0, 4), slice(4, 7)),
        Fold(2, slice(4, 7), slice(7, 11)),
    ]


def test_a_gap_that_empties_an_out_of_sample_window_drops_that_fold():
    # Days 0-89 and 120-199: 170 bars, day d is bar d below 90 and bar d - 30 from 120. Last
    # close day 200, OOS windows as with 200 bars:
    #   k=0: IS [0, 60) -> 0:60,    OOS [60, 90) -> 60:90
    #   k=1: IS [30, 90) -> 30:90,  OOS [90, 120) holds no bar: left out
    #   k=2: IS [60, 120) -> days 60-89 = 60:90,   OOS [120, 150) -> 90:120
    #   k=3: IS [90, 150) -> days 120-149 = 90:120, OOS [150, 180) -> 120:150
    # numbered 1, 2, 3 over the folds kept.
    times = daily([*range(90), *range(120, 200)])

    folds = walk_forward_folds(times, DAY_MS)

    assert folds == [
        Fold(1, slice(0, 60), slice(60, 90)),
        Fold(2, slice(60, 90), slice(90, 120)),
        Fold(3, slice(90, 120), slice(120, 150)),
    ]


def test_a_gap_that_empties_an_in_sample_window_drops_that_fold_when_rolling():
    # Days 0-9 and 20-59: 50 bars, day d is bar d below 10 and bar d - 10 from 20. Last close
    # day 60. IS 10 days, OOS 10 days: OOS windows [10, 20) ... [50, 60).
    #   k=0: OOS [10, 20) empty: left out (rolling and anchored)
    #   k=1: rolling IS [10, 20) empty: left out; anchored IS [0, 20) = days 0-9 -> 0:10 kept,
    #        OOS [20, 30) -> 10:20
    #   k=2: IS [20, 30) -> 10:20 (anchored 0:20), OOS [30, 40) -> 20:30
    #   k=3: IS [30, 40) -> 20:30 (anchored 0:30), OOS [40, 50) -> 30:40
    #   k=4: IS [40, 50) -> 30:40 (anchored 0:40), OOS [50, 60) -> 40:50
    times = daily([*range(10), *range(20, 60)])
    lengths = {"in_sample_days": 10, "out_of_sample_days": 10}

    rolling = walk_forward_folds(times, DAY_MS, **lengths)
    anchored = walk_forward_folds(times, DAY_MS, **lengths, anchored=True)

    assert rolling == [
        Fold(1, slice(10, 20), slice(20, 30)),
        Fold(2, slice(20, 30), slice(30, 40)),
        Fold(3, slice(30, 40), slice(40, 50)),
    ]
    assert anchored == [
        Fold(1, slice(0, 10), slice(10, 20)),
        Fold(2, slice(0, 20), slice(20, 30)),
        Fold(3, slice(0, 30), slice(30, 40)),
        Fold(4, slice(0, 40), slice(40, 50)),
    ]


@pytest.mark.parametrize("days", [1, 60, 89])
def test_a_history_shorter_than_one_fold_has_no_fold(days):
    # The first fold needs 60 + 30 = 90 days up to the last close; `days` bars close by day
    # `days` < 90.
    assert walk_forward_folds(daily(range(days)), DAY_MS) == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"bar_ms": 0}, "bar_ms must be positive"),
        ({"in_sample_days": 0}, "in_sample_days must be positive"),
        ({"out_of_sample_days": -30}, "out_of_sample_days must be positive"),
    ],
)
def test_lengths_must_be_positive(arguments, message):
    settings = {"bar_ms": DAY_MS, **arguments}

    with pytest.raises(ValueError, match=message):
        walk_forward_folds(daily(range(200)), **settings)


def test_no_bars_is_an_error():
    with pytest.raises(ValueError, match="no bars"):
        walk_forward_folds(np.array([], dtype=np.int64), DAY_MS)
