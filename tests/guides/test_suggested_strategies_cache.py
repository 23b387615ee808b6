"""A cached guide page follows the strategy catalog: a strategy renamed in the admin, or
loaded from the content files, shows on the guides that suggest it at once, not a minute on."""

import dataclasses

import pytest
from django.urls import reverse

from strategies.content_files import read_all
from strategies.models import CatalogEntry, CatalogEntryText
from strategies.services.catalog import catalog_content_load

pytestmark = pytest.mark.django_db

KRAKEN = "/en/guides/kraken/"
SUGGESTED = "multi-trend-confluence"  # one of the two strategies Kraken's guide suggests


def _title(language: str = "en") -> str:
    return CatalogEntryText.objects.get(entry__slug=SUGGESTED, language=language).title


def _visitor_page(client, url: str = KRAKEN) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _admin_rename(admin_client, new_title: str) -> None:
    """Change the English title through the admin's change form, as staff do."""
    entry = CatalogEntry.objects.get(slug=SUGGESTED)
    texts = list(entry.texts.order_by("pk"))
    data = {
        "slug": entry.slug,
        "published": "on",
        "position": entry.position,
        "version": entry.version,
        "category": entry.category,
        "bias": entry.bias,
        "skill": entry.skill,
        "timeframes": '["15m", "1h"]',
        "document": entry.document,
        "texts-TOTAL_FORMS": str(len(texts)),
        "texts-INITIAL_FORMS": str(len(texts)),
        "texts-MIN_NUM_FORMS": "0",
        "texts-MAX_NUM_FORMS": "2",
    }
    for index, text in enumerate(texts):
        prefix = f"texts-{index}-"
        data[f"{prefix}id"] = text.pk
        data[f"{prefix}entry"] = entry.pk
        data[f"{prefix}language"] = text.language
        for name in CatalogEntryText.TEXT_FIELDS:
            data[prefix + name] = getattr(text, name)
        if text.language == "en":
            data[f"{prefix}title"] = new_title
    url = reverse("admin:strategies_catalogentry_change", args=[entry.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_strategy_renamed_in_the_admin_shows_on_the_cached_guide_at_once(client, admin_client):
    old_title = _title()
    assert old_title in _visitor_page(client)
    assert old_title in _visitor_page(client)  # this one came from the page cache

    _admin_rename(admin_client, "Three-timeframe trend")

    assert _title() == "Three-timeframe trend"
    page = _visitor_page(client)
    assert "Three-timeframe trend" in page
    assert old_title not in page


def test_a_catalog_load_shows_on_the_cached_guide_at_once(client):
    assert "Trend agreement on three timeframes" not in _visitor_page(client)

    contents = read_all()
    for index, content in enumerate(contents):
        if content.entry["slug"] == SUGGESTED:
            texts = {**content.texts, "en": {**content.texts["en"]}}
            texts["en"]["title"] = "Trend agreement on three timeframes"
            contents[index] = dataclasses.replace(content, texts=texts)
    catalog_content_load(contents=contents)

    assert "Trend agreement on three timeframes" in _visitor_page(client)


def test_a_guide_that_suggests_nothing_changed_still_comes_from_the_cache(
    client, django_assert_num_queries
):
    _visitor_page(client)
    with django_assert_num_queries(0):
        _visitor_page(client)
