"""The key pages speak in words: who acted, which permission, which credential, in the words of
the guide and of the exchange, never an internal id."""

import re
import tomllib
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from exchanges import connection_tests, services
from exchanges.credentials import exchange_key_reveal
from exchanges.forms import EXCHANGE_NAMES
from exchanges.key_events import key_event_record
from exchanges.models import ACTOR_LABELS, Exchange, KeyEventKind
from exchanges.permissions import NamedPermission

pytestmark = pytest.mark.django_db

GUIDES = Path(__file__).resolve().parents[2] / "guides" / "content"


def test_the_history_names_who_acted_in_words(owner_client, kraken_key):
    exchange_key_reveal(key=kraken_key, actor=connection_tests.ACTOR)
    key_event_record(kraken_key, KeyEventKind.TESTED, connection_tests.ACTOR)
    key_event_record(kraken_key, KeyEventKind.TESTED, "task:canary")

    english = owner_client.get(kraken_key.get_absolute_url()).content.decode()
    french = owner_client.get(kraken_key.get_absolute_url().replace("/en/", "/fr/", 1))

    assert "task:" not in english
    assert "<td>Connection test</td>" in english
    assert "<td>You, on the site</td>" in english  # the key was added on the site
    assert "<td>Noon Barbari, automatically</td>" in english
    assert "<td>Test de connexion</td>" in french.content.decode()


def test_every_actor_the_code_records_has_a_label():
    assert set(ACTOR_LABELS) == {services.WEB, connection_tests.ACTOR}


def test_a_permission_shows_its_label_with_its_code_beside_it_or_words_alone():
    html = render_to_string(
        "exchanges/_permission_list.html",
        {
            "permissions": [
                NamedPermission("withdraw-funds", "Withdraw Funds"),
                NamedPermission("deposit-funds", ""),
            ]
        },
    )

    assert "<li>Withdraw Funds <code>withdraw-funds</code></li>" in html
    assert "<li>Deposit funds</li>" in html
    assert "<code>deposit-funds</code>" not in html


def test_the_api_key_is_visible_and_the_secret_masked(owner_client):
    html = owner_client.get("/en/profile/keys/add/kraken/").content.decode()

    api_key = re.search(r'<input[^>]*name="api_key"[^>]*>', html).group()
    secret = re.search(r'<input[^>]*name="secret"[^>]*>', html).group()
    assert 'type="text"' in api_key
    for attribute in ('autocomplete="off"', 'spellcheck="false"', 'autocapitalize="off"'):
        assert attribute in api_key
        assert attribute in secret
    assert 'type="password"' in secret


def test_the_form_names_the_secret_as_the_exchange_and_its_guide_do(owner_client):
    english = owner_client.get("/en/profile/keys/add/kraken/").content.decode()
    french = owner_client.get("/fr/profile/keys/add/kraken/").content.decode()
    futures = owner_client.get("/en/profile/keys/add/kraken-futures/").content.decode()

    assert '<label for="id_secret">Secret (Kraken calls it Private Key)</label>' in english
    assert '<label for="id_secret">Secret (Kraken l’appelle Private Key)</label>' in french
    assert "API key (Kraken Futures calls it Public Key)" in futures
    assert '<label for="id_api_key">API key</label>' in english  # same words: said once


@pytest.mark.parametrize("ccxt_id", sorted(EXCHANGE_NAMES))
def test_the_exchange_names_of_credentials_are_the_words_of_its_guide(ccxt_id):
    exchange = Exchange.objects.get(ccxt_id=ccxt_id)
    guide = tomllib.loads((GUIDES / exchange.slug / "en.toml").read_text(encoding="utf-8"))
    names = EXCHANGE_NAMES[ccxt_id]
    assert names

    for name in names.values():
        assert name.casefold() in guide["paste_keys"].casefold(), name
