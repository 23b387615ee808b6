"""allauth's notification emails, in our words and the user's language."""

import re

import pytest
from django.core import mail

from accounts.models import SecurityEvent, SecurityEventKind, User
from tests.accounts.helpers import PASSWORD, enrol, make_user, verify_session

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "words"), [("en", "has just been changed"), ("fr", "vient")])
def test_changing_the_password_sends_a_notice_and_records_it(client, language, words):
    user = make_user("pw@example.com", preferred_language=language)
    client.force_login(user)
    verify_session(client, enrol(user))
    new = "another long phrase 43"

    response = client.post(
        "/en/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    (message,) = mail.outbox
    assert words in message.body
    assert message.alternatives  # an HTML version too
    assert SecurityEvent.objects.filter(user=user, kind=SecurityEventKind.PASSWORD_CHANGED).exists()


def _confirmation_path(message) -> str:
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", message.body)
    assert link, message.body
    return link.group(0).split("testserver", 1)[1]


def test_confirming_an_address_is_recorded_as_a_confirmation_not_a_change(client):
    email = "new@example.com"
    client.post(
        "/en/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    client.post(_confirmation_path(mail.outbox[-1]))
    user = User.objects.get(email=email)

    kinds = set(user.security_events.values_list("kind", flat=True))
    assert SecurityEventKind.EMAIL_CONFIRMED in kinds
    assert SecurityEventKind.EMAIL_CHANGED not in kinds

    # A real change, confirmed from the new address, is both.
    verify_session(client, enrol(user))
    client.post("/en/accounts/email/", {"action_add": "", "email": "moved@example.com"})
    client.post(_confirmation_path(mail.outbox[-1]))
    user.refresh_from_db()
    assert user.email == "moved@example.com"
    changes = user.security_events.filter(kind=SecurityEventKind.EMAIL_CHANGED)
    assert changes.count() == 1
    assert user.security_events.filter(kind=SecurityEventKind.EMAIL_CONFIRMED).count() == 2
