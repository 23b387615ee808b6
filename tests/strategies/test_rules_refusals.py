"""Broken documents: each refused with every problem's exact path, message and line."""

import pytest

from strategies.rules import DocumentError, parse
from tests.strategies.test_rules_support import base_with, test_indicators  # noqa: F401

LEAF = "    - {lhs: {indicator: fast}, op: %s, rhs: {indicator: slow}}"
OPERATORS = "use gt, lt, gte, lte, eq, crosses_up or crosses_down"
ALIAS_RULE = (
    "an indicator name must be lowercase letters, digits and underscores, start with a letter "
    "and be at most 40 characters long"
)
CONTRADICTION = """\
name: both_ways
long_only: false
indicators:
  fast: {kind: ema, period: 12}
entry:
  combine: OR
  rules:
    - combine: AND
      direction: long
      rules:
        - {lhs: {indicator: fast}, op: gt, rhs: {bar: close}, direction: short}
exit: {lhs: {indicator: fast}, op: lt, rhs: {bar: close}}
"""

CASES = {
    "unknown operator": (
        base_with(l8=LEAF % "bogus"),
        [("entry.rules[0].op", f'unknown operator "bogus": {OPERATORS}', 8)],
    ),
    "unknown indicator": (
        base_with(l8="    - {lhs: {indicator: fast}, op: gt, rhs: {indicator: ema_2000}}"),
        [("entry.rules[0].rhs.indicator", 'unknown indicator "ema_2000"', 8)],
    ),
    "unknown output": (
        base_with(l8="    - {lhs: {indicator: fast, field: upper}, op: gt, rhs: {bar: close}}"),
        [("entry.rules[0].lhs.field", 'unknown output "upper" of ema: its outputs are value', 8)],
    ),
    "param below minimum": (
        base_with(l3="  fast: {kind: ema, period: 0}"),
        [("indicators.fast.period", "must be at least 1", 3)],
    ),
    "param above maximum": (
        base_with(l4="  slow: {kind: ema, period: 5001}"),
        [("indicators.slow.period", "must be at most 5000", 4)],
    ),
    "param not whole": (
        base_with(l3="  fast: {kind: ema, period: 12.5}"),
        [("indicators.fast.period", "must be a whole number", 3)],
    ),
    "param as text": (
        base_with(l3='  fast: {kind: ema, period: "12"}'),
        [("indicators.fast.period", "must be a whole number", 3)],
    ),
    "unknown param": (
        base_with(l3="  fast: {kind: ema, period: 12, length: 3}"),
        [("indicators.fast.length", "unknown parameter for ema: its parameters are period", 3)],
    ),
    "unknown kind": (
        base_with(l3="  fast: {kind: emaa, period: 12}"),
        [
            (
                "indicators.fast.kind",
                'unknown indicator kind "emaa": did you mean ema? The Indicators page of the '
                "docs lists every kind",
                3,
            )
        ],
    ),
    "alias in capitals, and every reference to it": (
        base_with(l3="  Fast: {kind: ema, period: 12}"),
        [
            ("indicators.Fast", ALIAS_RULE, 3),
            ("entry.rules[0].lhs.indicator", 'unknown indicator "fast"', 8),
        ],
    ),
    "alias of 41 characters": (
        base_with(l4="  " + "s" * 41 + ": {kind: ema, period: 26}"),
        [
            ("indicators." + "s" * 41, ALIAS_RULE, 4),
            ("entry.rules[0].rhs.indicator", 'unknown indicator "slow"', 8),
            ("exit.rules[0].rhs.indicator", 'unknown indicator "slow"', 12),
        ],
    ),
    "short branch under long_only": (
        base_with(
            l6="  combine: OR",
            l8="    - {lhs: {indicator: fast}, op: gt, rhs: {indicator: slow}, direction: short}",
        ),
        [("entry.rules[0].direction", "short is not allowed while long_only is true", 8)],
    ),
    "contradictory direction": (
        CONTRADICTION,
        [
            (
                "entry.rules[0].rules[0].direction",
                'contradicts the direction "long" set on an enclosing rule',
                11,
            )
        ],
    ),
    "direction inside AND": (
        base_with(
            l8="    - {lhs: {indicator: fast}, op: gt, rhs: {indicator: slow}, direction: long}"
        ),
        [
            (
                "entry.rules[0].direction",
                "a direction can only be set on the whole rule or on one alternative of an OR",
                8,
            )
        ],
    ),
    "malformed timeframe": (
        base_with(l3="  fast: {kind: ema, period: 12, timeframe: 4hours}"),
        [
            (
                "indicators.fast.timeframe",
                'unknown timeframe "4hours": write it like 15m, 4h, 1d or 1w',
                3,
            )
        ],
    ),
    "empty rules": (
        base_with(l7="  rules: []", l8="  # nothing"),
        [("entry.rules", "must not be empty", 7)],
    ),
    "both sides constant": (
        base_with(l8="    - {lhs: {value: 1}, op: gt, rhs: {value: 2}}"),
        [
            (
                "entry.rules[0]",
                "compares two fixed values: one side must be a bar field or an indicator",
                8,
            )
        ],
    ),
    "a cross between two constants": (
        base_with(l12="    - {lhs: {value: 1}, op: crosses_down, rhs: {value: 2.5}}"),
        [
            (
                "exit.rules[0]",
                "compares two fixed values: one side must be a bar field or an indicator",
                12,
            )
        ],
    ),
    "a side compared with itself": (
        base_with(l12="    - {lhs: {bar: close}, op: crosses_up, rhs: {bar: close}}"),
        [("exit.rules[0]", "compares a value with itself, so it is never true", 12)],
    ),
    "list as root": (
        "- name: x\n- entry: y\n",
        [("", "the document must be a mapping of keys (name, indicators, entry, exit...)", 1)],
    ),
    "text as root": (
        "just some words\n",
        [("", "the document must be a mapping of keys (name, indicators, entry, exit...)", 1)],
    ),
    "empty text": ("# only a comment\n", [("", "the document is empty", None)]),
    "duplicate key": (
        base_with(l4="  fast: {kind: ema, period: 26}"),
        [("indicators.fast", 'the key "fast" appears twice', 4)],
    ),
    "long_only not a boolean": (
        base_with(l1="name: base\nlong_only: sometimes"),
        [("long_only", "must be true or false", 2)],
    ),
    "rules not a list": (
        base_with(l7="  rules: {a: 1}", l8=""),
        [("entry.rules", "must be a list", 7)],
    ),
    "missing entry": (
        base_with(l5="", l6="", l7="", l8=""),
        [("entry", "this key is required", 1)],
    ),
    "unknown top-level key": (
        base_with(l14="sizing: {kind: equity_fraction, fraction: 0.5}\nleverage: 10"),
        [("leverage", "unknown key", 15)],
    ),
    "a side of no known shape": (
        base_with(l8="    - {lhs: {indicator: fast}, op: gt, rhs: {indicatr: slow}}"),
        [("entry.rules[0].rhs", "a side must be {bar: ...}, {indicator: ...} or {value: ...}", 8)],
    ),
    "a rule of no known shape": (
        base_with(l8="    - {when: fast, above: slow}"),
        [
            (
                "entry.rules[0]",
                "a rule must be a condition {lhs, op, rhs}, a group {combine, rules} or a "
                "negation {not}",
                8,
            )
        ],
    ),
    "a leaf without its operator": (
        base_with(l8="    - {lhs: {indicator: fast}, rhs: {indicator: slow}}"),
        [("entry.rules[0].op", "this key is required", 8)],
    ),
    "unknown bar field": (
        base_with(l12="    - {lhs: {bar: closing}, op: lt, rhs: {indicator: slow}}"),
        [
            (
                "exit.rules[0].lhs.bar",
                'unknown bar field "closing": use open, high, low, close or volume',
                12,
            )
        ],
    ),
    "unknown combination": (
        base_with(l6="  combine: XOR"),
        [("entry.combine", 'unknown combination "XOR": use AND or OR', 6)],
    ),
    "stop-loss of 3 rather than 0.03": (
        base_with(l13="risk: {stop_loss_pct: 3}"),
        [("risk.stop_loss_pct", "must be less than 1", 13)],
    ),
    "negative cooldown": (
        base_with(l13="risk: {stop_loss_pct: 0.02, cooldown_bars: -1}"),
        [("risk.cooldown_bars", "must be at least 0", 13)],
    ),
    "unknown sizing": (
        base_with(l14="sizing: {kind: all_in}"),
        [
            (
                "sizing.kind",
                'unknown sizing "all_in": use equity_fraction, fixed_quote or risk_per_trade',
                14,
            )
        ],
    ),
    "sizing of nothing": (
        base_with(l14="sizing: {kind: equity_fraction, fraction: 0}"),
        [("sizing.fraction", "must be greater than 0", 14)],
    ),
    "fixed amount missing": (
        base_with(l14="sizing: {kind: fixed_quote}"),
        [("sizing.amount", "this key is required", 14)],
    ),
    "value not a number": (
        base_with(l12="    - {lhs: {bar: close}, op: lt, rhs: {value: true}}"),
        [("exit.rules[0].rhs.value", "must be a number", 12)],
    ),
    "value NaN": (
        base_with(l12="    - {lhs: {bar: close}, op: lt, rhs: {value: .nan}}"),
        [
            (
                "exit.rules[0].rhs.value",
                '".nan" is not a plain decimal number: write numbers like 20 or 0.5 (and text '
                "in quotes)",
                12,
            )
        ],
    ),
    "no way out": (
        base_with(l9="", l10="", l11="", l12="", l13=""),
        [
            (
                "exit",
                "the strategy needs an exit rule or a stop-loss, take-profit or trailing stop",
                1,
            )
        ],
    ),
    "blank name": (base_with(l1="name: '  '"), [("name", "must not be blank", 1)]),
    "several documents": (
        base_with(l14="---\nname: second"),
        [("", "the text holds more than one document", 14)],
    ),
    "YAML syntax": (
        base_with(l8="    - {lhs: {indicator: fast}, op: gt, rhs: {indicator: slow}"),
        [("", "this is not valid YAML (near column 1)", 9)],
    ),
    "a key that is a list": (
        base_with(l1="name: base\n? [a, b]\n: 1"),
        [("", "keys must be plain text", 2)],
    ),
    "an integer of 5,000 digits": (
        base_with(l13="risk: {stop_loss_pct: " + "9" * 5000 + "}"),
        [("risk.stop_loss_pct", "this value is not valid", 13)],
    ),
    "every problem at once, in the order of the text": (
        base_with(
            l3="  fast: {kind: ema, period: -3}",
            l8=LEAF % "above_or_so",
            l12="    - {lhs: {bar: close}, op: lt, rhs: {indicator: sloww}}",
            l14="sizing: {kind: fixed_quote, amount: 0}",
        ),
        [
            ("indicators.fast.period", "must be at least 1", 3),
            ("entry.rules[0].op", f'unknown operator "above_or_so": {OPERATORS}', 8),
            ("exit.rules[0].rhs.indicator", 'unknown indicator "sloww"', 12),
            ("sizing.amount", "must be greater than 0", 14),
        ],
    ),
}


