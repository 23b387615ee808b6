"""A task round trip through a real `manage.py qcluster` process (not django-q2's sync mode)."""

import time

import pytest
from django.core.management import call_command
from django_q.conf import Conf

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def qcluster(start_qcluster):
    return start_qcluster()


def test_a_task_enqueued_here_is_executed_by_the_worker_process(qcluster, monkeypatch, capsys):
    monkeypatch.setattr(Conf, "SYNC", False)

    call_command("worker_ping", timeout=60)

    output = capsys.readouterr().out
    assert "answered in" in output
    worker_pid = int(output.split(" pid ")[1].split()[0])
    assert worker_pid != qcluster.pid  # a worker child of the cluster, not this process
    assert qcluster.poll() is None


def test_healthz_sees_the_running_cluster(qcluster, client, settings):
    settings.HEALTHZ_TOKEN = "monitoring-token-for-tests"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = client.get(
            "/healthz", headers={"authorization": "Bearer monitoring-token-for-tests"}
        ).json()
        clusters = body["cluster"]["clusters"]
        # The cluster reports itself before its worker process is up: wait for both.
        if clusters and clusters[0]["workers"] == 1:
            break
        time.sleep(0.5)
    assert body["status"] == "ok"
    (cluster,) = body["cluster"]["clusters"]
    assert cluster["workers"] == 1
    assert cluster["status"] in ("Idle", "Working", "Starting")
