"""allauth's notification emails, in our words and the user's language."""

import pytest
from django.core import mail

from accounts.models import SecurityEvent, SecurityEventKind
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
