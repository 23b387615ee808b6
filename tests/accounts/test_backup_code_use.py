"""Backup codes: one typed a second time is called used, not wrong; after one is used, the user
learns how many are left and, when few or none are, where to generate new ones."""

import pytest
from django.contrib.auth import get_user
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.models import SpentBackupCode
from accounts.two_factor import BACKUP_DEVICE_NAME
from tests.accounts.helpers import PASSWORD, enrol, make_user, totp_code, verify_session

pytestmark = pytest.mark.django_db

ALREADY_USED = "This backup code was already used: each code works once."
WRONG = "Wrong code."
NEW_CODES_LINK = '<a href="/en/profile/two-factor/backup-codes/">Get new backup codes</a>'


@pytest.fixture
def user():
    return make_user("owner@example.com")


def _log_in_with_code(client, user, code: str):
    """Password, then `code` at the prompt; the page the browser ends on."""
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    return client.post("/en/accounts/login/code/", {"code": code}, follow=True)


def _backup_device(user) -> StaticDevice:
    return StaticDevice.objects.get(user=user, name=BACKUP_DEVICE_NAME)


def test_a_backup_code_typed_again_is_called_used_not_wrong(client, user):
    enrol(user, backup_codes=("backup01", "backup02"))
    _log_in_with_code(client, user, "backup01")
    client.post("/en/accounts/logout/")
    assert not get_user(client).is_authenticated

    page = _log_in_with_code(client, user, "BACKUP01").content.decode()

    assert ALREADY_USED in page
    assert WRONG not in page
    assert not get_user(client).is_authenticated
    # A mistake, not a guess: the lock-out does not grow, and the other code still works.
    assert _backup_device(user).throttling_failure_count == 0
    assert client.post("/en/accounts/login/code/", {"code": "backup02"}).status_code == 302
    assert get_user(client) == user


def test_a_code_that_never_existed_is_still_wrong(client, user):
    enrol(user, backup_codes=("backup01",))

    page = _log_in_with_code(client, user, "nothere1").content.decode()

    assert WRONG in page
    assert ALREADY_USED not in page


def test_new_codes_forget_the_spent_ones(client, user):
    device = enrol(user, backup_codes=("backup01", "backup02"))
    _log_in_with_code(client, user, "backup01")
    assert SpentBackupCode.objects.filter(device=_backup_device(user)).count() == 1
    # The spent code is kept as a digest only, never as itself.
    assert not SpentBackupCode.objects.filter(digest__icontains="backup01").exists()

    verify_session(client, device)
    client.post("/en/profile/two-factor/backup-codes/", {"code": totp_code(device)})

    assert not SpentBackupCode.objects.exists()


def test_logging_in_with_a_backup_code_tells_how_many_are_left(client, user):
    codes = tuple(f"backup{number:02d}" for number in range(1, 11))  # ten, as issued
    enrol(user, backup_codes=codes)

    page = _log_in_with_code(client, user, "backup04").content.decode()

    assert get_user(client) == user
    assert "You used a backup code: 9 codes are left (each works once)." in page
    assert NEW_CODES_LINK not in page  # plenty left


@pytest.mark.parametrize(
    ("codes", "said"),
    [
        (("backup01", "backup02", "backup03", "backup04"), "only 3 codes are left"),
        (("backup01", "backup02"), "only 1 code is left"),
        (("backup01",), "You used your last backup code: none is left."),
    ],
)
def test_few_or_no_codes_left_point_to_new_ones(client, user, codes, said):
    enrol(user, backup_codes=codes)

    page = _log_in_with_code(client, user, "backup01").content.decode()

    assert get_user(client) == user
    assert said in page
    assert NEW_CODES_LINK in page


def test_an_app_code_says_nothing_about_backup_codes(client, user):
    device = enrol(user, backup_codes=("backup01",))

    page = _log_in_with_code(client, user, totp_code(device)).content.decode()

    assert get_user(client) == user
    assert "You used" not in page
    assert NEW_CODES_LINK not in page


def test_the_step_up_with_a_backup_code_tells_how_many_are_left(client, user):
    enrol(user, backup_codes=("backup01", "backup02", "backup03"))
    client.force_login(user)  # logged in, but this session gave no second factor

    page = client.post(
        "/en/profile/two-factor/verify/", {"code": "backup02"}, follow=True
    ).content.decode()

    assert "only 2 codes are left" in page
    assert NEW_CODES_LINK in page
    again = client.post("/en/profile/two-factor/verify/", {"code": "backup02"})
    # The session is verified now: the prompt sends the user on rather than checking again.
    assert again.status_code == 302
