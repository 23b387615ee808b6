"""The whole account journey through the real views: sign-up to account deletion."""

import re

import pytest
from django.core import mail
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import SecurityEvent, SecurityEventKind, User
from tests.accounts.helpers import PASSWORD, enrol, make_user, totp_code, verify_session

pytestmark = pytest.mark.django_db

EMAIL = "trader@example.com"


def sign_up(client, language: str = "en", email: str = EMAIL) -> User:
    response = client.post(
        f"/{language}/accounts/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, "display_name": "Ada"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    path = link.group(0).split("testserver", 1)[1]
    confirm = client.post(path)
    assert confirm.status_code == 302, (path, confirm.content.decode()[:3000])
    return User.objects.get(email=email)


def log_in(client, language: str = "en", email: str = EMAIL, password: str = PASSWORD, **extra):
    return client.post(
        f"/{language}/accounts/login/", {"login": email, "password": password, **extra}
    )


def enrol_through_views(client, on_commit, language: str = "en") -> tuple[TOTPDevice, list[str]]:
    page = client.get(f"/{language}/profile/two-factor/enable/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user__email=EMAIL, confirmed=False)
    with on_commit(execute=True):  # the notification email leaves once the change is saved
        response = client.post(
            f"/{language}/profile/two-factor/enable/", {"code": totp_code(device)}
        )
    assert response.status_code == 302
    codes = client.session["accounts.fresh_backup_codes"]
    return device, codes


def test_sign_up_enrol_log_in_with_codes_and_delete(client, django_capture_on_commit_callbacks):
    # Sign-up, with email verification (mandatory outside development).
    user = sign_up(client)
    assert user.display_name == "Ada"
    assert user.preferred_language == "en"

    # Enrolment: a QR code rendered on the server, the secret for manual entry.
    page = client.get("/en/profile/two-factor/enable/").content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert "otpauth://" not in page  # the QR code carries it, not the HTML text
    wrong = client.post("/en/profile/two-factor/enable/", {"code": "000000"})
    assert "Wrong code" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    device.refresh_from_db()
    device.throttle_reset()  # the second that the wrong code locked out passes
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/profile/two-factor/enable/", {"code": totp_code(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed

    # Ten backup codes, shown once, downloadable as text.
    codes_page = client.get(response["Location"]).content.decode()
    codes = client.session["accounts.fresh_backup_codes"]
    assert len(codes) == 10
    assert all(code in codes_page for code in codes)
    download = client.get("/en/profile/two-factor/backup-codes/download/")
    assert download["Content-Disposition"].startswith("attachment")
    assert all(code in download.content.decode() for code in codes)
    client.post("/en/profile/two-factor/backup-codes/saved/")
    assert not any(
        code in client.get("/en/profile/two-factor/backup-codes/").content.decode()
        for code in codes
    )
    assert client.get("/en/profile/two-factor/backup-codes/download/").status_code == 404
    assert "Two-factor authentication is on" in mail.outbox[-1].subject

    # Log out, then the password alone does not log in.
    client.post("/en/accounts/logout/")
    response = log_in(client)
    assert response["Location"] == "/en/accounts/login/code/"
    assert client.get("/en/profile/").status_code == 302  # still logged out

    # A wrong code is refused, and the next try must wait.
    wrong = client.post("/en/accounts/login/code/", {"code": "123456"})
    assert "Wrong code" in wrong.content.decode()
    throttled = client.post("/en/accounts/login/code/", {"code": totp_code(device, steps_ahead=1)})
    assert re.search(r"wait \d+ seconds? before the next one", throttled.content.decode())
    assert client.get("/en/profile/").status_code == 302

    # Time passes (django-otp's lock-out is a few seconds), then the right code logs in.
    for locked in user.totpdevice_set.all():
        locked.throttle_reset()
    for locked in user.staticdevice_set.all():
        locked.throttle_reset()
    response = client.post("/en/accounts/login/code/", {"code": totp_code(device, steps_ahead=1)})
    assert response.status_code == 302
    profile = client.get("/en/profile/")
    assert profile.status_code == 200
    assert "10 unused backup codes left" in profile.content.decode()

    # A backup code works once.
    client.post("/en/accounts/logout/")
    log_in(client)
    assert client.post("/en/accounts/login/code/", {"code": codes[0]}).status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    client.post("/en/accounts/logout/")
    log_in(client)
    reused = client.post("/en/accounts/login/code/", {"code": codes[0]})
    assert reused.status_code == 200
    assert "This backup code was already used" in reused.content.decode()

    kinds = set(SecurityEvent.objects.filter(user=user).values_list("kind", flat=True))
    assert {
        SecurityEventKind.LOGIN,
        SecurityEventKind.CODE_FAILED,
        SecurityEventKind.BACKUP_CODE_USED,
        SecurityEventKind.TWO_FACTOR_ENABLED,
    } <= kinds

    # Deleting the account takes the password and a code.
    for locked in user.staticdevice_set.all():
        locked.throttle_reset()
    assert client.post("/en/accounts/login/code/", {"code": codes[1]}).status_code == 302
    refused = client.post("/en/profile/delete/", {"password": "wrong", "code": codes[2]})
    assert "This is not your password." in refused.content.decode()
    deleted = client.post("/en/profile/delete/", {"password": PASSWORD, "code": codes[2]})
    assert deleted.status_code == 302
    assert not User.objects.filter(email=EMAIL).exists()
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert client.get("/en/profile/").status_code == 302


def test_money_pages_send_to_enrolment_and_back(client):
    sign_up(client)

    response = client.get("/en/profile/keys/")

    assert response.status_code == 302
    assert response["Location"] == "/en/profile/two-factor/enable/?next=%2Fen%2Fprofile%2Fkeys%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Turn on two-factor authentication first" in page
    device = TOTPDevice.objects.get(user__email=EMAIL, confirmed=False)
    enabled = client.post(response["Location"], {"code": totp_code(device)})
    codes_page = client.get(enabled["Location"]).content.decode()
    assert 'name="next" value="/en/profile/keys/"' in codes_page
    saved = client.post("/en/profile/two-factor/backup-codes/saved/", {"next": "/en/profile/keys/"})
    assert saved["Location"] == "/en/profile/keys/"
    assert client.get("/en/profile/keys/").status_code == 200


def test_an_unverified_session_is_asked_for_a_code_and_sent_back(client):
    user = make_user(EMAIL)
    device = enrol(user)
    client.force_login(user)  # a session that never gave a code

    response = client.get("/en/profile/keys/")

    assert response["Location"] == "/en/profile/two-factor/verify/?next=%2Fen%2Fprofile%2Fkeys%2F"
    verified = client.post(response["Location"], {"code": totp_code(device)})
    assert verified["Location"] == "/en/profile/keys/"
    assert client.get("/en/profile/keys/").status_code == 200


def test_admin_requires_a_verified_staff_session(client):
    staff = make_user("staff@example.com", is_staff=True)
    client.force_login(staff)

    # No second factor yet: the admin sends staff to enrol first.
    response = client.get("/en/admin/")
    assert response.status_code == 302
    login = client.get(response["Location"])
    assert login["Location"].startswith("/en/profile/two-factor/enable/")

    device = enrol(staff)
    login = client.get(response["Location"])
    assert login["Location"].startswith("/en/profile/two-factor/verify/")
    client.post(login["Location"], {"code": totp_code(device)})
    assert client.get("/en/admin/").status_code == 200


def test_admin_login_goes_through_the_site_login(client):
    response = client.get("/en/admin/login/?next=/en/admin/")

    assert response["Location"] == "/en/accounts/login/?next=%2Fen%2Fadmin%2F"


def test_a_non_staff_user_is_refused_by_the_admin(client):
    user = make_user(EMAIL)
    verify_session(client, enrol(user)) if client.force_login(user) is None else None

    assert client.get("/en/admin/login/").status_code == 403


def test_removing_two_factor_needs_a_code_and_no_blocker(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    user = make_user(EMAIL)
    device = enrol(user)
    client.force_login(user)
    verify_session(client, device)

    wrong = client.post("/en/profile/two-factor/disable/", {"code": "999999"})
    assert "Wrong code" in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=user).exists()

    monkeypatch.setattr(
        services, "two_factor_removal_blockers", [lambda u: "You still have 1 exchange key."]
    )
    device.throttle_reset()
    refused = client.post(
        "/en/profile/two-factor/disable/", {"code": totp_code(device)}, follow=True
    )
    assert "You still have 1 exchange key." in refused.content.decode()
    assert TOTPDevice.objects.filter(user=user).exists()

    monkeypatch.setattr(services, "two_factor_removal_blockers", [])
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post("/en/profile/two-factor/disable/", {"code": totp_code(device, 1)})
    assert removed["Location"] == "/en/profile/"
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert SecurityEvent.objects.filter(
        user=user, kind=SecurityEventKind.TWO_FACTOR_DISABLED
    ).exists()
    assert "Two-factor authentication is off" in mail.outbox[-1].subject


def test_the_same_journey_in_french(client, django_capture_on_commit_callbacks):
    signup_page = client.get("/fr/accounts/signup/").content.decode()
    assert "S’inscrire" in signup_page or "S’inscrire" in signup_page

    user = sign_up(client, language="fr")
    assert user.preferred_language == "fr"
    assert "Confirme" in mail.outbox[0].subject or "confirme" in mail.outbox[0].body.lower()
    page = client.get("/fr/profile/two-factor/enable/").content.decode()
    assert "Active la double authentification" in page
    enrol_through_views(client, django_capture_on_commit_callbacks, "fr")
    assert "La double authentification est activée" in mail.outbox[-1].subject

    client.post("/fr/accounts/logout/")
    log_in(client, language="fr")
    prompt = client.get("/fr/accounts/login/code/").content.decode()
    assert "Code de double authentification" in prompt
    wrong = client.post("/fr/accounts/login/code/", {"code": "000000"}).content.decode()
    assert "Code erroné" in wrong
    assert " vous " not in wrong.lower()