def refusal(text: str, **options) -> list[tuple[str, str, int | None]]:
    with pytest.raises(DocumentError) as caught:
        parse(text, **options)
    return [(problem.path, str(problem.message), problem.line) for problem in caught.value.errors]


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_broken_document_is_refused_with_every_problem(text, expected):
    assert refusal(text) == expected


def test_there_are_at_least_thirty_broken_documents():
    assert len(CASES) >= 30


def test_unknown_direction():
    text = base_with(
        l6="  combine: OR",
        l8="    - {lhs: {indicator: fast}, op: gt, rhs: {indicator: slow}, direction: up}",
    )
    assert refusal(text) == [
        ("entry.rules[0].direction", 'unknown direction "up": use long or short', 8)
    ]


def test_timeframe_below_the_runs_is_refused_when_the_run_is_known():
    text = base_with(l3="  fast: {kind: ema, period: 12, timeframe: 1h}")
    assert refusal(text, base_timeframe="4h") == [
        ("indicators.fast.timeframe", "the timeframe 1h is shorter than the run's timeframe 4h", 3)
    ]
    assert parse(text, base_timeframe="1h").indicators["fast"].timeframe == "1h"
    assert parse(text).indicators["fast"].timeframe == "1h"


@pytest.mark.usefixtures("test_indicators")
def test_parameters_of_other_kinds_are_checked_against_their_declaration():
    text = base_with(l4="  slow: {kind: bands, period: 10, width: wide, source: open}")
    assert refusal(text) == [
        ("indicators.slow.width", "must be a number", 4),
        ("indicators.slow.source", "must be one of: close, hl2", 4),
    ]
    text = base_with(l4="  slow: {kind: bands, width: 0.25}")
    assert refusal(text) == [("indicators.slow.width", "must be at least 0.5", 4)]


