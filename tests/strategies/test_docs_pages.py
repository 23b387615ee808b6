"""The documentation pages as a visitor sees them: both languages, no database, cached, 404s."""

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PAGES = ("docs:index", "docs:rules", "docs:indicators", "docs:risk")
# Each page's heading, written here by hand in both languages.
HEADINGS = {
    "docs:index": ("Strategy documentation", "Documentation des stratégies"),
    "docs:rules": ("Rule grammar", "Grammaire des règles"),
    "docs:indicators": ("Indicators", "Indicateurs"),
    "docs:risk": ("Risk and exits", "Risque et sorties"),
}


def url(name: str, language: str) -> str:
    with translation.override(language):
        return reverse(name)


def page(client, name: str, language: str) -> str:
    response = client.get(url(name, language))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_in_both_languages(client, name):
    english, french = HEADINGS[name]

    en, fr = page(client, name, "en"), page(client, name, "fr")

    assert url(name, "en").startswith("/en/docs/")
    assert '<html lang="en">' in en
    assert f"<h1>{english}</h1>" in en
    assert '<html lang="fr">' in fr
    assert f"<h1>{french}</h1>" in fr
    # The navigation links every docs page, the current one marked.
    for other in PAGES:
        assert f'href="{url(other, "fr")}"' in fr
    assert fr.count('aria-current="page"') == 2  # the docs page and the language switcher


def test_french_pages_are_really_french(client):
    fr = page(client, "docs:rules", "fr")

    for french in ("Préchauffage et valeurs manquantes", "Plusieurs unités de temps", "Limites"):
        assert french in fr
    for english in ("Warm-up and missing values", "Several timeframes", "On this page"):
        assert english not in fr
    risk = page(client, "docs:risk", "fr")
    assert "Un exemple chiffré" in risk
    assert "A worked example" not in risk


def test_pages_read_no_database_even_uncached(client, django_assert_num_queries):
    caches["pages"].clear()
    with django_assert_num_queries(0):
        for name in PAGES:
            for language in ("en", "fr"):
                page(client, name, language)


def test_visitors_get_the_pages_from_the_cache(client):
    caches["pages"].clear()
    first = client.get(url("docs:rules", "en"))
    assert first.visitor_cache[0] == "docs"

    again = client.get(url("docs:rules", "en"))

    assert again.content == first.content
    assert not hasattr(again, "visitor_cache")  # answered by the middleware, not the view


@pytest.mark.parametrize(
    "path",
    ["/en/docs/nope/", "/fr/docs/indicators/ema/", "/en/docs/rules/extra", "/fr/docs/risk/x/"],
)
def test_unknown_docs_paths_are_404(client, path):
    assert client.get(path).status_code == 404


def test_the_sitemap_lists_every_docs_page_in_both_languages(client):
    xml = client.get("/sitemap.xml").content.decode()

    for name in PAGES:
        for language in ("en", "fr"):
            assert f"<loc>http://testserver{url(name, language)}</loc>" in xml
        alternate = f'hreflang="fr" href="http://testserver{url(name, "fr")}"'
        assert alternate in xml


def test_the_sitemap_lists_the_backtests_page_the_sidebar_links(client):
    xml = client.get("/sitemap.xml").content.decode()

    assert "<loc>http://testserver/en/docs/backtests/</loc>" in xml
    assert "<loc>http://testserver/fr/docs/backtests/</loc>" in xml


def test_yaml_is_escaped_and_preformatted(client):
    rules = page(client, "docs:rules", "en")

    assert '<pre class="docs-code" tabindex="0"' in rules
    assert "op: &quot;&gt;&quot;" in rules
    assert 'op: ">"' not in rules


@pytest.mark.parametrize("name", PAGES)
def test_every_table_scrolls_inside_its_own_region(client, name):
    html = page(client, name, "en")
    # A narrow screen scrolls the table, not the page: each table sits in a focusable region.
    assert html.count("<table") == html.count('<div class="docs-table" role="region" tabindex="0"')
