"""The Exchange keys pages: add, validate, rotate, delete, audit; 2FA and ownership gates."""

import base64
import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken

from exchanges import connection_tests, services
from exchanges.models import ExchangeKey, ExchangeKeyEvent, KeyEventKind, KeyReplacement
from exchanges.services import exchange_key_create
from tests.accounts.helpers import PASSWORD, make_user
from tests.exchanges.conftest import kraken_credentials

pytestmark = pytest.mark.django_db

ADD_KRAKEN = "/en/profile/keys/add/kraken/"


def post_kraken(client, **fields):
    credentials = kraken_credentials()
    data = {"label": "kraken-spot", "api_key": credentials.api_key, "secret": credentials.secret}
    data.update(fields)
    return client.post(ADD_KRAKEN, data), data


def test_the_form_asks_for_exactly_what_the_exchange_issues(owner_client):
    kraken = owner_client.get(ADD_KRAKEN).content.decode()
    okx = owner_client.get("/en/profile/keys/add/okx/").content.decode()

    assert 'name="api_key"' in kraken
    assert 'name="secret"' in kraken
    assert 'name="passphrase"' not in kraken
    assert 'name="passphrase"' in okx
    assert 'href="/en/guides/okx/"' in okx
    assert 'value="kraken-spot"' in kraken  # the default label
    assert 'autocomplete="off"' in kraken


def test_adding_a_key_stores_it_encrypted_and_shows_only_the_hint(owner_client, owner):
    response, data = post_kraken(owner_client)

    key = ExchangeKey.objects.get(user=owner)
    assert response["Location"] == key.get_absolute_url()
    page = owner_client.get(key.get_absolute_url()).content.decode()
    assert data["api_key"][-4:] in page
    assert data["api_key"] not in page
    assert data["secret"] not in page
    assert "Added" in page  # the audit trail
    listing = owner_client.get("/en/profile/keys/").content.decode()
    assert "kraken-spot" in listing
    assert "Testing…" in listing  # the connection test was enqueued


def test_spaces_around_a_pasted_key_are_removed_with_a_note(owner_client, owner):
    credentials = kraken_credentials()
    response = owner_client.post(
        ADD_KRAKEN,
        {"label": "k", "api_key": f"  {credentials.api_key}\n", "secret": credentials.secret},
        follow=True,
    )

    assert "We removed spaces around: API key" in response.content.decode()
    key = ExchangeKey.objects.get(user=owner)
    assert key.api_key.reveal() == credentials.api_key


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("api_key", "", "This field is required."),
        ("secret", "   ", "This field is empty."),
        ("secret", "not-base64-at-all!", "88 characters of base64"),
        ("secret", base64.b64encode(os.urandom(32)).decode(), "88 characters of base64"),
        ("api_key", "abc\x00def" * 8, "Null characters are not allowed"),
        ("api_key", "abc\x07" * 14, "control characters"),
        ("secret", "x" * 10_240, "far too long"),
        ("api_key", base64.b64encode(os.urandom(66)).decode(), "looks like a Kraken Futures key"),
        ("api_key", "a" * 20 + " " + "b" * 35, "spaces or line breaks inside"),
    ],
)
def test_bad_credentials_get_a_clear_error_and_nothing_is_stored(
    owner_client, field, value, message
):
    response, data = post_kraken(owner_client, **{field: value})

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert ExchangeKey.objects.count() == 0
    for posted in (data["api_key"], data["secret"]):
        if len(posted) > 8:
            assert posted not in html  # secret inputs never echo back


def test_a_spot_key_pasted_as_kraken_futures_is_detected(owner_client):
    credentials = kraken_credentials()
    response = owner_client.post(
        "/en/profile/keys/add/kraken-futures/",
        {"label": "kf", "api_key": credentials.api_key, "secret": credentials.secret},
    )

    assert "This looks like a Kraken Spot key" in response.content.decode()


def test_duplicate_labels_are_refused(owner_client, kraken_key):
    response, _data = post_kraken(owner_client, label=kraken_key.label)

    assert "You already have a key with this label." in response.content.decode()


def test_rotation_and_deletion_leave_an_audit_trail(owner_client, kraken_key):
    old_secret = ExchangeKey.objects.get(pk=kraken_key.pk).secret.reveal()
    new = kraken_credentials()
    rotated = owner_client.post(
        reverse("exchanges:key_rotate", args=[kraken_key.pk]),
        {"api_key": new.api_key, "secret": new.secret},
    )
    assert rotated.status_code == 302
    key = ExchangeKey.objects.get(pk=kraken_key.pk)
    # Kept until the new secret passes its test (test_secret_replacement.py), not run here.
    assert key.secret.reveal() == old_secret != new.secret
    assert key.rotated_at is None

    page = owner_client.get(reverse("exchanges:key_delete", args=[key.pk]))
    assert "Delete kraken-spot?" in page.content.decode()
    owner_client.post(reverse("exchanges:key_delete", args=[key.pk]))

    assert not ExchangeKey.objects.filter(pk=key.pk).exists()
    kinds = list(
        ExchangeKeyEvent.objects.filter(key_label="kraken-spot").values_list("kind", flat=True)
    )
    assert set(kinds) == {
        KeyEventKind.CREATED,
        KeyEventKind.SECRET_SUBMITTED,
        KeyEventKind.DELETED,
    }
    assert not KeyReplacement.objects.exists()  # the new secret went with the key


