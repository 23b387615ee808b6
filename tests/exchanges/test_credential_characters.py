"""Pasted credentials: characters no exchange issues are refused, by name, for every exchange;
an API key and a secret pasted into each other's field are recognised."""

import base64
import os
from pathlib import Path

import pytest
from django.conf import settings

from exchanges.forms import CCXT_FIELDS, ExchangeKeyForm
from exchanges.models import Exchange, ExchangeKey

pytestmark = pytest.mark.django_db

EXCHANGES = sorted(
    path.parent.name
    for path in (Path(settings.BASE_DIR) / "guides/content").glob("*/exchange.toml")
)

# A stray character, and the words its message must contain (Unicode's name for it).
STRAYS = [
    ("\u200b", "an invisible character (U+200B ZERO WIDTH SPACE)"),
    ("\ufeff", "an invisible character (U+FEFF ZERO WIDTH NO-BREAK SPACE)"),
    ("\u2060", "an invisible character (U+2060 WORD JOINER)"),
    ("\u202e", "a hidden text-direction character (U+202E RIGHT-TO-LEFT OVERRIDE)"),
    ("\u2066", "a hidden text-direction character (U+2066 LEFT-TO-RIGHT ISOLATE)"),
    ("é", "a letter or digit that is not plain ASCII (U+00E9 LATIN SMALL LETTER E WITH ACUTE)"),
    ("\u0430", "not plain ASCII (U+0430 CYRILLIC SMALL LETTER A)"),  # looks like "a"
    ("\U0001f511", "a symbol or emoji (U+1F511 KEY)"),
]


def test_every_exchange_is_covered():
    assert len(EXCHANGES) >= 10
    assert Exchange.objects.filter(slug__in=EXCHANGES).count() == len(EXCHANGES)


@pytest.mark.parametrize("slug", EXCHANGES)
@pytest.mark.parametrize(("stray", "named"), STRAYS)
def test_characters_no_exchange_issues_are_refused_by_name(owner, slug, stray, named):
    exchange = Exchange.objects.get(slug=slug)
    fields = [CCXT_FIELDS[name] for name in exchange.credentials if name in CCXT_FIELDS]
    assert fields  # every exchange asks for at least one credential
    for field in fields:
        data = {"label": "k", **dict.fromkeys(fields, "A1b2C3d4" * 6)}
        data[field] = "A1b2C3d4" * 3 + stray + "A1b2C3d4" * 3

        form = ExchangeKeyForm(data, exchange=exchange, user=owner)

        assert not form.is_valid()
        assert any(named in error for error in form.errors[field]), (field, form.errors)


def kraken_pair() -> tuple[str, str]:
    # Kraken Spot: a 56-character API key (42 bytes) and an 88-character secret (64 bytes).
    return base64.b64encode(os.urandom(42)).decode(), base64.b64encode(os.urandom(64)).decode()


def test_a_kraken_key_and_secret_pasted_into_each_other_s_field_are_told_swapped(owner_client):
    api_key, secret = kraken_pair()

    response = owner_client.post(
        "/en/profile/keys/add/kraken/", {"label": "k", "api_key": secret, "secret": api_key}
    )

    html = response.content.decode()
    assert "The API key and the secret look swapped" in html
    assert "Kraken Futures" not in html  # the advice that failed too
    assert ExchangeKey.objects.count() == 0


UUID = "3f2b9c1e-8a4d-4c6e-9b1a-2d7e5f0c8a91"
PEM = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBm\n-----END EC PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("slug", "api_key", "secret", "extra"),
    [
        # Each exchange's own shapes, swapped: (what was pasted as the key, as the secret).
        ("okx", "0A1B2C3D4E5F60718293A4B5C6D7E8F9", UUID, {"passphrase": "Passphrase-1"}),
        ("kucoin", UUID, "65a1f3c2b4d5e6f708192a3b", {"passphrase": "Passphrase-1"}),
        ("gate", "ab" * 32, "cd" * 16, {}),
        ("coinbase", PEM, "organizations/1a2b/apiKeys/3c4d", {}),
    ],
)
def test_swapped_credentials_are_told_for_other_exchanges(owner, slug, api_key, secret, extra):
    exchange = Exchange.objects.get(slug=slug)
    data = {"label": "k", "api_key": api_key, "secret": secret, **extra}

    form = ExchangeKeyForm(data, exchange=exchange, user=owner)

    assert not form.is_valid()
    assert any("look swapped" in error for error in form.errors["api_key"]), form.errors
    # The right order is accepted.
    data.update(api_key=secret, secret=api_key)
    assert "api_key" not in ExchangeKeyForm(data, exchange=exchange, user=owner).errors
