"""The strategy library and strategy pages, as visitors, users and staff see them."""

import html as html_lib
import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from guides.models import Guide
from guides.services import guides_set_published
from strategies.models import CatalogEntry, CatalogEntryText
from strategies.rules import parse, sentences
from tests.accounts.helpers import make_user
from tests.strategies.test_catalog_content import SLUGS

pytestmark = pytest.mark.django_db


def url(name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def html_of(response) -> str:
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_library_lists_every_strategy_in_the_language(client, language):
    page = html_of(client.get(url("strategies:index", language)))

    titles = CatalogEntryText.objects.filter(language=language).values_list("title", flat=True)
    assert len(titles) == len(SLUGS)
    for title in titles:
        assert title in page
    assert ("20 strategies" if language == "en" else "20 stratégies") in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "mean_reversion"}, {"rsi-mean-revert", "bollinger-revert"}),
        ({"bias": "long_short"}, {"super_trend", "macd-trend"}),
        ({"timeframe": "1d"}, {"ema-crossover"}),
        ({"skill": "advanced"}, {"fair_value_gap"}),
    ],
)
def test_the_library_filters(client, query, expected):
    page = client.get(url("strategies:index", "en"), query).content.decode()
    shown = set(re.findall(r'href="/en/strategies/([^/"]+)/"', page))

    wanted = [
        entry.slug
        for entry in CatalogEntry.objects.all()
        if all(
            value in entry.timeframes if field == "timeframe" else getattr(entry, field) == value
            for field, value in query.items()
        )
    ]
    assert shown == set(wanted)
    assert expected <= shown
    assert shown != set(SLUGS)


def test_a_nonsense_filter_is_ignored_with_a_message_not_an_error(client):
    response = client.get(url("strategies:index", "en"), {"category": "<script>", "skill": "god"})

    page = html_of(response)
    assert "Some filters were not understood" in page
    assert "20 strategies" in page


def test_the_library_costs_the_same_queries_for_any_number_of_strategies(
    client, django_assert_num_queries
):
    # The catalog's and the guides' versions (for the visitors' page cache), the entries,
    # their texts.
    with django_assert_num_queries(4):
        client.get(url("strategies:index", "en"))
    CatalogEntry.objects.filter(slug__in=SLUGS[:5]).update(published=False)
    for cache in caches.all():
        cache.clear()
    with django_assert_num_queries(4):
        client.get(url("strategies:index", "en"), {"skill": "beginner"})


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_strategy_page_shows_its_rules_document_and_texts(client, slug, language):
    entry = CatalogEntry.objects.get(slug=slug)
    text = CatalogEntryText.objects.get(entry=entry, language=language)
    with translation.override(language):
        expected_sentences = sentences(parse(entry.document))

    page = html_of(client.get(url("strategies:detail", language, slug=slug)))

    assert f'<html lang="{language}">' in page
    assert f"<h1>{text.title}</h1>" in page
    for sentence in expected_sentences:
        assert f"<li>{sentence}</li>" in page
    assert entry.document.splitlines()[0] in page
    assert "not yet translated" not in page.lower()
    assert "pas encore traduit" not in page.lower()


def test_the_page_names_the_exchanges_with_their_round_trip_fee(client):
    page = html_of(client.get(url("strategies:detail", "en", slug="ema-crossover")))

    # Kraken's entry-tier taker fee is 0.40%: 0.80% for the two legs of a round trip.
    assert re.search(r'<a href="/en/guides/kraken/">Kraken</a></td><td>0\.80%</td>', page)
    # Coinbase: 1.20% taker, 2.40% a round trip.
    assert re.search(r">Coinbase[^<]*</a></td><td>2\.40%</td>", page)


def test_a_strategy_that_goes_short_names_its_venues_and_says_why(client):
    page = html_of(client.get(url("strategies:detail", "fr", slug="super_trend")))

    # Kraken Futures: 0.05% taker, 0.10% a round trip, written the French way.
    assert re.search(r'/fr/guides/kraken-futures/">Kraken Futures</a></td><td>0,10\xa0%</td>', page)
    assert "vente à découvert" in page


def test_visitors_are_asked_to_log_in_to_copy_and_users_get_the_button(client):
    page = html_of(client.get(url("strategies:detail", "en", slug="ema-crossover")))
    assert "Log in to make a copy" in page
    assert 'action="/en/strategies/mine/copy/ema-crossover/"' not in page

    user = make_user("reader@example.com")
    signed_in = Client()
    signed_in.force_login(user)
    page = html_of(signed_in.get(url("strategies:detail", "en", slug="ema-crossover")))
    assert 'action="/en/strategies/mine/copy/ema-crossover/"' in page


def test_an_unknown_or_unpublished_strategy_is_not_found_but_staff_preview_it(client):
    CatalogEntry.objects.filter(slug="trend_magic").update(published=False)

    assert client.get(url("strategies:detail", "en", slug="no-such-thing")).status_code == 404
    assert client.get(url("strategies:detail", "en", slug="trend_magic")).status_code == 404
    staff = User.objects.create_user("staff@example.com", "pw", is_staff=True)
    client.force_login(staff)
    page = html_of(client.get(url("strategies:detail", "en", slug="trend_magic")))
    assert "Preview: this strategy is not published" in page


def test_an_edit_in_the_admin_shows_at_once(client):
    first = html_of(client.get(url("strategies:detail", "en", slug="ema-crossover")))
    text = CatalogEntryText.objects.get(entry__slug="ema-crossover", language="en")
    text.title = "EMA crossover, revised"
    text.save()

    again = html_of(client.get(url("strategies:detail", "en", slug="ema-crossover")))

    assert "EMA crossover, revised" not in first
    assert "<h1>EMA crossover, revised</h1>" in again


def test_the_header_opens_the_library(client):
    page = html_of(client.get("/fr/"))

    assert '<a href="/fr/strategies/">Stratégies</a>' in page


def test_a_guide_links_the_strategies_it_names(client):
    page = html_of(client.get("/en/guides/kraken/"))
    title = CatalogEntryText.objects.get(entry__slug="multi-trend-confluence", language="en").title

    assert f'<a href="/en/strategies/multi-trend-confluence/">{title}</a>' in page


def test_the_sitemap_lists_every_strategy_in_both_languages(client):
    xml = client.get("/sitemap.xml").content.decode()

    for slug in SLUGS:
        for language in ("en", "fr"):
            assert f"<loc>http://testserver/{language}/strategies/{slug}/</loc>" in xml
    assert 'hreflang="fr" href="http://testserver/fr/strategies/ema-crossover/"' in xml
    assert "<loc>http://testserver/en/strategies/</loc>" in xml


def test_a_stored_document_that_no_longer_validates_does_not_break_the_page(client, caplog):
    CatalogEntry.objects.filter(slug="ema-crossover").update(
        document=CatalogEntry.objects.get(slug="ema-crossover").document.replace(
            "kind: ema", "kind: ema_retired", 1
        )
    )

    page = html_of(client.get(url("strategies:detail", "en", slug="ema-crossover")))

    assert "rules are being revised" in page
    assert "no longer validates" in caplog.text


def test_an_exchange_whose_guide_is_unpublished_leaves_the_strategy_page(client):
    assert "/en/guides/kraken/" in html_of(
        client.get(url("strategies:detail", "en", slug="ema-crossover"))
    )
    guides_set_published(guides=Guide.objects.filter(exchange__slug="kraken"), published=False)

    page = html_of(client.get(url("strategies:detail", "en", slug="ema-crossover")))

    assert "/en/guides/kraken/" not in page