@pytest.mark.parametrize("view", ["key_detail", "key_rotate", "key_delete"])
def test_another_users_key_is_not_found(owner_client, kraken, view):
    stranger = make_user("stranger@example.com")
    theirs = exchange_key_create(
        user=stranger, exchange=kraken, label="theirs", credentials=kraken_credentials()
    )

    url = reverse(f"exchanges:{view}", args=[theirs.pk])
    assert owner_client.get(url).status_code == 404
    assert owner_client.post(url, {"api_key": "x", "secret": "y"}).status_code == 404
    assert ExchangeKey.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("url", ["/en/profile/keys/", ADD_KRAKEN])
def test_key_pages_need_a_verified_second_factor(client, owner, url):
    client.force_login(owner)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/en/profile/two-factor/enable/")


def test_two_factor_cannot_be_removed_while_keys_exist(owner_client, kraken_key):
    code = StaticToken.objects.filter(device__user=kraken_key.user).first().token
    response = owner_client.post("/en/profile/two-factor/disable/", {"code": code}, follow=True)

    assert "You still have exchange keys" in response.content.decode()
    assert kraken_key.user.totpdevice_set.exists()


def test_admin_shows_metadata_never_secrets(admin_client, kraken_key):
    stored = ExchangeKey.objects.values("api_key", "secret").get(pk=kraken_key.pk)
    plain = ExchangeKey.objects.get(pk=kraken_key.pk).secret.reveal()

    for url in (
        reverse("admin:exchanges_exchangekey_change", args=[kraken_key.pk]),
        reverse("admin:exchanges_exchangekey_changelist"),
    ):
        html = admin_client.get(url).content.decode()
        assert kraken_key.label in html
        for value in (plain, stored["secret"], stored["api_key"]):
            assert value not in html


@pytest.fixture
def a_run_uses_the_key(monkeypatch):
    """What a live run will register: its key cannot go while it trades."""
    reason = "A live run trades with this key: stop it first."
    monkeypatch.setattr(services, "key_deletion_blockers", [lambda key: reason])
    return reason


def test_a_key_in_use_is_not_deleted_and_the_page_says_why(
    owner_client, kraken_key, a_run_uses_the_key
):
    response = owner_client.post(reverse("exchanges:key_delete", args=[kraken_key.pk]), follow=True)

    assert ExchangeKey.objects.filter(pk=kraken_key.pk).exists()
    assert a_run_uses_the_key in response.content.decode()
    assert not ExchangeKeyEvent.objects.filter(kind=KeyEventKind.DELETED).exists()


def test_an_account_whose_key_is_in_use_is_not_deleted(
    owner_client, owner, kraken_key, a_run_uses_the_key
):
    code = StaticToken.objects.filter(device__user=owner).first().token
    response = owner_client.post(
        "/en/profile/delete/", {"password": PASSWORD, "code": code}, follow=True
    )

    assert a_run_uses_the_key in response.content.decode()
    assert ExchangeKey.objects.filter(pk=kraken_key.pk).exists()
    assert type(owner).objects.filter(pk=owner.pk).exists()


def test_test_again_while_a_test_runs_starts_no_second_one(owner_client, kraken_key):
    assert kraken_key.tests.get().running  # the test started on save has not run yet

    response = owner_client.post(reverse("exchanges:key_test", args=[kraken_key.pk]), follow=True)

    assert kraken_key.tests.count() == 1
    # "Test again" starts a test or says why not: never a click that does nothing.
    assert "A test of this key started 0 seconds ago and is still running" in (
        response.content.decode()
    )


def test_test_again_says_a_test_started(owner_client, kraken_key):
    connection_tests.connection_test_expire(test=kraken_key.tests.get())  # not stale: no-op
    kraken_key.tests.update(finished_at=timezone.now(), verdict="ok")

    response = owner_client.post(reverse("exchanges:key_test", args=[kraken_key.pk]), follow=True)

    assert kraken_key.tests.count() == 2
    assert "Test started" in response.content.decode()


def test_the_expiry_typed_with_a_new_secret_waits_for_it(owner_client, kraken_key):
    current = timezone.localdate() + timedelta(days=30)
    ExchangeKey.objects.filter(pk=kraken_key.pk).update(expires_on=current)
    typed = timezone.localdate() + timedelta(days=400)
    new = kraken_credentials()
    owner_client.post(
        reverse("exchanges:key_rotate", args=[kraken_key.pk]),
        {"api_key": new.api_key, "secret": new.secret, "expires_on": typed.isoformat()},
    )

    # The date is the new key's: the key keeps its own until the new secret passes its test.
    kraken_key.refresh_from_db()
    assert kraken_key.expires_on == current
    assert KeyReplacement.objects.get(key=kraken_key).expires_on == typed
