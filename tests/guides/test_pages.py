"""The guides index and detail pages, as visitors and staff see them."""

import re
import tomllib
from pathlib import Path

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from exchanges.models import Exchange
from guides.models import Guide, GuideTranslation, ItemKind, Permission, Step
from tests.factories import GuideTranslationFactory
from tests.guides.test_content import EXCHANGES

pytestmark = pytest.mark.django_db


def detail_url(slug: str, language: str) -> str:
    with translation.override(language):
        return reverse("guides:detail", kwargs={"slug": slug})


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("slug", EXCHANGES)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_guide_page_renders_its_facts_and_sections(client, slug, language):
    guide = Guide.objects.select_related("exchange").get(exchange__slug=slug)
    text = GuideTranslation.objects.get(guide=guide, language=language)

    html = html_of(client.get(detail_url(slug, language)))

    assert f'<html lang="{language}">' in html
    assert f"<h1>{text.title}</h1>".replace("'", "&#x27;") in html
    permissions = list(Permission.objects.filter(translation=text))
    assert permissions
    for permission in permissions:
        assert permission.label.replace("&", "&amp;") in html
    anchors = text.items.filter(kind=ItemKind.TROUBLESHOOTING).values_list("anchor", flat=True)
    assert anchors
    for anchor in anchors:
        assert f'id="error-{anchor}"' in html
    assert 'id="egress-ips"' in html
    assert "51.38.112.198" in html
    # No section of a complete translation falls back to English.
    assert "not yet translated" not in html.lower()
    assert "pas encore traduit" not in html.lower()


