"""Staff manage exchanges and guides in the Django admin."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from guides.models import Guide, GuideTranslation, ItemKind

pytestmark = pytest.mark.django_db


def test_guide_list_filters_search_and_links_in_each_language(admin_client):
    response = admin_client.get(reverse("admin:guides_guide_changelist"), {"q": "kraken"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/en/guides/kraken/"' in html
    assert 'href="/fr/guides/kraken/"' in html
    assert "binance" not in html.lower()
    filtered = admin_client.get(reverse("admin:guides_guide_changelist"), {"published__exact": "0"})
    assert "0 guides" in filtered.content.decode()


def test_guide_change_page_shows_translations_and_their_fallbacks(admin_client):
    french = GuideTranslation.objects.get(guide__exchange__slug="okx", language="fr")
    french.why = ""
    french.save()
    french.items.filter(kind=ItemKind.TROUBLESHOOTING).delete()

    response = admin_client.get(reverse("admin:guides_guide_change", args=[french.guide_id]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "why this exchange, troubleshooting" in html
    assert "Nothing: fully translated" not in html
    assert reverse("admin:guides_guidetranslation_change", args=[french.pk]) in html


def test_translation_page_edits_sections_and_every_list(admin_client):
    english = GuideTranslation.objects.get(guide__exchange__slug="kraken", language="en")

    response = admin_client.get(reverse("admin:guides_guidetranslation_change", args=[english.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for heading in ("steps", "permission checklist", "security tips", "common pitfalls"):
        assert heading in html.lower()
    assert "Query Funds" in html
    assert "eapi-invalid-key" in html
    french = GuideTranslation.objects.get(guide=english.guide, language="fr")
    french_page = admin_client.get(
        reverse("admin:guides_guidetranslation_change", args=[french.pk])
    )
    assert "Nothing: fully translated" in french_page.content.decode()
    # "View on site" opens the page in the translation's own language.
    content_type = ContentType.objects.get_for_model(GuideTranslation)
    for row, path in ((english, "/en/guides/kraken/"), (french, "/fr/guides/kraken/")):
        link = reverse("admin:view_on_site", args=[content_type.pk, row.pk])
        assert (
            link
            in admin_client.get(
                reverse("admin:guides_guidetranslation_change", args=[row.pk])
            ).content.decode()
        )
        assert admin_client.get(link)["Location"].endswith(path)


def test_unpublish_action_takes_the_page_down_at_once(admin_client, client):
    guide = Guide.objects.get(exchange__slug="bitget")
    assert client.get("/en/guides/bitget/").status_code == 200

    response = admin_client.post(
        reverse("admin:guides_guide_changelist"),
        {"action": "unpublish", "_selected_action": [guide.pk]},
    )

    assert response.status_code == 302
    assert client.get("/en/guides/bitget/").status_code == 404


def test_exchange_admin_lists_and_filters(admin_client):
    response = admin_client.get(reverse("admin:exchanges_exchange_changelist"), {"region": "eu"})
    assert response.status_code == 200
    change = admin_client.get(
        reverse("admin:exchanges_exchange_change", args=[Guide.objects.first().exchange_id])
    )
    assert change.status_code == 200
    assert "requiredCredentials" in change.content.decode()
