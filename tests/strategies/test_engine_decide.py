"""The decision pass against hand-worked bars and against a plain per-bar evaluator."""

import math
from pathlib import Path

import numpy as np
import pytest

from strategies.engine import decide
from strategies.engine.timeframes import aggregate_visible, visible_index
from strategies.indicators import get
from strategies.rules import parse
from strategies.rules.model import BarSide, Leaf, Negation, ValueSide
from strategies.series import Candles
from tests.strategies.test_engine_triggers import plain_waits
from tests.strategies.test_indicators_properties import ONE_BAR_INTO_A_WEEK_MS, random_walk

CATALOG = sorted(Path("strategies/content").glob("*/strategy.yaml"))
HOUR_MS = 3_600_000


def closes(*values: float, timeframe: str = "1h") -> Candles:
    count = len(values)
    close = np.array(values, dtype=np.float64)
    time = ONE_BAR_INTO_A_WEEK_MS + HOUR_MS * np.arange(count, dtype=np.int64)
    return Candles(timeframe, time, close.copy(), close + 1, close - 1, close, np.ones(count))


def document(entry: str, exit_: str = "", *, indicators: str = "{}", long_only: bool = True):
    text = f"name: t\nlong_only: {str(long_only).lower()}\nindicators: {indicators}\n"
    text += f"entry: {entry}\n" + (f"exit: {exit_}\n" if exit_ else "")
    return parse(text + "risk: {stop_loss_pct: 0.05}\n")


def bars(signal: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(signal)]


def test_a_cross_fires_only_on_the_bar_where_it_happens():
    doc = document(
        "{lhs: {bar: close}, op: crosses_up, rhs: {value: 10}}",
        "{lhs: {bar: close}, op: crosses_down, rhs: {value: 10}}",
    )
    # close:  9  9  11  12  9  11
    # up:     bar 2 (9 < 10, 11 > 10) and bar 5 (9 < 10, 11 > 10); down: bar 4 (12 > 10, 9 < 10)
    signals = decide(doc, closes(9, 9, 11, 12, 9, 11))

    assert bars(signals.enter_long) == [2, 5]
    assert bars(signals.exit_long) == [4]
    assert bars(signals.exit_short) == [4]  # an untagged exit closes either side
    assert bars(signals.enter_short) == []


def test_touching_is_not_crossing():
    # 9 -> 10 -> 11 against 10: bar 1 only reaches 10, bar 2 starts from 10: strict both sides.
    doc = document("{lhs: {bar: close}, op: crosses_up, rhs: {value: 10}}")

    assert bars(decide(doc, closes(9, 10, 11)).enter_long) == []


def test_warm_up_is_unknown_even_under_not():
    # SMA 3 of 1, 2, 3, 4, 5: NaN, NaN, 2, 3, 4. "not (sma > 2.5)" holds at bar 2 only; bars 0
    # and 1 are unknown, so nothing fires there although "sma > 2.5" is not true.
    doc = document(
        "{not: {lhs: {indicator: s}, op: gt, rhs: {value: 2.5}}}",
        indicators="{s: {kind: sma, period: 3}}",
    )

    assert bars(decide(doc, closes(1, 2, 3, 4, 5)).enter_long) == [2]


def test_or_is_true_where_one_member_is_true_during_warm_up():
    doc = document(
        "{combine: OR, rules: [{lhs: {indicator: s}, op: gt, rhs: {value: 0}},"
        " {lhs: {bar: close}, op: gte, rhs: {value: 2}}]}",
        indicators="{s: {kind: sma, period: 3}}",
    )
    # Bar 1: the SMA is unknown, close 2 >= 2 is true: OR is true. Bar 0: unknown or false.
    assert bars(decide(doc, closes(1, 2, 3)).enter_long) == [1, 2]


def test_and_is_false_where_one_member_is_false_during_warm_up():
    doc = document(
        "{not: {combine: AND, rules: [{lhs: {indicator: s}, op: gt, rhs: {value: 0}},"
        " {lhs: {bar: close}, op: gte, rhs: {value: 2}}]}}",
        indicators="{s: {kind: sma, period: 3}}",
    )
    # Bar 0: close 1 >= 2 is false, so the AND is false whatever the SMA: "not" fires.
    # Bar 1: SMA unknown and close true: unknown. Bar 2: both true: "not" is false.
    assert bars(decide(doc, closes(1, 2, 3)).enter_long) == [0]


def test_directions_give_their_own_signals():
    doc = document(
        "{combine: OR, rules: [{direction: long, combine: AND, rules: "
        "[{lhs: {bar: close}, op: crosses_up, rhs: {value: 10}}]}, {direction: short, "
        "combine: AND, rules: [{lhs: {bar: close}, op: crosses_down, rhs: {value: 10}}]}]}",
        "{direction: short, combine: AND, rules: [{lhs: {bar: close}, op: gt, rhs: {value: 11}}]}",
        long_only=False,
    )
    signals = decide(doc, closes(9, 11, 9, 12))

    assert bars(signals.enter_long) == [1, 3]
    assert bars(signals.enter_short) == [2]
    assert bars(signals.exit_short) == [3]
    assert bars(signals.exit_long) == []


@pytest.mark.parametrize(("value", "expected"), [(3, []), (7, [6, 7])])
def test_a_higher_timeframe_is_seen_only_once_closed(value, expected):
    # 1h bars open at 01:00, 02:00 ... 08:00 (Monday), closes 1 to 8. The series starts inside
    # the 4h bar 00:00-04:00 (it lacks 00:00), so that bar is never used: close 3 is never
    # seen. The 4h bar 04:00-08:00 holds indices 3 to 6 and closes at 08:00 with close 7: the
    # bar of 07:00 (index 6, closing at 08:00) is the first to see it. SMA 1 on 4h is the 4h
    # close.
    doc = document(
        f"{{lhs: {{indicator: s4}}, op: eq, rhs: {{value: {value}}}}}",
        indicators="{s4: {kind: sma, period: 1, timeframe: 4h}}",
    )

    assert bars(decide(doc, closes(1, 2, 3, 4, 5, 6, 7, 8)).enter_long) == expected


