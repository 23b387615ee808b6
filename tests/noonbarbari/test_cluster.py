"""A task round trip through a real `manage.py qcluster` process (not django-q2's sync mode)."""

import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django_q.conf import Conf

from tests.subprocesses import PROJECT_DIR, clean_env, database_url

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_cache(settings, tmp_path):
    """A file cache both this process and the cluster use, as in production."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        },
    }
    return f"filecache://{tmp_path / 'cache'}"


@pytest.fixture
def qcluster(shared_cache, settings):
    env = clean_env(
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEYS=settings.FIELD_ENCRYPTION_KEYS,
        FIELD_ENCRYPTION_ACTIVE_KEY=settings.FIELD_ENCRYPTION_ACTIVE_KEY,
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=database_url(connection.settings_dict),
        CACHE_URL=shared_cache,
        Q_WORKERS="1",
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_a_task_enqueued_here_is_executed_by_the_worker_process(qcluster, monkeypatch, capsys):
    monkeypatch.setattr(Conf, "SYNC", False)

    call_command("worker_ping", timeout=60)

    output = capsys.readouterr().out
    assert "answered in" in output
    worker_pid = int(output.split(" pid ")[1].split()[0])
    assert worker_pid != qcluster.pid  # a worker child of the cluster, not this process
    assert qcluster.poll() is None


def test_healthz_sees_the_running_cluster(qcluster, client):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = client.get("/healthz").json()
        clusters = body["cluster"]["clusters"]
        # The cluster reports itself before its worker process is up: wait for both.
        if clusters and clusters[0]["workers"] == 1:
            break
        time.sleep(0.5)
    assert body["status"] == "ok"
    (cluster,) = body["cluster"]["clusters"]
    assert cluster["workers"] == 1
    assert cluster["status"] in ("Idle", "Working", "Starting")