def test_json_problems_carry_lines_too():
    text = """{
  "name": "json",
  "entry": {"lhs": {"bar": "close"}, "op": "crosses", "rhs": {"value": 3}},
  "risk": {"stop_loss_pct": 0.1},
  "risk": {"stop_loss_pct": 0.2}
}"""
    assert refusal(text) == [("risk", 'the key "risk" appears twice', 5)]
    text = text.replace('  "risk": {"stop_loss_pct": 0.2}\n', "").replace("0.1},", "0.1}")
    assert refusal(text) == [("entry.op", f'unknown operator "crosses": {OPERATORS}', 3)]


def test_json_syntax_error_is_reported_as_json():
    assert refusal('{"name": "x",\n "entry": }') == [
        ("", "this is not valid JSON (near column 11)", 2)
    ]


@pytest.mark.parametrize(
    ("declaration", "base", "path", "message"),
    [
        ("{kind: macd, fast: 30, slow: 20}", None, "indicators.x",
         "The fast period must be shorter than the slow period."),
        ("{kind: sma, timeframe: 6h}", "4h", "indicators.x.timeframe",
         "the timeframe 6h is not a whole number of the run's 4h bars: choose a multiple of 4h"),
        ("{kind: prior_period_levels}", "1w", "indicators.x",
         "prior_period_levels needs bars of 1d or shorter, not 1w"),
        ("{kind: prior_period_levels, timeframe: 1w}", "1h", "indicators.x.timeframe",
         "prior_period_levels needs bars of 1d or shorter, not 1w"),
    ],
)  # fmt: skip
def test_indicators_the_run_cannot_compute_are_refused(declaration, base, path, message):
    text = (
        f"name: t\nindicators:\n  x: {declaration}\n"
        "entry: {lhs: {indicator: x}, op: gt, rhs: {value: 0}}\nrisk: {stop_loss_pct: 0.1}\n"
    )

    with pytest.raises(DocumentError) as refused:
        parse(text, base_timeframe=base)

    assert [(p.path, str(p.message), p.line) for p in refused.value.errors] == [(path, message, 3)]


def test_numbers_the_engine_cannot_hold_are_refused():
    huge = "1" + "0" * 400  # a valid YAML integer; float() of it overflows
    text = (
        "name: t\n"
        f"indicators: {{x: {{kind: sma, period: {huge}}}}}\n"
        f"entry: {{lhs: {{indicator: x}}, op: gt, rhs: {{value: {huge}}}}}\n"
        "risk: {stop_loss_pct: 0.1, cooldown_bars: 2000000}\n"
    )

    with pytest.raises(DocumentError) as refused:
        parse(text)

    limit = "is too large: numbers stay between -1e+15 and 1e+15"
    assert [(p.path, str(p.message), p.line) for p in refused.value.errors] == [
        ("indicators.x.period", limit, 2),
        ("entry.rhs.value", limit, 3),
        ("risk.cooldown_bars", "must be at most 1000000", 4),
    ]
