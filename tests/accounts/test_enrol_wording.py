"""The enrolment page names example authenticator apps in words, in the page's language."""

import pytest

from tests.accounts.helpers import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of_user(client):
    client.force_login(make_user("new@example.com"))
    return client


def test_the_english_page_names_example_apps_without_trailing_dots(client_of_user):
    page = client_of_user.get("/en/profile/two-factor/enable/").content.decode()

    assert "(such as Aegis, Google Authenticator, 1Password or Authy)" in page
    assert "Authy..." not in page


def test_the_french_page_names_them_in_french(client_of_user):
    page = client_of_user.get("/fr/profile/two-factor/enable/").content.decode()

    assert (
        "Noon Barbari te demande un code d\u2019une application d\u2019authentification "
        "(comme Aegis, Google Authenticator, 1Password ou Authy)"
    ) in page
    assert "such as" not in page
    assert "Authy..." not in page
