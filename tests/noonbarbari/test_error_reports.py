"""The debug page (DEBUG on, development) hides secrets as production's reports do."""

import sys
from secrets import token_hex

import pytest
from django.test import RequestFactory
from django.views.debug import technical_500_response
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from exchanges.credentials import Credentials

# Drawn at run time: the page quotes this file's source lines, never these values.
SECRET = {
    name: f"{name}-{token_hex(8)}"
    for name in (
        "posted_api_key",
        "posted_secret",
        "posted_passphrase",
        "local",
        "ccxt_config",
        "credentials",
        "database_password",
        "redis_password",
    )
}


@sensitive_post_parameters("api_key", "secret", "passphrase")
def view_that_fails(request):
    return place_order(Credentials(api_key="credentials-key", secret=SECRET["credentials"]))


@sensitive_variables("secret")
def place_order(credentials):
    secret = SECRET["local"]
    config = {"apiKey": "config-key", "secret": SECRET["ccxt_config"]}  # as ccxt gets it
    raise RuntimeError(f"the exchange refused {len(secret) + len(config)} characters")


def debug_page(settings) -> str:
    settings.DEBUG = True
    redis_url = f"redis://:{SECRET['redis_password']}@127.0.0.1/2"
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": redis_url}
    posted = {
        "api_key": SECRET["posted_api_key"],
        "secret": SECRET["posted_secret"],
        "passphrase": SECRET["posted_passphrase"],
        "label": "my kraken key",
    }
    database_url = f"postgres://noonbarbari:{SECRET['database_password']}@127.0.0.1:5432/nb"
    # runserver's WSGI environ carries the process environment, .env included.
    request = RequestFactory().post(
        "/en/profile/keys/add/kraken/", posted, DATABASE_URL=database_url
    )
    try:
        view_that_fails(request)
    except RuntimeError:
        response = technical_500_response(request, *sys.exc_info())
    return response.content.decode()


SETTINGS_SECRETS = {
    "SECRET_KEY": "tests-only-secret-key-not-used-anywhere-else",  # from tests/settings.py
    "FIELD_ENCRYPTION_KEYS": "dGVzdC1rZWstdHdvLTMyLWJ5dGVzLWxvbmctLS0tLS0",  # same
}


@pytest.mark.parametrize("name", [*SECRET, *SETTINGS_SECRETS])
def test_the_debug_page_hides_secrets(settings, name):
    secret = SECRET.get(name) or SETTINGS_SECRETS[name]

    page = debug_page(settings)

    assert "the exchange refused" in page  # the page did render the failure
    assert secret not in page


def test_the_debug_page_still_shows_what_is_not_secret(settings):
    page = debug_page(settings)

    assert "place_order" in page
    assert "my kraken key" in page
    assert "127.0.0.1:5432/nb" in page
