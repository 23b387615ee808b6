"""A task round trip through a real `manage.py qcluster` process (not django-q2's sync mode)."""

import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django_q.conf import Conf
from django_q.tasks import async_task, fetch

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


def test_a_task_sent_to_the_long_cluster_is_run_by_the_long_cluster_only(
    start_qcluster, monkeypatch, settings
):
    """Backtests and backfills go to the "long" cluster (its own time limits), not to the
    default cluster that runs connection tests."""
    monkeypatch.setattr(Conf, "SYNC", False)
    start_qcluster()  # the default cluster: it must not take the long task
    long_cluster = start_qcluster(Q_CLUSTER_NAME=settings.LONG_TASKS)

    task_id = async_task("noonbarbari.tasks.worker_ping", time.time(), cluster=settings.LONG_TASKS)
    task = fetch(task_id, wait=60_000)

    assert task is not None
    assert task.success
    worker_pid = task.result["pid"]
    children = descendants(long_cluster.pid)
    assert worker_pid in children, (worker_pid, children)


def descendants(pid: int) -> set[int]:
    """Every descendant of a process, read from /proc (Linux)."""
    found, frontier = set(), [pid]
    while frontier:
        parent = frontier.pop()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.add(int(entry.name))
                frontier.append(int(entry.name))
    return found
