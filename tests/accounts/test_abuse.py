"""Bad input and abuse: each gets a clear answer, no leak and never a 500."""

import logging

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityEvent, SecurityEventKind, User
from tests.accounts.helpers import PASSWORD, enrol, make_user, totp_code, verify_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return make_user("owner@example.com")


def test_a_code_from_another_users_device_is_refused(client, user):
    enrol(user)
    other = make_user("other@example.com")
    other_device = enrol(other, backup_codes=("othercode1",))
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})

    devices = list(TOTPDevice.objects.filter(user=user))
    assert devices
    for code in (totp_code(other_device), "othercode1"):
        for device in devices:
            device.throttle_reset()
        response = client.post("/en/accounts/login/code/", {"code": code})
        assert response.status_code == 200
        assert "Wrong code" in response.content.decode()
    assert client.get("/en/profile/").status_code == 302


def test_a_totp_code_cannot_be_replayed(client, user):
    device = enrol(user)
    code = totp_code(device)
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.post("/en/accounts/login/code/", {"code": code}).status_code == 302
    client.post("/en/accounts/logout/")

    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    replay = client.post("/en/accounts/login/code/", {"code": code})

    assert replay.status_code == 200
    assert "Wrong code" in replay.content.decode()


@pytest.mark.parametrize("code", ["", "   ", "12 34 56 78 90 12 34 56 78", "<script>", "12-34-56"])
def test_malformed_codes_get_a_form_error(client, user, code):
    enrol(user)
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})

    response = client.post("/en/accounts/login/code/", {"code": code})

    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()


def test_full_width_digits_count_as_digits(client, user):
    device = enrol(user)
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    full_width = "".join(chr(0xFF10 + int(digit)) for digit in totp_code(device))

    assert client.post("/en/accounts/login/code/", {"code": full_width}).status_code == 302


def test_the_code_page_without_a_pending_login_goes_back_to_login(client):
    assert client.get("/en/accounts/login/code/")["Location"] == "/en/accounts/login/"
    assert client.post("/en/accounts/login/code/", {"code": "123456"}).status_code == 302


def test_posts_without_csrf_token_are_refused(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    verify_session(client, enrol(user))

    for url in (
        "/en/accounts/login/",
        "/en/profile/two-factor/disable/",
        "/en/profile/delete/",
        "/en/profile/",
    ):
        assert client.post(url, {"code": "123456", "password": PASSWORD}).status_code == 403
    assert User.objects.filter(pk=user.pk).exists()
    assert TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil.example"],
)
def test_next_never_leaves_the_site(client, user, next_url):
    device = enrol(user)
    client.post(f"/en/accounts/login/?next={next_url}", {"login": user.email, "password": PASSWORD})
    response = client.post("/en/accounts/login/code/", {"code": totp_code(device)})
    assert "evil.example" not in response["Location"]
    assert not response["Location"].startswith("javascript")

    client.force_login(user)
    step_up = client.post(
        "/en/profile/two-factor/verify/", {"code": totp_code(device, 1), "next": next_url}
    )
    assert "evil.example" not in step_up.get("Location", "")


def test_a_plain_word_as_next_neither_fails_nor_wastes_the_code(client, user):
    device = enrol(user)
    client.force_login(user)

    step_up = client.post("/en/profile/two-factor/verify/?next=x", {"code": totp_code(device)})

    # "x" would be read as a URL name by redirect(), or against the current page by a browser.
    assert step_up.status_code == 302
    assert step_up["Location"] == "/en/profile/"
    # The code was used once and the session is confirmed: money pages open.
    assert client.get("/en/profile/keys/").status_code == 200

    client.post("/en/accounts/logout/")
    client.post("/en/accounts/login/?next=x", {"login": user.email, "password": PASSWORD})
    login = client.post("/en/accounts/login/code/", {"code": totp_code(device, 1)})
    assert login["Location"] == "/en/profile/"


