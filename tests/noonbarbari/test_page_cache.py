"""Whole-page caching for anonymous visitors."""

import pytest

from guides.models import Guide
from guides.services import guides_set_published

pytestmark = pytest.mark.django_db


def test_a_cached_page_keeps_its_headers(client, django_assert_num_queries):
    first = client.get("/fr/guides/binance/")
    with django_assert_num_queries(0):
        second = client.get("/fr/guides/binance/")

    assert second.content == first.content
    for header in (
        "Content-Type",
        "Content-Language",
        "X-Frame-Options",
        "Content-Security-Policy",
    ):
        assert second[header] == first[header]
    assert "Cookie" in second["Vary"]


def test_not_found_is_not_cached_and_publishing_shows_at_once(client):
    guides = Guide.objects.filter(exchange__slug="gate")
    guides_set_published(guides=guides, published=False)
    assert client.get("/en/guides/gate/").status_code == 404

    guides_set_published(guides=guides, published=True)

    assert client.get("/en/guides/gate/").status_code == 200
    guides_set_published(guides=guides, published=False)
    assert client.get("/en/guides/gate/").status_code == 404


def test_visitors_with_a_pending_message_are_served_fresh(client, django_assert_num_queries):
    client.get("/en/guides/okx/")
    client.cookies["messages"] = "pending"
    # Rendered again (the guide row is read), from the cached sections.
    with django_assert_num_queries(1):
        client.get("/en/guides/okx/")


def test_another_host_header_cannot_poison_the_cached_links(client):
    # 127.0.0.1 is an allowed host; a port of the visitor's choosing used to end up in the
    # canonical and hreflang links of the page stored for everyone.
    attack = client.get("/en/guides/binance/", headers={"host": "127.0.0.1:6666"})
    assert attack.status_code == 200

    page = client.get("/en/guides/binance/").content.decode()

    assert "6666" not in page
    assert '<link rel="canonical" href="http://testserver/en/guides/binance/">' in page
    assert 'hreflang="fr" href="http://testserver/fr/guides/binance/"' in page
    assert "6666" not in attack.content.decode()
