"""One mailbox, one account: an internationalised domain and its ASCII (punycode) form."""

import pytest
from django.contrib.auth import get_user
from django.core import mail

from accounts.models import User
from tests.accounts.helpers import PASSWORD, make_user

pytestmark = pytest.mark.django_db

# The example of the Wikipedia article "Punycode": "bücher" is "xn--bcher-kva" in IDNA.
UNICODE = "ada@bücher.example"
ASCII = "ada@xn--bcher-kva.example"


def sign_up(client, email: str):
    return client.post(
        "/en/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


@pytest.mark.parametrize(("first", "second"), [(UNICODE, ASCII), (ASCII, UNICODE)])
def test_both_spellings_sign_up_one_account(client, first, second):
    assert sign_up(client, first).status_code == 302
    client.post("/en/accounts/logout/")

    sign_up(client, second)

    assert list(User.objects.values_list("email", flat=True)) == [ASCII]


@pytest.mark.parametrize("typed", [UNICODE, ASCII, "ADA@BÜCHER.EXAMPLE"])
def test_either_spelling_logs_in(client, typed):
    user = make_user(ASCII)

    response = client.post("/en/accounts/login/", {"login": typed, "password": PASSWORD})

    assert response.status_code == 302
    assert get_user(client) == user


def test_a_password_reset_in_the_other_spelling_reaches_the_account(client):
    make_user(ASCII)

    client.post("/en/accounts/password/reset/", {"email": UNICODE})

    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
