"""Valid documents: canonical form, spellings from the wild, round trips, JSON, branches."""

import json

import pytest
import yaml

from strategies.rules import Document, dump, parse, validate
from strategies.rules.model import BarSide, Combine, IndicatorSide, Leaf, Negation, ValueSide
from tests.strategies.test_rules_support import EXAMPLE, base_with, test_indicators  # noqa: F401

pytestmark = pytest.mark.usefixtures("test_indicators")

LONG_AND_SHORT = """\
name: both_ways
long_only: false
indicators:
  fast: {kind: ema, period: 9}
  slow: {kind: sma}
entry:
  combine: or
  rules:
    - {lhs: {indicator: fast}, op: crosses_above, rhs: {indicator: slow}}
    - combine: AND
      direction: short
      rules:
        - {lhs: {indicator: fast}, op: crosses_under, rhs: {indicator: slow}}
        - {lhs: {bar: volume}, op: ">", rhs: {value: 1000}, direction: short}
exit:
  combine: OR
  rules:
    - {lhs: {bar: close}, op: "<", rhs: {indicator: slow}, direction: long}
    - {lhs: {bar: close}, op: ">", rhs: {indicator: slow}, direction: short}
    - not: {lhs: {bar: volume}, op: gte, rhs: {value: 10}}
sizing: {kind: fixed_quote, amount: 250}
"""


def test_the_issues_example_is_valid_and_already_canonical():
    document = parse(EXAMPLE)
    assert document.name == "ema_crossover"
    assert document.indicators["trend_4h"].params == {"period": 100, "slope_lookback": 8}
    assert document.indicators["trend_4h"].timeframe == "4h"
    assert document.risk.stop_loss_pct == 0.03
    assert document.risk.cooldown_bars == 5
    assert dump(document) == EXAMPLE


def test_the_example_branches():
    document = parse(EXAMPLE)
    long_entry = document.entry.rules[0]
    assert document.entry_branches() == {"long": long_entry, "short": None}
    crossing_down = document.exit.rules[0]
    assert document.exit_branches() == {"long": crossing_down, "short": crossing_down}


def test_defaults_are_filled_in_and_written_out():
    text = """\
name: defaults
indicators:
  avg: {kind: sma}
  band: {kind: bands, width: 3}
entry: {lhs: {bar: close}, op: gt, rhs: {indicator: band, field: upper}}
exit: {lhs: {bar: close}, op: lt, rhs: {indicator: avg}}
"""
    document = parse(text)
    assert document.long_only is True
    assert document.stop_and_reverse is False
    assert document.indicators["avg"].params == {"period": 20}
    assert document.indicators["band"].params == {"period": 20, "width": 3.0, "source": "close"}
    assert isinstance(document.indicators["band"].params["width"], float)
    assert document.risk.model_dump() == {
        "stop_loss_pct": None,
        "take_profit_pct": None,
        "take_profit_r": None,
        "trailing_stop_pct": None,
        "cooldown_bars": 0,
        "stop_anchor": None,
    }
    assert (document.sizing.kind, document.sizing.fraction) == ("equity_fraction", 1.0)
    assert (
        dump(document)
        == """\
name: defaults
long_only: true
indicators:
  avg: {kind: sma, period: 20}
  band: {kind: bands, period: 20, width: 3.0, source: close}
entry: {lhs: {bar: close}, op: gt, rhs: {indicator: band, field: upper}}
exit: {lhs: {bar: close}, op: lt, rhs: {indicator: avg}}
risk: {stop_loss_pct: null, take_profit_pct: null, trailing_stop_pct: null, cooldown_bars: 0}
sizing: {kind: equity_fraction, fraction: 1.0}
"""
    )


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        (">", "gt"),
        ("greater_than", "gt"),
        ("<", "lt"),
        ("less_than", "lt"),
        (">=", "gte"),
        ("<=", "lte"),
        ("==", "eq"),
        ("crosses_above", "crosses_up"),
        ("crosses_over", "crosses_up"),
        ("Crosses_Above", "crosses_up"),
        ("crosses_below", "crosses_down"),
        ("crosses_under", "crosses_down"),
    ],
)
def test_operator_spellings_from_the_wild_become_canonical(spelling, canonical):
    text = base_with(
        l8=f'    - {{lhs: {{indicator: fast}}, op: "{spelling}", rhs: {{indicator: slow}}}}'
    )
    document = parse(text)
    assert document.entry.rules[0].op == canonical
    assert f"op: {canonical}," in dump(document)


@pytest.mark.parametrize(("spelling", "canonical"), [("and", "AND"), ("or", "OR"), ("Or", "OR")])
def test_combine_in_lowercase_becomes_canonical(spelling, canonical):
    document = parse(base_with(l6=f"  combine: {spelling}"))
    assert document.entry.combine == canonical
    assert f"  combine: {canonical}\n" in dump(document)


