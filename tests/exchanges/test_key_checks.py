"""What the key form and the connection test refuse or warn about beyond a key's shape: a
permission never needed, the same API key twice, an expiry date gone, two saves at once."""

import dataclasses
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from exchanges.credentials import Credentials
from exchanges.diagnosis import Verdict
from exchanges.forms import ExchangeKeyForm
from exchanges.models import ConnectionTest, ExchangeKey
from exchanges.services import exchange_key_create
from tests.exchanges.conftest import kraken_credentials
from tests.exchanges.test_connection_test import add_key, status_page

pytestmark = pytest.mark.django_db

ADD_KRAKEN = "/en/profile/keys/add/kraken/"
KEYS_1 = "test1=dGVzdC1rZWstb25lLTMyLWJ5dGVzLWxvbmctLS0tLS0"
KEYS_2 = "test2=dGVzdC1rZWstdHdvLTMyLWJ5dGVzLWxvbmctLS0tLS0"


@pytest.fixture
def kraken_on_sandbox(venue, settings):
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url, "krakenfutures": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    return venue


def test_a_permission_never_needed_passes_with_a_warning_naming_it(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, monkeypatch
):
    # The "full" demo key, given Deposit Funds (add-funds) too, which the guide says never.
    full = kraken_on_sandbox.key("spot-full")
    monkeypatch.setitem(
        kraken_on_sandbox.state.keys,
        full.key,
        dataclasses.replace(full, permissions=full.permissions | {"add-funds"}),
    )

    key = add_key(owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, "spot-full")

    test = ConnectionTest.objects.get(key=key)
    assert test.verdict == Verdict.OK
    assert test.discouraged_permissions == ["add-funds"]
    page = status_page(owner_client, key)
    assert "✓ Connected" in page
    assert "permissions Noon Barbari never uses" in page
    assert "Deposit Funds <code>add-funds</code>" in page


def post(client, credentials: Credentials, **fields):
    data = {"label": "k", "api_key": credentials.api_key, "secret": credentials.secret}
    return client.post(ADD_KRAKEN, {**data, **fields})


def test_the_same_api_key_twice_is_refused_with_the_reason(owner_client, owner, kraken):
    credentials = kraken_credentials()
    exchange_key_create(user=owner, exchange=kraken, label="first", credentials=credentials)
    # Even with another secret: the nonces belong to the key.
    again = Credentials(api_key=credentials.api_key, secret=kraken_credentials().secret)

    response = post(owner_client, again, label="second")

    assert response.status_code == 200
    html = response.content.decode()
    assert "You already saved this API key, as first." in html
    assert "clash on its nonces" in html
    assert ExchangeKey.objects.count() == 1


def test_another_user_may_save_the_same_api_key(owner, kraken, django_user_model):
    credentials = kraken_credentials()
    exchange_key_create(user=owner, exchange=kraken, label="k", credentials=credentials)
    other = django_user_model.objects.create_user(email="other@example.com", password="x" * 12)

    form = ExchangeKeyForm(
        {"label": "k", "api_key": credentials.api_key, "secret": credentials.secret},
        exchange=kraken,
        user=other,
    )

    assert form.is_valid(), form.errors


def test_replacing_a_secret_with_another_key_s_api_key_is_refused(owner_client, owner, kraken):
    first = exchange_key_create(
        user=owner, exchange=kraken, label="first", credentials=kraken_credentials()
    )
    second = kraken_credentials()
    key = exchange_key_create(user=owner, exchange=kraken, label="second", credentials=second)
    rotate = reverse("exchanges:key_rotate", args=[key.pk])

    same_key = owner_client.post(rotate, {"api_key": second.api_key, "secret": second.secret})
    assert same_key.status_code == 302  # its own API key again: fine
    taken = ExchangeKey.objects.get(pk=first.pk).api_key.reveal()
    refused = owner_client.post(rotate, {"api_key": taken, "secret": second.secret})
    assert "You already saved this API key, as first." in refused.content.decode()


def test_the_digest_survives_kek_rotation_and_follows_a_new_data_key(owner, kraken):
    credentials = kraken_credentials()
    with override_settings(FIELD_ENCRYPTION_KEYS=KEYS_1, FIELD_ENCRYPTION_ACTIVE_KEY="test1"):
        key = exchange_key_create(user=owner, exchange=kraken, label="k", credentials=credentials)
    digest = ExchangeKey.objects.get(pk=key.pk).api_key_digest
    assert len(digest) == 64
    assert credentials.api_key not in digest

    with override_settings(FIELD_ENCRYPTION_KEYS=f"{KEYS_2},{KEYS_1}"):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
    with override_settings(FIELD_ENCRYPTION_KEYS=KEYS_2, FIELD_ENCRYPTION_ACTIVE_KEY="test2"):
        assert ExchangeKey.objects.get(pk=key.pk).api_key_digest == digest  # untouched...
        assert not form_for(owner, kraken, credentials).is_valid()  # ...and still found

        call_command("rotate_encryption_keys", user=owner.email, stdout=io.StringIO())
        assert ExchangeKey.objects.get(pk=key.pk).api_key_digest != digest  # new data key
        assert "api_key" in form_for(owner, kraken, credentials).errors  # still found


def form_for(user, exchange, credentials: Credentials) -> ExchangeKeyForm:
    data = {"label": "again", "api_key": credentials.api_key, "secret": credentials.secret}
    form = ExchangeKeyForm(data, exchange=exchange, user=user)
    form.is_valid()
    return form


def test_an_expiry_date_in_the_past_is_refused(owner_client):
    yesterday = timezone.localdate() - timedelta(days=1)

    response = post(owner_client, kraken_credentials(), expires_on=yesterday.isoformat())

    assert "This date is in the past" in response.content.decode()
    assert ExchangeKey.objects.count() == 0
    today = post(owner_client, kraken_credentials(), expires_on=timezone.localdate().isoformat())
    assert today.status_code == 302


@pytest.mark.parametrize("taken", ["label", "api_key"])
def test_two_saves_at_once_get_a_form_error_not_a_server_error(
    owner_client, owner, kraken, monkeypatch, taken
):
    """The other request inserts its row after this form's checks and before its insert: the
    database's uniqueness constraint refuses it, and the form says why (SQLite and PostgreSQL
    alike: CI runs this on both)."""
    credentials = kraken_credentials()
    checked = ExchangeKeyForm.clean

    def clean_then_lose_the_race(form):
        cleaned = checked(form)
        other = credentials if taken == "api_key" else kraken_credentials()
        label = "k" if taken == "label" else "other"
        exchange_key_create(user=owner, exchange=kraken, label=label, credentials=other)
        return cleaned

    monkeypatch.setattr(ExchangeKeyForm, "clean", clean_then_lose_the_race)

    response = post(owner_client, credentials, label="k")

    assert response.status_code == 200
    html = response.content.decode()
    expected = {
        "label": "You already have a key with this label.",
        "api_key": "You already saved this API key, as other.",
    }[taken]
    assert expected in html
    assert ExchangeKey.objects.count() == 1
