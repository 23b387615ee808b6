import pytest
from django.db import OperationalError, connection

from tests.accounts.helpers import make_user

pytestmark = pytest.mark.django_db

TOKEN = "monitoring-token-for-tests"
WITH_TOKEN = {"authorization": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def _token(settings):
    settings.HEALTHZ_TOKEN = TOKEN


def test_healthz_tells_anonymous_callers_only_whether_the_site_is_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "authorization", ["Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "]
)
def test_a_wrong_token_gets_no_details(client, authorization):
    assert client.get("/healthz", headers={"authorization": authorization}).json() == {
        "status": "ok"
    }


def test_no_token_configured_means_no_token_accepted(client, settings):
    settings.HEALTHZ_TOKEN = ""

    assert client.get("/healthz", headers={"authorization": "Bearer "}).json() == {"status": "ok"}


def test_staff_see_the_details_once_their_session_is_verified(client, admin_client):
    staff = make_user("staff@example.com", is_staff=True)
    client.force_login(staff)  # password only: no second factor yet
    assert client.get("/healthz").json() == {"status": "ok"}

    assert "cluster" in admin_client.get("/healthz").json()


def test_healthz_reports_database_and_cluster(client):
    response = client.get("/healthz", headers=WITH_TOKEN)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] == connection.vendor
    assert body["cluster"]["broker"] == "orm"
    assert body["cluster"]["queued_tasks"] == 0
    # No worker runs inside the test process: reported, yet not an outage.
    assert body["cluster"]["running"] is False
    assert body["status"] == "degraded"


def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", refuse)

    anonymous = client.get("/healthz")
    response = client.get("/healthz", headers=WITH_TOKEN)

    assert anonymous.status_code == 503
    assert anonymous.json() == {"status": "error"}

    assert response.status_code == 503
    body = response.json()
    assert body == {
        "status": "error",
        "database": {"ok": False, "vendor": connection.vendor, "error": "OperationalError"},
    }
    assert "could not connect" not in response.content.decode()


def test_healthz_is_not_cached_and_refuses_writes(client):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]
    assert client.post("/healthz").status_code == 405