def test_a_document_with_both_directions():
    document = parse(LONG_AND_SHORT)
    first, short_group = document.entry.rules
    assert isinstance(first, Leaf)
    assert first.op == "crosses_up"
    assert document.entry_branches() == {"long": first, "short": short_group}
    long_exit, short_exit, untagged = document.exit.rules
    assert isinstance(untagged, Negation)
    exits = document.exit_branches()
    assert exits["long"] == Combine(combine="OR", rules=[long_exit, untagged])
    assert exits["short"] == Combine(combine="OR", rules=[short_exit, untagged])
    assert document.indicators["slow"].params == {"period": 20}
    assert document.sizing.amount == 250


def test_untagged_entry_alternatives_join_the_long_ones():
    text = """\
name: mixed
long_only: false
entry:
  combine: OR
  rules:
    - {lhs: {bar: high}, op: gt, rhs: {value: 5}}
    - {lhs: {bar: low}, op: gt, rhs: {value: 4}, direction: long}
    - {lhs: {bar: low}, op: lt, rhs: {value: 3}, direction: short}
risk: {stop_loss_pct: 0.1}
"""
    document = parse(text)
    untagged, tagged_long, short_group = document.entry.rules
    assert document.entry_branches() == {
        "long": Combine(combine="OR", rules=[untagged, tagged_long]),
        "short": short_group,
    }


def test_nested_untagged_ors_are_alternatives_too():
    leaf = "{lhs: {bar: close}, op: gt, rhs: {value: %s}%s}"
    data = {
        "name": "nested",
        "long_only": False,
        "entry": {
            "combine": "OR",
            "rules": [
                {
                    "combine": "OR",
                    "rules": [
                        yaml.safe_load(leaf % (1, ", direction: short")),
                        yaml.safe_load(leaf % (2, "")),
                    ],
                },
                yaml.safe_load(leaf % (3, "")),
            ],
        },
        "risk": {"take_profit_pct": 0.1},
    }
    document = validate(data)
    short, two = document.entry.rules[0].rules
    three = document.entry.rules[1]
    assert document.entry_branches() == {
        "long": Combine(combine="OR", rules=[two, three]),
        "short": short,
    }
    assert document.exit is None
    assert document.exit_branches() == {"long": None, "short": None}


@pytest.mark.parametrize("text", [EXAMPLE, LONG_AND_SHORT, base_with()])
def test_dump_round_trips(text):
    document = parse(text)
    assert parse(dump(document)) == document
    assert dump(parse(dump(document))) == dump(document)


def test_json_reads_as_the_same_document_as_yaml():
    as_yaml = parse(EXAMPLE)
    as_json = json.dumps(yaml.safe_load(EXAMPLE), indent=2)
    assert parse(as_json) == as_yaml
    assert parse(as_json.encode()) == as_yaml
    assert validate(yaml.safe_load(EXAMPLE)) == as_yaml


def test_json_numbers_keep_their_json_meaning():
    # In YAML 1.1 "1e3" is text; in JSON it is a number.
    text = json.dumps(
        {
            "name": "n",
            "entry": {"lhs": {"bar": "volume"}, "op": "gt", "rhs": {"value": 1}},
            "risk": {"stop_loss_pct": 0.05},
        }
    ).replace('"value": 1', '"value": 1e3')
    assert parse(text).entry.rhs == ValueSide(value=1000.0)


def test_a_yaml_flow_mapping_is_read_as_yaml():
    text = (
        "{name: flow, entry: {lhs: {bar: low}, op: lt, rhs: {value: 3}},"
        " risk: {stop_loss_pct: 0.5}}"
    )
    document = parse(text)
    assert document.entry == Leaf(lhs=BarSide(bar="low"), op="lt", rhs=ValueSide(value=3))


def test_byte_order_mark_and_bytes_are_accepted():
    assert parse(("\ufeff" + EXAMPLE).encode()) == parse(EXAMPLE)


def test_unused_indicators_are_allowed():
    text = base_with(l4="  slow: {kind: ema, period: 26}\n  spare: {kind: sma, period: 5}")
    assert parse(text).indicators["spare"].params == {"period": 5}


def test_same_direction_below_a_tagged_rule_is_allowed():
    text = EXAMPLE.replace("op: eq, rhs: {value: 1}}", "op: eq, rhs: {value: 1}, direction: long}")
    assert parse(text).entry_branches()["long"].rules[1].direction == "long"


def test_an_indicator_read_through_a_named_output():
    text = base_with(
        l4="  slow: {kind: bands}",
        l8="    - {lhs: {bar: close}, op: gt, rhs: {indicator: slow, field: lower}}",
    )
    assert parse(text).entry.rules[0].rhs == IndicatorSide(indicator="slow", field="lower")


def test_documents_are_frozen():
    document = parse(EXAMPLE)
    with pytest.raises(ValueError, match="frozen"):
        document.name = "other"
    assert isinstance(document, Document)
