"""Sentences in English and French, generated from the tree; messages in both languages."""

import pytest
from django.utils import translation

from strategies.rules import DocumentError, parse, sentences
from tests.strategies.test_rules_support import EXAMPLE, base_with, test_indicators  # noqa: F401

pytestmark = pytest.mark.usefixtures("test_indicators")
NBSP = "\u00a0"


def said(text: str, language: str = "en") -> list[str]:
    document = parse(text)
    with translation.override(language):
        return sentences(document)


def test_the_example_in_english():
    assert said(EXAMPLE) == [
        "Enter long when EMA 12 crosses above EMA 26 and Trend 100 (4h) is up.",
        "Close the position when EMA 12 crosses below EMA 26.",
        "Stop-loss 3% below the entry price.",
        "Take-profit 5% above the entry price.",
        "Trailing stop 4% below the highest price since entry.",
        "After a position closes, wait 5 bars before entering again.",
        "Each entry commits 100% of the equity.",
    ]


def test_the_example_in_french():
    assert said(EXAMPLE, "fr") == [
        "Entre en position longue quand EMA 12 croise EMA 26 à la hausse et Tendance 100 (4h) "
        "est haussière.",
        "Ferme la position quand EMA 12 croise EMA 26 à la baisse.",
        f"Stop-loss à 3{NBSP}% sous le prix d’entrée.",
        f"Take-profit à 5{NBSP}% au-dessus du prix d’entrée.",
        f"Stop suiveur à 4{NBSP}% sous le plus haut atteint depuis l’entrée.",
        "Après la clôture d’une position, attends 5 bougies avant d’entrer à nouveau.",
        f"Chaque entrée engage 100{NBSP}% du capital.",
    ]


NESTED = """\
name: nested
indicators:
  rsi: {kind: trend, period: 14}
  band: {kind: bands, period: 20, width: 2.5}
entry:
  combine: AND
  rules:
    - combine: OR
      rules:
        - {lhs: {bar: close}, op: lt, rhs: {indicator: band, field: lower}}
        - {lhs: {bar: low}, op: lte, rhs: {value: 0.5}}
    - not: {lhs: {indicator: rsi}, op: eq, rhs: {value: -1}}
    - combine: AND
      rules:
        - {lhs: {bar: volume}, op: gte, rhs: {value: 1500}}
        - not:
            combine: OR
            rules:
              - {lhs: {bar: open}, op: gt, rhs: {bar: high}}
              - {lhs: {indicator: band}, op: crosses_down, rhs: {bar: close}}
risk: {stop_loss_pct: 0.015, cooldown_bars: 1}
sizing: {kind: fixed_quote, amount: 99.5}
"""


def test_nested_groups_negations_and_numbers_in_english():
    assert said(NESTED) == [
        "Enter long when (either the close is below Bands 20 2.5 lower or the low is at or "
        "below 0.5), Trend 14 is not down and both the volume is at or above 1500 and not "
        "(the open is above the high or Bands 20 2.5 crosses below the close).",
        "Stop-loss 1.5% below the entry price.",
        "After a position closes, wait 1 bar before entering again.",
        "Each entry commits 99.5 of the quote currency.",
    ]


def test_nested_groups_negations_and_numbers_in_french():
    assert said(NESTED, "fr") == [
        "Entre en position longue quand (soit la clôture est sous lower de Bands 20 2,5, soit le "
        "plus bas ne dépasse pas 0,5), Tendance 14 n’est pas baissière et à la fois le volume "
        "atteint ou dépasse 1500 et non (l’ouverture dépasse le plus haut ou Bands 20 2,5 "
        "croise la clôture à la baisse).",
        f"Stop-loss à 1,5{NBSP}% sous le prix d’entrée.",
        "Après la clôture d’une position, attends 1 bougie avant d’entrer à nouveau.",
        "Chaque entrée engage 99,5 en devise de cotation.",
    ]


BOTH_WAYS = """\
name: both_ways
long_only: false
indicators:
  fast: {kind: ema, period: 9}
entry:
  combine: OR
  rules:
    - {lhs: {bar: close}, op: crosses_up, rhs: {indicator: fast}, direction: long}
    - {lhs: {bar: close}, op: crosses_down, rhs: {indicator: fast}, direction: short}
exit:
  combine: OR
  rules:
    - {lhs: {bar: close}, op: lt, rhs: {indicator: fast}, direction: long}
    - {lhs: {bar: close}, op: gt, rhs: {indicator: fast}, direction: short}
risk: {stop_loss_pct: 0.02, take_profit_pct: 0.1, trailing_stop_pct: 0.0125}
"""