# A deliberately plain evaluator: one bar at a time, None for unknown.


def plain_value(side, inputs: dict, candles: Candles, i: int) -> float | None:
    if i < 0:
        return None
    if isinstance(side, ValueSide):
        return float(side.value)
    if isinstance(side, BarSide):
        value = float(getattr(candles, side.bar)[i])
    else:
        value = float(inputs[(side.indicator, side.field)][i])
    return None if math.isnan(value) else value


def plain_leaf(leaf: Leaf, inputs, candles, i) -> bool | None:
    a, b = plain_value(leaf.lhs, inputs, candles, i), plain_value(leaf.rhs, inputs, candles, i)
    if a is None or b is None:
        return None
    if leaf.op in ("crosses_up", "crosses_down"):
        a0 = plain_value(leaf.lhs, inputs, candles, i - 1)
        b0 = plain_value(leaf.rhs, inputs, candles, i - 1)
        if a0 is None or b0 is None:
            return None
        return (a0 < b0 and a > b) if leaf.op == "crosses_up" else (a0 > b0 and a < b)
    return {"gt": a > b, "lt": a < b, "gte": a >= b, "lte": a <= b, "eq": a == b}[leaf.op]


def plain_rule(rule, inputs, candles, i) -> bool | None:
    if isinstance(rule, Leaf):
        return plain_leaf(rule, inputs, candles, i)
    if isinstance(rule, Negation):
        inner = plain_rule(rule.negated, inputs, candles, i)
        return None if inner is None else not inner
    values = [plain_rule(member, inputs, candles, i) for member in rule.rules]
    decisive = rule.combine == "OR"  # OR: any True decides; AND: any False decides
    if decisive in values:
        return decisive
    return None if None in values else not decisive


def indicator_inputs(doc, candles) -> dict:
    """Every indicator output on the run's bars, keyed as sides name them. The indicators have
    tests of their own; here the rules' evaluation is under test. (Documents with a higher
    timeframe are covered by the hand-worked case above and the no-look-ahead property.)"""
    values = {}
    for alias, declared in doc.indicators.items():
        spec = get(declared.kind)
        outputs = spec.compute(candles, spec.with_defaults(declared.params))
        values[(alias, None)] = outputs[spec.outputs[0]]
        for name, array in outputs.items():
            values[(alias, name)] = array
    return values


SINGLE_TIMEFRAME = [path for path in CATALOG if "timeframe:" not in path.read_text()]


@pytest.mark.parametrize("path", SINGLE_TIMEFRAME, ids=lambda path: path.parent.name)
def test_the_vectorised_pass_agrees_with_a_per_bar_loop(path):
    doc = parse(path.read_text())
    candles = random_walk(600, seed=len(path.parent.name))
    inputs = indicator_inputs(doc, candles)

    signals = decide(doc, candles)

    triggers = doc.trigger_branches()
    for direction, rule in doc.entry_branches().items():
        expected = [
            plain_rule(rule, inputs, candles, i) is True if rule else False
            for i in range(len(candles))
        ]
        if doc.entry_trigger is not None:  # the entries wait for their trigger
            trigger = triggers[direction]
            held = [
                plain_rule(trigger, inputs, candles, i) is True if trigger else False
                for i in range(len(candles))
            ]
            exits = list(getattr(signals, f"exit_{direction}"))
            waited, _expired = plain_waits(expected, held, exits, doc.entry_trigger.max_wait_bars)
            expected = [i in waited for i in range(len(candles))]
        assert list(getattr(signals, f"enter_{direction}")) == expected, direction
    for direction, rule in doc.exit_branches().items():
        expected = [
            plain_rule(rule, inputs, candles, i) is True if rule else False
            for i in range(len(candles))
        ]
        assert list(getattr(signals, f"exit_{direction}")) == expected, direction


def test_the_catalog_is_there_and_mostly_single_timeframe():
    assert len(CATALOG) >= 15
    assert len(SINGLE_TIMEFRAME) >= 10


def test_a_series_that_starts_with_a_higher_bar_uses_it():
    # The same closes, but the first bar opens at 00:00: the 4h bar 00:00-04:00 is whole
    # (indices 0 to 3, close 4) and the bar of 03:00 (index 3, closing at 04:00) sees it.
    doc = document(
        "{lhs: {indicator: s4}, op: eq, rhs: {value: 4}}",
        indicators="{s4: {kind: sma, period: 1, timeframe: 4h}}",
    )
    shifted = closes(1, 2, 3, 4, 5, 6, 7, 8)
    at_midnight = Candles(
        "1h",
        shifted.time - HOUR_MS,
        shifted.open,
        shifted.high,
        shifted.low,
        shifted.close,
        shifted.volume,
    )

    assert bars(decide(doc, at_midnight).enter_long) == [3, 4, 5, 6]


@pytest.mark.parametrize("timeframe", ["4h", "1d", "1w"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_fast_visible_index_is_the_searched_one(timeframe, seed):
    # Random gaps, and a start inside a higher bar: the counted index must equal the plain
    # search of each base close among the higher closes.
    walk = random_walk(3000, seed=seed)
    keep = np.random.default_rng(seed).random(len(walk)) > 0.3
    gappy = walk.slice_where(keep)

    higher, visible = aggregate_visible(gappy, timeframe)

    np.testing.assert_array_equal(visible, visible_index(gappy, higher))
