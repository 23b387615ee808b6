"""The risk limits page in both languages: set, tightened without a code, loosened only with
one, bad input refused on its field; the go-live page shows the limits a run would be under."""

import pytest
from django.test import Client

from strategies.models import RiskLimits
from tests.accounts.helpers import enrol, make_user, totp_code, verify_session

pytestmark = pytest.mark.django_db

URL = "/en/runs/limits/account/"


@pytest.fixture
def owner():
    user = make_user("limits-page@example.com")
    user.device = enrol(user)
    return user


@pytest.fixture
def client(owner):
    client = Client()
    client.force_login(owner)
    verify_session(client, owner.device)
    return client


def form(**values):
    base = {"day_starts_at": "0", "time_zone": "UTC", "currency": "USD"}
    return {f"account-{name}": value for name, value in {**base, **values}.items()}


@pytest.mark.parametrize(("lang", "title"), [("en", "Whole account"), ("fr", "Tout le compte")])
def test_the_page_in_both_languages(client, lang, title):
    page = client.get(f"/{lang}/runs/limits/").content.decode()
    assert title in page


def test_setting_tightening_and_loosening(client, owner):
    response = client.post(URL, form(max_drawdown_pct="10", daily_loss_limit="250"), follow=True)
    assert "Saved: these limits hold from the next tick on." in response.content.decode()
    row = RiskLimits.objects.get(owner=owner, key=None)
    assert (str(row.max_drawdown_pct), str(row.daily_loss_limit)) == ("10.00", "250.00")

    client.post(URL, form(max_drawdown_pct="8", daily_loss_limit="250"))  # tighter: no code
    row.refresh_from_db()
    assert str(row.max_drawdown_pct) == "8.00"

    page = client.post(URL, form(max_drawdown_pct="20", daily_loss_limit="250")).content.decode()
    assert "This change loosens a limit: type a fresh code" in page
    row.refresh_from_db()
    assert str(row.max_drawdown_pct) == "8.00"

    code = totp_code(owner.device)
    client.post(URL, form(max_drawdown_pct="20", daily_loss_limit="250", code=code))
    row.refresh_from_db()
    assert str(row.max_drawdown_pct) == "20.00"


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"max_drawdown_pct": "150"}, "Ensure this value is less than or equal to 100."),
        ({"max_drawdown_pct": "abc"}, "Enter a number."),
        ({"daily_loss_limit": "-5"}, "Ensure this value is greater than or equal to 0.01."),
        ({"day_starts_at": "24"}, "Ensure this value is less than or equal to 23."),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice."),
        ({"currency": "US$"}, "A currency code such as USD."),
        ({"max_live_runs": "0"}, "Ensure this value is greater than or equal to 1."),
    ],
)
def test_bad_input_is_refused_on_its_field(client, values, error):
    response = client.post(URL, form(**values))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not RiskLimits.objects.exists()


def test_another_users_key_is_not_found(client):
    response = client.post("/en/runs/limits/00000000-0000-0000-0000-000000000000/", form())
    assert response.status_code == 404
    assert client.post("/en/runs/limits/not-a-key/", form()).status_code == 404


def test_the_profile_links_to_the_limits(client):
    page = client.get("/en/profile/").content.decode()
    assert "Set your risk limits" in page
