"""The label's help text gives an example that fits the exchange the key is for."""

import pytest

pytestmark = pytest.mark.django_db


def test_kraken_futures_suggests_a_futures_name(owner_client):
    page = owner_client.get("/en/profile/keys/add/kraken-futures/").content.decode()

    assert "Your name for this key, e.g. kraken-futures." in page
    assert "kraken-spot" not in page


def test_kraken_spot_keeps_its_spot_name(owner_client):
    page = owner_client.get("/en/profile/keys/add/kraken/").content.decode()

    assert "Your name for this key, e.g. kraken-spot." in page


def test_the_example_is_the_label_the_page_suggests(owner_client, kraken_key):
    # The owner already has "kraken-spot": the page suggests (and the help shows) the next one.
    page = owner_client.get("/en/profile/keys/add/kraken/").content.decode()

    assert 'value="kraken-spot-2"' in page
    assert "Your name for this key, e.g. kraken-spot-2." in page


def test_the_french_form_says_it_in_french(owner_client):
    page = owner_client.get("/fr/profile/keys/add/kraken-futures/").content.decode()

    assert "Ton nom pour cette clé, par exemple kraken-futures." in page
    assert "e.g." not in page
