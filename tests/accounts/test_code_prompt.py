"""The code prompt after the password: starting again, backup codes, the announced wait."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken

from tests.accounts.helpers import PASSWORD, enrol, make_user, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return make_user("owner@example.com")


def test_start_again_drops_the_pending_login(client, user):
    enrol(user)
    other = make_user("other@example.com")
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    prompt = client.get("/en/accounts/login/code/").content.decode()
    assert 'action="/en/accounts/login/code/cancel/"' in prompt

    response = client.post("/en/accounts/login/code/cancel/")

    assert response["Location"] == "/en/accounts/login/"
    login_page = client.get("/en/accounts/login/")
    assert login_page.status_code == 200
    assert 'name="password"' in login_page.content.decode()
    assert client.get("/en/accounts/login/code/")["Location"] == "/en/accounts/login/"
    client.post("/en/accounts/login/", {"login": other.email, "password": PASSWORD})
    assert get_user(client).email == other.email


@pytest.mark.parametrize("typed", ["BACKUP01", "Backup01", "backup01", "BACK UP01"])
def test_backup_codes_are_accepted_in_any_case(client, user, typed):
    enrol(user, backup_codes=("backup01",))
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})

    response = client.post("/en/accounts/login/code/", {"code": typed})

    assert response.status_code == 302
    assert get_user(client) == user
    assert not StaticToken.objects.filter(token="backup01").exists()  # used up


def test_a_backup_code_does_not_count_as_a_wrong_app_code(client, user):
    device = enrol(user, backup_codes=("backup01",))
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})

    client.post("/en/accounts/login/code/", {"code": "backup01"})

    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_the_announced_wait_is_the_app_codes_real_lock_out(client, user, settings):
    device = enrol(user)
    # Four wrong app codes in a row: django-otp locks the device for factor * 2 ** (4 - 1)
    # seconds after the last one, 1 * 8 = 8 s (the backup codes' device is not locked).
    assert settings.OTP_TOTP_THROTTLE_FACTOR == 1
    device.throttling_failure_count = 4
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})

    refused = client.post("/en/accounts/login/code/", {"code": totp_code(device)})

    # Announced: the 8 s minus the few milliseconds the request took, rounded up.
    assert re.search(r"wait 8 seconds before the next one", refused.content.decode())
    # After the announced wait, the right code is checked and accepted.
    device.refresh_from_db()
    device.throttling_failure_timestamp -= timedelta(seconds=8)
    device.save()
    accepted = client.post("/en/accounts/login/code/", {"code": totp_code(device)})
    assert accepted.status_code == 302
    assert get_user(client) == user
