import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_cluster(client):
    response = client.get("/healthz")

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

    response = client.get("/healthz")

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
