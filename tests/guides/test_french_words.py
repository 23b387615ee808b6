"""French guide pages say the venue facts in French: no English region or CCXT level left."""

import pytest

pytestmark = pytest.mark.django_db

ENGLISH_LEFT = ("US-friendly", "first-class")


def test_the_french_guide_says_region_and_ccxt_support_in_french(client):
    html = client.get("/fr/guides/kraken/").content.decode()

    assert '<li class="chip">Ouvert aux États-Unis</li>' in html
    assert '<li class="chip">CCXT\u00a0: de premier ordre</li>' in html
    assert "<td>Ouvert aux États-Unis</td>" in html
    assert "<td>de premier ordre</td>" in html
    for english in ENGLISH_LEFT:
        assert english not in html


def test_the_french_guide_index_filters_and_badges_in_french(client):
    html = client.get("/fr/guides/").content.decode()

    assert '<option value="us_friendly">Ouvert aux États-Unis</option>' in html
    assert '<li class="chip">Ouvert aux États-Unis</li>' in html  # Kraken's and Coinbase's
    for english in ENGLISH_LEFT:
        assert english not in html


def test_the_filter_still_works_in_french(client):
    html = client.get("/fr/guides/?region=us_friendly").content.decode()

    assert '<option value="us_friendly" selected>Ouvert aux États-Unis</option>' in html
    assert 'href="/fr/guides/kraken/"' in html
    assert 'href="/fr/guides/binance/"' not in html


def test_english_pages_keep_the_english_words(client):
    html = client.get("/en/guides/kraken/").content.decode()

    assert '<li class="chip">US-friendly</li>' in html
    assert '<li class="chip">CCXT: first-class</li>' in html