def test_kraken_in_french_matches_the_reference(client):
    html = html_of(client.get("/fr/guides/kraken/"))

    assert "<h1>Connecte Kraken à ton trading bot</h1>" in html
    assert "Retour à tous les guides" in html
    for chip in ("Ouvert aux États-Unis", "Spot", "CCXT\u00a0: de premier ordre"):
        assert f'<li class="chip">{chip}</li>' in html
    assert '<li class="chip">Futures</li>' not in html  # Kraken's futures: its sister venue
    facts = dict(re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', html))
    assert facts["Région"] == "Ouvert aux États-Unis"
    assert facts["Trading spot"] == "Oui"
    assert facts["Trading futures"] == "Non"
    assert facts["Frais maker spot"] == "0,25\xa0%"
    assert facts["Support CCXT"] == "de premier ordre"
    assert facts["2FA sur le compte"] == "Obligatoire"
    assert facts["Liste blanche d’IP"] == "Recommandé"
    for label in (
        "Query Funds",
        "Query Open Orders &amp; Trades",
        "Query Closed Orders &amp; Trades",
        "Create &amp; Modify Orders",
        "Cancel/Close Orders",
    ):
        assert label in html
    assert "Ne jamais accorder le retrait" in html
    assert "S’inscrire" in html


def test_binance_usd_m_page_shows_its_futures_fees_and_no_separate_keys_row(client):
    html = html_of(client.get("/en/guides/binance-usdm/"))
    facts = dict(re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', html))

    assert facts["Spot trading"] == "No"
    assert facts["Futures trading"] == "Yes"
    assert facts["Maker fee"] == "0.02%"
    assert facts["Taker fee"] == "0.05%"
    assert facts["IP whitelist"] == "Required"
    assert facts["Credentials"] == "API key, Secret"
    # Binance's keys are not separate per market, so no sister venue row.
    assert "Separate keys on" not in facts


@pytest.mark.parametrize(
    ("language", "futures_guide"),
    [("en", "Binance USDⓈ-M Futures guide"), ("fr", "guide Binance USDⓈ-M Futures")],
)
def test_the_binance_spot_guide_points_to_the_usd_m_futures_guide(client, language, futures_guide):
    html = html_of(client.get(f"/{language}/guides/binance/"))

    assert futures_guide in html


def test_english_numbers_and_labels(client):
    html = html_of(client.get("/en/guides/kraken/"))
    facts = dict(re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', html))

    assert facts["Spot maker fee"] == "0.25%"
    assert facts["Spot trading"] == "Yes"
    assert facts["2FA on the account"] == "Required"
    assert facts["IP whitelist"] == "Recommended"
    assert "Never grant withdrawal" in html


def test_a_missing_french_section_falls_back_to_english(client):
    french = GuideTranslation.objects.get(guide__exchange__slug="kraken", language="fr")
    english = GuideTranslation.objects.get(guide__exchange__slug="kraken", language="en")
    french.why = ""
    french.save()
    french.items.filter(kind=ItemKind.PITFALL).delete()

    html = html_of(client.get("/fr/guides/kraken/"))

    why = re.search(r'<section id="why".*?</section>', html, re.S).group(0)
    assert '<div class="prose" lang="en">' in why
    assert "Pas encore traduit\u00a0: affiché en anglais." in why
    assert english.why.split()[0] in why
    pitfalls = re.search(r'<section id="pitfalls"[^>]*>', html).group(0)
    assert 'lang="en"' in pitfalls
    # The sections that are translated stay French, without the note.
    before = re.search(r'<section id="before-you-start".*?</section>', html, re.S).group(0)
    assert "lang=" not in before
    assert "Pas encore traduit" not in before


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        '<a href="#" onclick="steal()">link</a>',
        "<iframe src='https://evil.example'></iframe>",
    ],
)
def test_staff_content_is_sanitised(client, attack):
    english = GuideTranslation.objects.get(guide__exchange__slug="kraken", language="en")
    english.why = f"Fine text.\n\n{attack}\n"
    english.save()
    step = english.items.filter(kind=ItemKind.STEP).first()
    step.text = attack
    step.save()

    page = html_of(client.get("/en/guides/kraken/"))
    html = re.search(r'<article class="guide">.*</article>', page, re.S).group(0).lower()

    assert "fine text." in html
    for forbidden in ("<script", "onerror=", 'href="javascript:', "onclick=", "<iframe", "<img"):
        assert forbidden not in html


def test_unpublished_guide_is_404_for_visitors_and_a_preview_for_staff(client, admin_client):
    Guide.objects.filter(exchange__slug="gate").update(published=False)

    assert client.get("/en/guides/gate/").status_code == 404
    assert "/en/guides/gate/" not in client.get("/en/guides/").content.decode()
    html = html_of(admin_client.get("/en/guides/gate/"))
    assert "Preview: this guide is not published" in html
    assert "Draft: visible to staff only" in html_of(admin_client.get("/en/guides/"))


def test_unknown_guide_is_404(client):
    assert client.get("/fr/guides/no-such-exchange/").status_code == 404


def test_edits_appear_on_the_page_at_once(client):
    url = "/en/guides/bybit/"
    assert "Freshly edited" not in html_of(client.get(url))  # now cached

    english = GuideTranslation.objects.get(guide__exchange__slug="bybit", language="en")
    # Saved through the proxy model, as the admin's inline does.
    first = Step.objects.filter(translation=english).first()
    first.text = "Freshly edited step."
    first.save()
    assert "Freshly edited step." in html_of(client.get(url))

    english.title = "Freshly edited title"
    english.save()
    assert "<h1>Freshly edited title</h1>" in html_of(client.get(url))

    bybit = Exchange.objects.get(slug="bybit")
    bybit.ip_whitelist = "not_available"
    bybit.save()
    assert "<td>Not available</td>" in html_of(client.get(url))

    Guide.objects.filter(exchange=bybit).first().delete()
    assert client.get(url).status_code == 404


def test_detail_page_queries(client, django_assert_max_num_queries, django_assert_num_queries):
    caches["pages"].clear()
    # Cold: the guide, its sections, and the titles of the strategies it suggests (the
    # catalog's version, its entries and their texts).
    with django_assert_max_num_queries(8):
        html_of(client.get("/fr/guides/kraken/"))
    # Warm: the whole page comes from the cache.
    with django_assert_num_queries(0):
        html_of(client.get("/fr/guides/kraken/"))
    # A signed-in reader gets the guide row and the cached sections, and the layout asks
    # whether one of the reader's keys needs replacing (the banner). The session is read from
    # the cache (written through at login).
    client.force_login(User.objects.create_user("reader@example.com"))
    with django_assert_num_queries(3):  # user, guide, keys to replace
        html_of(client.get("/fr/guides/kraken/"))


def test_signed_in_readers_never_get_the_visitors_cached_page(client, admin_client):
    visitor = html_of(client.get("/en/guides/kraken/"))
    assert "Log out" not in visitor

    member = html_of(admin_client.get("/en/guides/kraken/"))

    assert "Log out" in member
    assert "Sign up" not in member
    assert client.get("/en/guides/kraken/")["Vary"].count("Cookie") == 1


def test_index_lists_every_guide_with_chips_in_constant_queries(client, django_assert_num_queries):
    # The content version, the guides with their exchanges, their translations.
    with django_assert_num_queries(3):
        html = html_of(client.get("/fr/guides/"))
    # Then the whole page comes from the cache.
    with django_assert_num_queries(0):
        assert html_of(client.get("/fr/guides/")) == html

    for slug in EXCHANGES:
        assert f'href="/fr/guides/{slug}/"' in html
    assert "Connecte Kraken à ton trading bot" in html
    assert "11 guides" in html


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        # Every venue serving EU customers: US-friendly and global ones do.
        ("region=eu", ["kraken", "binance", "coinbase", "kraken-futures", "kucoin"], []),
        ("region=global", ["binance", "binance-usdm", "okx", "kraken"], []),
        ("region=us_friendly", ["kraken", "coinbase"], ["binance", "binance-usdm", "okx"]),
        # The Kraken Spot guide's keys trade no futures: its sister venue's guide does.
        ("futures=on", ["kraken-futures", "bybit", "binance-usdm"], ["kraken"]),
        ("q=kraken", ["kraken", "kraken-futures"], ["binance"]),
        ("q=binance", ["binance", "binance-usdm"], ["kraken", "kraken-futures"]),
        ("q=KuCoin&region=global", ["kucoin"], ["kraken", "okx"]),
    ],
)
def test_index_filters_without_javascript(client, query, expected, absent):
    html = html_of(client.get(f"/en/guides/?{query}"))

    for slug in expected:
        assert f'href="/en/guides/{slug}/"' in html
    for slug in absent:
        assert f'href="/en/guides/{slug}/"' not in html


