"""The generated documentation agrees with the code it documents: examples, grammar, registry."""

import numpy as np
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from strategies.engine import decide, indicator_values
from strategies.rules import limits, parse, sentences
from strategies.rules.document import Document
from strategies.rules.model import Risk
from strategies.rules.vocabulary import OPERATOR_SPELLINGS, OPERATORS
from strategies.series import Candles
from strategies.views.docs import examples, grammar, risk

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "fr")
# Where each example is shown.
EXAMPLE_PAGES = {
    "first": ("docs:index", "docs:rules"),
    "sides": ("docs:rules",),
    "groups": ("docs:rules",),
    "directions": ("docs:rules",),
    "timeframes": ("docs:rules",),
    "risk": ("docs:risk",),
}


def page(client, name: str, language: str) -> str:
    with translation.override(language):
        response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, anchor: str) -> str:
    """The <section id=anchor> of a page, up to its end."""
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("</section>", start)]


def test_every_example_is_listed_with_its_pages():
    assert {example.slug for example in examples.EXAMPLES} == set(EXAMPLE_PAGES)


@pytest.mark.parametrize("example", examples.EXAMPLES, ids=lambda example: example.slug)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_example_parses_and_is_shown_with_its_sentences(client, example, language):
    document = parse(example.text, base_timeframe=example.base_timeframe)
    with translation.override(language):
        said = sentences(document)
    assert said

    for name in EXAMPLE_PAGES[example.slug]:
        shown = section(page(client, name, language), f"example-{example.slug}")
        assert f"<code>{escape(example.text)}</code>" in shown
        for sentence in said:
            assert f"<li>{escape(sentence)}</li>" in shown


def test_the_broken_example_reports_its_five_mistakes_with_lines(client):
    # Counted by hand in the example: line 1 is the name (no exit: reported on the document),
    # line 3 the period of 0, line 7 the unknown operator and alias, line 8 the short rule.
    expected = [
        ("exit", 1),
        ("indicators.fast.period", 3),
        ("entry.rules[0].op", 7),
        ("entry.rules[0].rhs.indicator", 7),
        ("entry.rules[1].direction", 8),
    ]
    shown = examples.refused(examples.BROKEN)
    assert [(problem.path, problem.line) for problem in shown.problems] == expected

    for language in LANGUAGES:
        with translation.override(language):
            problems = examples.refused(examples.BROKEN).problems
        html = section(page(client, "docs:rules", language), "example-broken")
        for problem in problems:
            assert f"<td><code>{problem.path}</code></td><td>{escape(problem.message)}</td>" in html


def test_a_timeframe_shorter_than_the_run_is_shown_refused(client):
    shown = examples.refused(examples.TOO_SHORT)
    assert [problem.path for problem in shown.problems] == ["indicators.fast.timeframe"]
    html = section(page(client, "docs:rules", "en"), "example-too_short")
    assert escape(shown.problems[0].message) in html
    assert "1h" in html


def test_every_operator_and_spelling_is_in_the_operators_table(client):
    assert OPERATOR_SPELLINGS
    for language in LANGUAGES:
        table = section(page(client, "docs:rules", language), "operators")
        for operator in OPERATORS:
            assert f'<tr id="op-{operator}">' in table
        for spelling in OPERATOR_SPELLINGS:
            assert f"<code>{escape(spelling)}</code>" in table


def test_the_operators_read_as_their_sentences():
    with translation.override("fr"):
        rows = {row.name: row for row in grammar.operator_rows()}
    assert rows["crosses_up"].reading == "A croise B à la hausse"
    assert rows["gt"].spellings == [">", "greater_than", "above"]


def test_described_keys_are_the_models_keys():
    assert set(grammar.KEY_TEXTS) == set(Document.model_fields)
    assert set(risk.RISK_TEXTS) == set(Risk.model_fields)
    described_sizing = {f"{kind}.{key}" for kind, key in risk.SIZING_TEXTS}
    assert {row.key for row in risk.sizing_rows()} == described_sizing


def test_the_keys_table_marks_the_required_keys(client):
    table = section(page(client, "docs:rules", "en"), "document")
    # name and entry are the only keys a document cannot leave out.
    assert '<th scope="row"><code>name</code></th><td>yes</td>' in table
    assert '<th scope="row"><code>entry</code></th><td>yes</td>' in table
    assert '<th scope="row"><code>exit</code></th><td>no</td>' in table


def test_the_limits_are_those_of_the_grammar(client):
    html = section(page(client, "docs:rules", "en"), "limits")
    assert f"At most {limits.MAX_BYTES // 1024} KB of text." in html
    assert f"At most {limits.MAX_DEPTH} levels of nesting" in html
    assert f"At most {limits.MAX_NODES} keys and values" in html
    assert f"at most {limits.MAX_ALIAS_LENGTH} characters" in html
    assert f"at most {limits.MAX_NAME_LENGTH} characters" in html


def closes(*values: float) -> Candles:
    count = len(values)
    close = np.array(values, dtype=float)
    time = np.arange(count, dtype=np.int64) * 3_600_000
    return Candles("1h", time, close, close, close, close, np.ones(count))


@pytest.mark.parametrize("case", grammar.cross_cases(), ids=lambda case: case.reason[:30])
def test_the_crosses_table_is_what_the_engine_does(case):
    assert case.before[1] == case.now[1]  # b is a fixed value in every case of the table
    document = parse(
        "name: cross\n"
        f"entry: {{lhs: {{bar: close}}, op: crosses_up, rhs: {{value: {case.now[1]}}}}}\n"
        "risk: {stop_loss_pct: 0.1}\n"
    )

    signals = decide(document, closes(case.before[0], case.now[0]))

    assert bool(signals.enter_long[1]) is case.fires


def test_the_timeline_is_what_the_engine_shows_a_1h_bar_of_a_4h_indicator():
    # Hour h's candle has high h + 1, so a 4h candle's highest high names it: the one
    # opening at 00:00 has 4, the one at 04:00 has 8; its open hour is that value - 4.
    hours = np.arange(12, dtype=float)
    time = np.arange(12, dtype=np.int64) * 3_600_000
    candles = Candles("1h", time, hours, hours + 1, hours, hours, np.ones(12))
    document = parse(
        "name: timeline\n"
        "indicators: {big: {kind: highest, period: 1, source: high, timeframe: 4h}}\n"
        "entry: {lhs: {bar: close}, op: gt, rhs: {indicator: big}}\n"
        "risk: {stop_loss_pct: 0.1}\n"
    )
    seen = indicator_values(document, candles)["big.value"]

    assert grammar.TIMELINE
    for base_hour, seen_hour in grammar.TIMELINE:
        assert seen[base_hour] - 4 == seen_hour


def test_the_worked_risk_example_in_both_languages(client):
    # Entry 100, stop 3%: 100 x 0.97 = 97 (long), 100 x 1.03 = 103 (short); target 6%: 106 and
    # 94; trailing 5% from a highest high of 110: 104.5, from a lowest low of 90: 94.5.
    en = section(page(client, "docs:risk", "en"), "worked")
    for price in ("97", "103", "106", "94", "104.5", "94.5"):
        assert f"<strong>{price}</strong>" in en
    assert "<strong>104.5</strong> = 110 x (1 - 0.05)" in en
    fr = section(page(client, "docs:risk", "fr"), "worked")
    assert "<strong>104,5</strong> = 110 x (1 - 0,05)" in fr
    assert "<strong>94,5</strong> = 90 x (1 + 0,05)" in fr
