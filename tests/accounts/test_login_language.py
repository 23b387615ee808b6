"""After logging in, the site and its "logged in" message speak the user's chosen language."""

import pytest
from django.utils import translation

from tests.accounts.helpers import PASSWORD, enrol, make_user, totp_code

pytestmark = pytest.mark.django_db


def _logged_in_in(language: str) -> str:
    with translation.override(language):
        return translation.gettext("You are logged in.")


@pytest.fixture
def french_user():
    return make_user("lea@example.com", preferred_language="fr")


def test_the_flash_after_login_is_in_the_preferred_language(client, french_user):
    response = client.post(
        "/en/accounts/login/", {"login": french_user.email, "password": PASSWORD}
    )

    assert response["Location"] == "/fr/profile/"
    page = client.get(response["Location"]).content.decode()
    assert _logged_in_in("fr") in page
    assert _logged_in_in("en") not in page


def test_after_the_code_and_with_a_next_page_too(client, french_user):
    device = enrol(french_user)
    client.post(
        "/en/accounts/login/?next=/en/profile/keys/",
        {"login": french_user.email, "password": PASSWORD},
    )

    response = client.post("/en/accounts/login/code/", {"code": totp_code(device)})

    assert response["Location"] == "/fr/profile/keys/"
    page = client.get(response["Location"]).content.decode()
    assert _logged_in_in("fr") in page
    assert _logged_in_in("en") not in page
