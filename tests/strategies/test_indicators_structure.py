"""Swing highs and lows, fair value gaps: by hand and against plain per-bar loops."""

import numpy as np
import pytest

from tests.strategies.test_indicators_averages import NAN, assert_matches
from tests.strategies.test_indicators_properties import candles_of, compute, random_walk


def bars_with_highs(*highs: float):
    return candles_of([(high - 1, high, high - 2, high - 1) for high in highs])


def test_swing_high_by_hand_is_known_only_after_the_right_bars():
    # left = right = 1 over highs 1, 3, 2, 5, 4, 3, 6. Bar 1 (3) is a swing high, known at
    # bar 2; bar 3 (5) is one, known at bar 4: bar 3 itself still reads 3. Bar 6 (6) has no
    # bar after it yet.
    values = compute("swing_high", bars_with_highs(1, 3, 2, 5, 4, 3, 6), left=1, right=1)
    assert_matches(values["value"], [NAN, NAN, 3, 3, 5, 5, 5])


def test_on_a_flat_top_the_first_bar_is_the_swing():
    # Highs 1, 4, 4, 2: bar 1 is above bar 0 and not below bar 2; bar 2 is not above bar 1.
    values = compute("swing_high", bars_with_highs(1, 4, 4, 2), left=1, right=1)
    assert_matches(values["value"], [NAN, NAN, 4, 4])


def test_swing_low_by_hand():
    # left 2, right 1 over lows 5, 4, 2, 3, 1, 2: bar 2 (2) is below bars 0-1 and not above
    # bar 3: known at bar 3. Bar 4 (1) is below bars 2-3 and bar 5: known at bar 5.
    rows = [(low + 1, low + 2, low, low + 1) for low in (5, 4, 2, 3, 1, 2)]
    values = compute("swing_low", candles_of(rows), left=2, right=1)
    assert_matches(values["value"], [NAN, NAN, NAN, 2, 2, 1])


def plain_swings(values: list[float], left: int, right: int, *, highs: bool) -> list[float]:
    sign = 1.0 if highs else -1.0
    signed = [sign * value for value in values]
    out, latest = [], NAN
    for bar in range(len(values)):
        pivot = bar - right
        if pivot >= left:
            before, after = signed[pivot - left : pivot], signed[pivot + 1 : bar + 1]
            if all(signed[pivot] > x for x in before) and all(signed[pivot] >= x for x in after):
                latest = values[pivot]
        out.append(latest if bar >= left + right else NAN)
    return out


@pytest.mark.parametrize(("left", "right"), [(5, 5), (2, 3), (1, 1), (10, 2)])
def test_swings_match_a_plain_loop(left, right):
    candles = random_walk(count=300)
    highs = compute("swing_high", candles, left=left, right=right)["value"]
    lows = compute("swing_low", candles, left=left, right=right)["value"]
    assert_matches(highs, plain_swings(candles.high.tolist(), left, right, highs=True))
    assert_matches(lows, plain_swings(candles.low.tolist(), left, right, highs=False))
    assert len(set(highs[~np.isnan(highs)].tolist())) > 3


def test_fair_value_gaps_by_hand():
    # Bar 2: low 12 > bar 0's high 10: a bullish gap from 10 to 12.
    # Bar 3: low 13 is not above bar 1's high 13. Bar 4 dips to 11: into the gap, not
    #   through it (its bottom is 10), so it stays open.
    # Bar 5: high 12 < bar 3's low 13: a bearish gap from 12 to 13, the latest open one; its
    #   low 9.5 also fills the bullish gap.
    # Bar 6: high 13.5 reaches the bearish gap's top: filled; no open gap is left.
    rows = [
        (9, 10, 8, 9),
        (10, 13, 9, 12),
        (13, 15, 12, 14),
        (14, 16, 13, 15),
        (14, 14, 11, 12),
        (11, 12, 9.5, 10),
        (11, 13.5, 11, 13),
    ]
    values = compute("fair_value_gap", candles_of(rows))
    assert_matches(values["state"], [NAN, NAN, 1, 0, 0, -1, 0])
    assert_matches(values["top"], [NAN, NAN, 12, 12, 12, 13, NAN])
    assert_matches(values["bottom"], [NAN, NAN, 10, 10, 10, 12, NAN])


def test_an_older_gap_is_the_answer_again_when_a_newer_one_fills():
    # Gap A (bar 2): 10 to 12. Gap B (bar 4, low 18 > bar 2's high 15): 15 to 18.
    # Bar 5's low 14.5 fills B but not A: A's edges again.
    rows = [
        (9, 10, 8, 9),
        (10, 13, 9, 12),
        (13, 15, 12, 14),
        (14, 17, 13, 16),
        (18, 20, 18, 19),
        (16, 19, 14.5, 15),
    ]
    values = compute("fair_value_gap", candles_of(rows))
    assert_matches(values["top"], [NAN, NAN, 12, 12, 18, 12])
    assert_matches(values["bottom"], [NAN, NAN, 10, 10, 15, 10])


def plain_fair_value_gaps(candles):
    high, low = candles.high.tolist(), candles.low.tolist()
    gaps: list[dict] = []  # each: direction, top, bottom, open
    state, top, bottom = [NAN, NAN][: len(high)], [], []
    for bar in range(len(high)):
        for gap in gaps:
            if gap["bullish"] and low[bar] <= gap["bottom"]:
                gap["open"] = False
            if not gap["bullish"] and high[bar] >= gap["top"]:
                gap["open"] = False
        if bar >= 2:
            if low[bar] > high[bar - 2]:
                gaps.append(
                    {"bullish": True, "top": low[bar], "bottom": high[bar - 2], "open": True}
                )
                state.append(1.0)
            elif high[bar] < low[bar - 2]:
                gaps.append(
                    {"bullish": False, "top": low[bar - 2], "bottom": high[bar], "open": True}
                )
                state.append(-1.0)
            else:
                state.append(0.0)
        latest = [gap for gap in gaps if gap["open"]]
        top.append(latest[-1]["top"] if latest else NAN)
        bottom.append(latest[-1]["bottom"] if latest else NAN)
    return state, top, bottom


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fair_value_gaps_match_a_plain_loop(seed):
    candles = random_walk(count=400, seed=seed)
    state, top, bottom = plain_fair_value_gaps(candles)
    values = compute("fair_value_gap", candles)
    assert_matches(values["state"], state)
    assert_matches(values["top"], top)
    assert_matches(values["bottom"], bottom)
    assert {-1.0, 1.0} <= set(state[2:])
    assert np.isnan(top[2:]).any()