def test_spot_filter_drops_futures_only_venues(client):
    html = html_of(client.get("/en/guides/?spot=on"))

    assert 'href="/en/guides/kraken-futures/"' not in html
    assert 'href="/en/guides/binance-usdm/"' not in html
    assert 'href="/en/guides/kraken/"' in html


def test_bad_filter_input_is_explained_not_a_500(client):
    response = client.get("/fr/guides/?region=moon&q=" + "x" * 500)

    html = html_of(response)
    assert "Certains filtres n’ont pas été compris" in html
    assert 'href="/fr/guides/kraken/"' in html  # the invalid filters were ignored


def test_index_card_falls_back_to_english_title(client):
    translation_row = GuideTranslationFactory(language="en", tagline="English only")

    html = html_of(client.get("/fr/guides/"))

    assert "English only" in html
    assert f'lang="en">{translation_row.title}</a>' in html


def test_seo_tags_canonical_and_hreflang(client):
    html = html_of(client.get("/fr/guides/okx/"))
    french = GuideTranslation.objects.get(guide__exchange__slug="okx", language="fr")

    assert f"<title>{french.title} · Noon Barbari</title>".replace("'", "&#x27;") in html
    assert f'<meta name="description" content="{french.meta_description}' in html.replace(
        "&#x27;", "'"
    )
    assert '<link rel="canonical" href="http://testserver/fr/guides/okx/">' in html
    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/guides/okx/">' in html
    assert '<link rel="alternate" hreflang="fr" href="http://testserver/fr/guides/okx/">' in html
    assert (
        '<link rel="alternate" hreflang="x-default" href="http://testserver/en/guides/okx/">'
        in html
    )


def test_sitemap_lists_every_guide_in_both_languages(client):
    Guide.objects.filter(exchange__slug="gate").update(published=False)

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    xml = response.content.decode()
    for slug in EXCHANGES:
        if slug == "gate":
            assert "/guides/gate/" not in xml
            continue
        for language in ("en", "fr"):
            assert f"<loc>http://testserver/{language}/guides/{slug}/</loc>" in xml
    assert 'hreflang="x-default"' in xml
    assert 'hreflang="fr" href="http://testserver/fr/guides/kraken/"' in xml


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /fr/admin/" in body


CONTENT = Path(__file__).resolve().parents[2] / "guides" / "content"


@pytest.mark.parametrize("slug", EXCHANGES)
def test_what_next_promises_only_the_links_the_page_shows(client, slug):
    """ "The links just below" lead to what the page lists: the exchange's support centre and
    fee schedule and our support; no billing link exists, so no text announces one."""
    for language, below, billing in (
        ("en", "just below", "billing"),
        ("fr", "juste en dessous", "facturation"),
    ):
        text = tomllib.loads((CONTENT / slug / f"{language}.toml").read_text(encoding="utf-8"))
        what_next = text["what_next"]
        assert billing not in what_next.lower()
        if below not in what_next:
            continue
        html = html_of(client.get(f"/{language}/guides/{slug}/"))
        links = re.search(r'<section id="once-connected".*?</section>', html, re.S).group(0)
        exchange = Exchange.objects.get(slug=slug)
        assert f'href="{exchange.support_url}"' in links
        assert f'href="{exchange.fees_url}"' in links
        assert 'href="mailto:' in links