def test_password_reset_does_not_tell_who_has_an_account(client, user):
    known = client.post("/en/accounts/password/reset/", {"email": user.email})
    unknown = client.post("/en/accounts/password/reset/", {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 2  # the unknown address is told it has no account, privately


def test_signing_up_twice_does_not_tell_the_email_is_taken(client, user):
    response = client.post(
        "/en/accounts/signup/",
        {"email": user.email, "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    assert "already" not in client.get(response["Location"]).content.decode().lower()
    assert User.objects.filter(email=user.email).count() == 1


def test_failed_logins_are_rate_limited_and_recorded(client, user):
    for _attempt in range(5):
        response = client.post("/en/accounts/login/", {"login": user.email, "password": "nope"})
        assert response.status_code == 200

    limited = client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert "Too many failed login attempts" in limited.content.decode()
    assert "_auth_user_id" not in client.session  # even the right password waits
    failures = SecurityEvent.objects.filter(user=user, kind=SecurityEventKind.LOGIN_FAILED)
    assert failures.count() == 5


def test_the_totp_secret_never_appears_after_enrolment(client, admin_client, user, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(user)
    page = client.get("/en/profile/two-factor/enable/").content.decode()
    device = TOTPDevice.objects.get(user=user)
    secret_groups = page.split('class="secret">')[1].split("</code>")[0]
    secret = secret_groups.replace(" ", "")
    assert len(secret) >= 32
    client.post("/en/profile/two-factor/enable/", {"code": totp_code(device)})

    pages = [
        client.get(url).content.decode()
        for url in (
            "/en/profile/",
            "/en/profile/two-factor/enable/",
            "/en/profile/two-factor/backup-codes/",
            "/en/profile/two-factor/verify/",
        )
    ]
    pages += [
        admin_client.get(url).content.decode()
        for url in (
            f"/en/admin/otp_totp/totpdevice/{device.pk}/change/",
            "/en/admin/otp_totp/totpdevice/",
            f"/en/admin/accounts/user/{user.pk}/change/",
        )
    ]
    assert admin_client.get(f"/en/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code in (
        403,
        404,
    )
    for text in [*pages, caplog.text]:
        assert secret not in text
        assert secret_groups not in text
        assert device.key not in text


def test_operators_issue_a_one_time_recovery_code(client, user, caplog):
    enrol(user)
    caplog.set_level(logging.INFO)

    call_command("issue_recovery_code", user.email)

    issued = SecurityEvent.objects.get(user=user, kind=SecurityEventKind.RECOVERY_CODE_ISSUED)
    assert issued
    assert f"Recovery code issued for user id {user.pk}" in caplog.text
    from django_otp.plugins.otp_static.models import StaticToken

    code = StaticToken.objects.get(device__name="Support recovery code").token
    assert code not in caplog.text
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.post("/en/accounts/login/code/", {"code": code}).status_code == 302
    with pytest.raises(CommandError, match="No account"):
        call_command("issue_recovery_code", "ghost@example.com")


def test_a_login_from_a_new_ip_is_emailed_in_the_users_language(
    client, user, django_capture_on_commit_callbacks
):
    user.preferred_language = "fr"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert not mail.outbox  # the first login has nothing to compare with
    client.post("/en/accounts/logout/")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/accounts/login/",
            {"login": user.email, "password": PASSWORD},
            REMOTE_ADDR="203.0.113.9",
        )

    assert response["Location"].startswith("/fr/")  # the profile's language, after login
    (message,) = mail.outbox
    assert "203.0.113.9" in message.body
    assert "Nouvelle connexion" in message.subject


def test_profile_saves_the_display_name_and_language(client, user):
    client.force_login(user)

    response = client.post("/en/profile/", {"display_name": "Grace", "preferred_language": "fr"})

    assert response["Location"] == "/fr/profile/"
    user.refresh_from_db()
    assert (user.display_name, user.preferred_language) == ("Grace", "fr")
    bad = client.post("/en/profile/", {"display_name": "x" * 500, "preferred_language": "xx"})
    assert bad.status_code == 200
    assert 'class="errorlist"' in bad.content.decode()
