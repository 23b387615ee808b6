"""Numbers in a document: plain decimals only. YAML 1.1's other spellings (base 60, hex,
octal, binary, underscores, .inf/.nan) and JSON's NaN/Infinity are refused with their text and
line, never read as another number."""

import pytest

from strategies.rules import DocumentError, parse
from tests.strategies.test_rules_support import base_with

ADVICE = "is not a plain decimal number: write numbers like 20 or 0.5 (and text in quotes)"


def refusal(text: str) -> list[tuple[str, str, int | None]]:
    with pytest.raises(DocumentError) as caught:
        parse(text)
    return [(problem.path, str(problem.message), problem.line) for problem in caught.value.errors]


# Each spelling and the number PyYAML (YAML 1.1) would have read it as.
SPELLINGS = [
    "1:20",  # base 60: 1 * 60 + 20 = 80
    "0x14",  # hex: 20
    "-0x14",  # -20
    "017",  # YAML 1.1 octal: 15
    "0o17",  # YAML 1.2 octal (text to PyYAML): 15
    "00",  # octal 0
    "0b101",  # binary: 5
    "1_000",  # 1000
    "1_000.5",  # 1000.5
    "1:20.5",  # base 60: 80.5
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_period_not_written_in_decimal_is_refused_with_its_text_and_line(spelling):
    text = base_with(l3=f"  fast: {{kind: ema, period: {spelling}}}")

    assert refusal(text) == [("indicators.fast.period", f'"{spelling}" {ADVICE}', 3)]


@pytest.mark.parametrize("spelling", [".inf", "-.inf", "+.inf", ".Inf", ".nan", ".NaN"])
def test_infinity_and_nan_are_refused_with_their_text(spelling):
    text = base_with(l12=f"    - {{lhs: {{bar: close}}, op: lt, rhs: {{value: {spelling}}}}}")

    assert refusal(text) == [("exit.rules[0].rhs.value", f'"{spelling}" {ADVICE}', 12)]


def test_a_bar_count_in_base_60_is_refused_too():
    # 1:30 would have been 90 bars (1 * 60 + 30).
    text = base_with(l13="risk: {stop_loss_pct: 0.02, cooldown_bars: 1:30}")

    assert refusal(text) == [("risk.cooldown_bars", f'"1:30" {ADVICE}', 13)]


def test_every_such_number_is_reported_at_once():
    text = base_with(l3="  fast: {kind: ema, period: 0x0c}", l4="  slow: {kind: ema, period: 1_0}")

    assert refusal(text) == [
        ("indicators.fast.period", f'"0x0c" {ADVICE}', 3),
        ("indicators.slow.period", f'"1_0" {ADVICE}', 4),
    ]


def test_quoted_text_that_looks_like_a_number_stays_text():
    document = parse(base_with(l1='name: "0x14"'))

    assert document.name == "0x14"


def test_a_timeframe_starting_with_a_digit_is_still_text():
    document = parse(base_with(l4="  slow: {kind: ema, period: 26, timeframe: 15m}"))

    assert document.indicators["slow"].timeframe == "15m"


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("20", 20),
        ("+20", 20),
        ("0.5", 0.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("-0.5", -0.5),
        ("-3", -3),
        ("1.5e+2", 150.0),
        ("2.5e-1", 0.25),
        ("1e-3", 0.001),  # text to YAML 1.1, a number to JSON and YAML 1.2: read as one
        ("1E2", 100.0),
        ("1.0e3", 1000.0),
    ],
)
def test_decimal_numbers_keep_working(spelling, expected):
    text = base_with(l12=f"    - {{lhs: {{bar: close}}, op: lt, rhs: {{value: {spelling}}}}}")

    document = parse(text)

    assert document.exit.rules[0].rhs.value == expected


def test_a_decimal_period_keeps_working():
    document = parse(base_with(l3="  fast: {kind: ema, period: 20}"))

    assert document.indicators["fast"].params == {"period": 20}


def test_a_decimal_fraction_with_an_exponent_keeps_working():
    document = parse(base_with(l13="risk: {stop_loss_pct: 2e-2}"))

    assert document.risk.stop_loss_pct == 0.02


JSON = """\
{
  "name": "j",
  "entry": {"lhs": {"bar": "close"}, "op": "gt", "rhs": {"value": %s}},
  "risk": {"stop_loss_pct": 0.02}
}
"""


@pytest.mark.parametrize("spelling", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_refused_with_their_line(spelling):
    assert refusal(JSON % spelling) == [("", f'"{spelling}" {ADVICE}', 3)]


def test_json_nan_inside_a_string_is_text():
    document = parse((JSON % "1").replace('"name": "j"', '"name": "NaN and Infinity"'))

    assert document.name == "NaN and Infinity"


@pytest.mark.parametrize(("spelling", "expected"), [("1e-3", 0.001), ("-2.5E+1", -25.0)])
def test_json_exponents_keep_working(spelling, expected):
    document = parse(JSON % spelling)

    assert document.entry.rhs.value == expected
