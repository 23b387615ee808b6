"""The indicators page lists the whole registry: every kind, parameter, output and state."""

import pytest
import yaml
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from strategies.indicators import REGISTRY
from strategies.rules import parse
from strategies.views.docs.indicators import indicator_docs

pytestmark = pytest.mark.django_db


def page(client, language: str) -> str:
    with translation.override(language):
        response = client.get(reverse("docs:indicators"))
    assert response.status_code == 200
    return response.content.decode()


def entry(html: str, kind: str) -> str:
    start = html.index(f'<section class="docs-indicator" id="{kind}"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_registered_indicator_is_documented_in_full(client, language):
    html = page(client, language)
    assert REGISTRY

    for kind, spec in REGISTRY.items():
        assert f'<li><a href="#{kind}">' in html  # the table of contents
        shown = entry(html, kind)
        with translation.override(language):
            assert escape(str(spec.title)) in shown
            assert escape(str(spec.description)) in shown
            assert escape(str(spec.definition)) in shown
            for words in spec.states.values():
                for word in words.values():
                    assert escape(str(word)) in shown
        for param in spec.params:
            assert f'<th scope="row"><code>{param.name}</code></th>' in shown
        for output in spec.outputs:
            assert f"<code>{output}</code>" in shown


def test_state_words_and_ranges_in_french(client):
    trend = entry(page(client, "fr"), "trend")
    assert "1\xa0: à la hausse" in trend
    zones = entry(page(client, "fr"), "premium_discount_zones")
    # band: 0 to 0.5, written with the French decimal mark in prose, a dot in code.
    assert "0 à 0,5" in zones
    assert "<code>0.05</code>" in zones


def test_warm_up_figures_for_the_default_parameters(client):
    html = page(client, "en")
    # EMA 20: the first 19 closes have no value (TA-Lib seeds with the average of 20).
    assert "19 bars with the default parameters: the first value is on bar 20" in entry(html, "ema")
    macd = entry(html, "macd")
    # MACD 12/26/9: the line needs the slow EMA (26 - 1 = 25 bars), the signal nine line
    # values more (25 + 9 - 1 = 33).
    assert "<code>line</code>: 25 bars" in macd
    assert "<code>signal</code>, <code>hist</code>: 33 bars" in macd
    levels = entry(html, "prior_period_levels")
    # Worst case on 1h bars: 23 bars left of the first day, then a whole day of 24: bar 48,
    # 47 bars without a value; for the week: 167 + 168 = 335.
    assert "1h bars: 47" in levels
    assert "1h bars: 335" in levels
    assert "For timeframes up to 1d" in levels


def test_every_declaration_shown_is_a_valid_document_part():
    docs = indicator_docs()
    assert docs
    for doc in docs:
        declared = yaml.safe_load(doc.declaration)
        spec = REGISTRY[doc.kind]
        text = yaml.safe_dump(
            {
                "name": "declaration",
                "indicators": declared,
                "entry": {"lhs": {"bar": "close"}, "op": "gt", "rhs": {"indicator": doc.kind}},
                "risk": {"stop_loss_pct": 0.1},
            }
        )
        document = parse(text)
        assert document.indicators[doc.kind].params == spec.with_defaults({})
