"""Named entry triggers: a pullback to a level, a confirmation candle and a retest, each the
rule it stands for (written out here by hand), for a long and a short; each refused on its
line without what it needs; and written back as it was read, never as its rule."""

import numpy as np
import pytest

from strategies.engine import decide
from strategies.i18n import override
from strategies.rules import DocumentError, dump, parse
from tests.strategies.backtest_helpers import bars

BOTH_WAYS = """name: named
long_only: false
indicators:
  avg: {kind: sma, period: 3}
entry:
  combine: OR
  rules:
    - {lhs: {bar: close}, op: gt, rhs: {value: 105}, direction: long}
    - {lhs: {bar: close}, op: lt, rhs: {value: 95}, direction: short}
entry_trigger:
  TRIGGER
  max_wait_bars: 3
risk: {stop_loss_pct: 0.5}
"""


def named(trigger: str) -> str:
    return BOTH_WAYS.replace("TRIGGER", trigger)


def explicit(long_rule: str, short_rule: str) -> str:
    return named(f"rule:\n    combine: OR\n    rules:\n      - {long_rule}\n      - {short_rule}")


@pytest.mark.parametrize(
    ("trigger", "long_rule", "short_rule"),
    [
        (
            "kind: pullback\n  level: {value: 100}",
            "{lhs: {bar: low}, op: lte, rhs: {value: 100}, direction: long}",
            "{lhs: {bar: high}, op: gte, rhs: {value: 100}, direction: short}",
        ),
        (
            "kind: confirmation_candle",
            "{lhs: {bar: close}, op: gt, rhs: {bar: open}, direction: long}",
            "{lhs: {bar: close}, op: lt, rhs: {bar: open}, direction: short}",
        ),
        (
            "kind: retest\n  level: {value: 100}",
            "{combine: AND, direction: long, rules: ["
            "{lhs: {bar: low}, op: lte, rhs: {value: 100}},"
            " {lhs: {bar: close}, op: gt, rhs: {value: 100}}]}",
            "{combine: AND, direction: short, rules: ["
            "{lhs: {bar: high}, op: gte, rhs: {value: 100}},"
            " {lhs: {bar: close}, op: lt, rhs: {value: 100}}]}",
        ),
    ],
    ids=["pullback", "confirmation-candle", "retest"],
)
def test_a_named_trigger_decides_as_the_rule_it_stands_for(trigger, long_rule, short_rule):
    rng = np.random.default_rng(5)  # swings between 90 and 110, with noise
    closes = 100 + 10 * np.sin(np.arange(300) / 6) + rng.normal(0, 2, 300)
    opens = np.concatenate(([100.0], closes[:-1])) + rng.normal(0, 1, 300)
    rows = [(o, max(o, c) + 1.5, min(o, c) - 1.5, c) for o, c in zip(opens, closes, strict=True)]
    candles = bars(*rows)

    by_name = decide(parse(named(trigger)), candles)
    by_rule = decide(parse(explicit(long_rule, short_rule)), candles)

    assert by_name.enter_long.sum() >= 3
    assert by_name.enter_short.sum() >= 3
    assert by_name.expired_long.sum() + by_name.expired_short.sum() >= 2
    for flags in ("enter_long", "enter_short", "expired_long", "expired_short"):
        assert np.array_equal(getattr(by_name, flags), getattr(by_rule, flags)), flags


def test_a_confirmation_candle_on_hand_made_bars():
    # Close 0 fires (106 > 105); bar 1 closes under its open (red), bar 2 above it (green):
    # the entry is decided at close 2.
    candles = bars((104, 107, 103, 106), (106, 107, 104, 105), (105, 108, 104, 107))
    signals = decide(parse(named("kind: confirmation_candle")), candles)

    assert signals.enter_long.tolist() == [False, False, True]


@pytest.mark.parametrize(
    ("trigger", "path", "message"),
    [
        ("kind: pullback", "entry_trigger.level", "this key is required"),
        ("kind: rule", "entry_trigger.rule", "this key is required"),
        (
            "kind: confirmation_candle\n  level: {value: 100}",
            "entry_trigger.level",
            "level is for a pullback or a retest trigger",
        ),
        (
            "kind: retest\n  level: {value: 100}\n"
            "  rule: {lhs: {bar: close}, op: gt, rhs: {value: 1}}",
            "entry_trigger.rule",
            "a retest trigger is built from its kind",
        ),
        ("kind: bounce", "entry_trigger.kind", 'unknown value "bounce": use rule, pullback'),
        (
            "kind: pullback\n  level: {bar: close}",
            "entry_trigger.level",
            "a level is an indicator or a value",
        ),
        (
            "kind: pullback\n  level: {indicator: nothing}",
            "entry_trigger.level.indicator",
            'unknown indicator "nothing"',
        ),
    ],
    ids=["pullback-no-level", "rule-no-rule", "level-unused", "rule-beside-kind", "kind-word",
         "bar-level", "unknown-level"],
)  # fmt: skip
def test_what_a_named_trigger_needs_is_said_on_its_line(trigger, path, message):
    with override("en"), pytest.raises(DocumentError) as refused:
        parse(named(trigger))

    [problem] = refused.value.errors
    assert problem.path == path
    assert problem.line is not None
    assert str(problem.message).startswith(message)


def test_a_named_trigger_is_written_back_as_it_was_read():
    document = parse(named("kind: retest\n  level: {indicator: avg}"))

    assert parse(dump(document)) == document
    assert "entry_trigger:\n  kind: retest\n  level: {indicator: avg}\n  max_wait_bars: 3\n" in (
        dump(document)
    )