def test_both_directions_in_english():
    assert said(BOTH_WAYS) == [
        "Enter long when the close crosses above EMA 9.",
        "Enter short when the close crosses below EMA 9.",
        "Close a long position when the close is below EMA 9.",
        "Close a short position when the close is above EMA 9.",
        "Stop-loss 2% from the entry price: below it for a long position, above it for a "
        "short one.",
        "Take-profit 10% from the entry price: above it for a long position, below it for a "
        "short one.",
        "Trailing stop 1.25% behind the best price since entry: below the highest for a long "
        "position, above the lowest for a short one.",
        "Each entry commits 100% of the equity.",
    ]


def test_both_directions_in_french():
    assert said(BOTH_WAYS, "fr")[:4] == [
        "Entre en position longue quand la clôture croise EMA 9 à la hausse.",
        "Entre en position courte quand la clôture croise EMA 9 à la baisse.",
        "Ferme une position longue quand la clôture est sous EMA 9.",
        "Ferme une position courte quand la clôture dépasse EMA 9.",
    ]


SHORT_ONLY = """\
name: short_only
long_only: false
indicators:
  fast: {kind: ema, period: 9}
entry:
  combine: OR
  direction: short
  rules:
    - {lhs: {bar: close}, op: crosses_up, rhs: {indicator: fast}}
    - {lhs: {bar: high}, op: eq, rhs: {value: 7}, direction: short}
    - {lhs: {bar: close}, op: crosses_down, rhs: {indicator: fast}}
exit:
  combine: OR
  rules:
    - {lhs: {bar: close}, op: lt, rhs: {indicator: fast}, direction: long}
    - {lhs: {bar: close}, op: gt, rhs: {indicator: fast}, direction: short}
risk: {stop_loss_pct: 0.02, take_profit_pct: 0.1, trailing_stop_pct: 0.0125}
"""


def test_short_only_risk_is_mirrored_and_only_its_exit_is_said():
    text = SHORT_ONLY
    assert said(text) == [
        "Enter short when the close crosses above EMA 9, the high equals 7 or the close "
        "crosses below EMA 9.",
        "Close the position when the close is above EMA 9.",
        "Stop-loss 2% above the entry price.",
        "Take-profit 10% below the entry price.",
        "Trailing stop 1.25% above the lowest price since entry.",
        "Each entry commits 100% of the equity.",
    ]


def test_nested_alternatives_in_french_each_take_soit():
    above = "{lhs: {bar: close}, op: gt, rhs: {value: %s}}"
    alternatives = ", ".join(above % number for number in (1, 2, 3))
    text = base_with(
        l8=f"    - {{combine: OR, rules: [{alternatives}]}}\n"
        "    - {lhs: {indicator: fast}, op: gt, rhs: {indicator: slow}}"
    )
    assert said(text, "fr")[0] == (
        "Entre en position longue quand (soit la clôture dépasse 1, soit la clôture dépasse 2, "
        "soit la clôture dépasse 3) et EMA 12 dépasse EMA 26."
    )
    assert said(text)[0] == (
        "Enter long when (either the close is above 1, the close is above 2 or the close is "
        "above 3) and EMA 12 is above EMA 26."
    )


def problems(text: str, language: str) -> list[str]:
    with pytest.raises(DocumentError) as caught:
        parse(text)
    with translation.override(language):
        return [f"{problem.line}: {problem}" for problem in caught.value.errors]


def test_messages_in_english_and_french():
    text = base_with(
        l3="  fast: {kind: ema, period: 0}",
        l8="    - {lhs: {indicator: fast}, op: gt, rhs: {indicator: ema_2000}}",
        l13="risk: {stop_loss_pct: 1.5}",
    )
    assert problems(text, "en") == [
        "3: indicators.fast.period: must be at least 1",
        '8: entry.rules[0].rhs.indicator: unknown indicator "ema_2000"',
        "13: risk.stop_loss_pct: must be less than 1",
    ]
    assert problems(text, "fr") == [
        "3: indicators.fast.period: doit valoir au moins 1",
        f"8: entry.rules[0].rhs.indicator: indicateur inconnu «{NBSP}ema_2000{NBSP}»",
        "13: risk.stop_loss_pct: doit être inférieur à 1",
    ]


def test_messages_are_rendered_in_the_language_active_when_shown():
    with translation.override("fr"), pytest.raises(DocumentError) as caught:
        parse("name: x\n" + "#" * 70_000)
    with translation.override("en"):
        assert str(caught.value.errors[0].message) == "the document is larger than 64 KB"
    with translation.override("fr"):
        assert str(caught.value.errors[0].message) == "le document dépasse 64 Ko"
        assert str(caught.value) == "le document dépasse 64 Ko"


def test_decimal_bounds_in_french_messages():
    text = base_with(l4="  slow: {kind: bands, width: 0.25}")
    assert problems(text, "fr") == ["4: indicators.slow.width: doit valoir au moins 0,5"]
