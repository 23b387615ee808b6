"""The multi-machine shape: two clusters started from two separate working copies of the
project (as on two machines) share PostgreSQL and the Redis broker, split the runs' ticks
between them, and never tick a run's bar twice, even when every tick is delivered twice.

Runs only where the suite runs on PostgreSQL with Redis as the broker (.ci/run's last server
stage): two machines do not share an SQLite file."""

import re
import shutil
import subprocess
import time

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django_q.conf import Conf
from django_q.tasks import async_task

from strategies.models import RunBar
from strategies.services.run_ticks import BATCH_TASK
from tests.accounts.helpers import make_user
from tests.strategies.run_helpers import paper_run, stored
from tests.strategies.test_runs_ticks import HAND, hand_candles
from tests.subprocesses import PROJECT_DIR

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or "redis" not in django_settings.Q_CLUSTER,
        reason="two machines share PostgreSQL and Redis (DATABASE_URL, Q_REDIS_URL)",
    ),
]

RUNS = 24
TICKED = re.compile(r"Run (\d+) ticked through (\d+)")
RUNNING = re.compile(r"Q Cluster \S+ .*running\.")  # django-q2's word once its workers wait


def working_copy(target) -> str:
    """The project's files as git knows them (tracked, and new ones not ignored), copied."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in listed:
        source = PROJECT_DIR / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return str(target)


def both_running(logs_dir, machines: int, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        logs = sorted(logs_dir.glob("qcluster-*.log"))
        if len(logs) == machines and all(RUNNING.search(log.read_text()) for log in logs):
            return
        time.sleep(0.2)
    raise AssertionError(f"{machines} clusters did not all start within {timeout_s} s")


def test_two_clusters_from_two_copies_split_the_ticks_and_never_tick_a_bar_twice(
    start_qcluster, monkeypatch, tmp_path
):
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    monkeypatch.setattr(Conf, "SYNC", False)
    candles = hand_candles()
    stored(candles)
    owner = make_user("two-machines@example.com")
    runs = [paper_run(owner, HAND, candles, start=1) for _ in range(RUNS)]
    machines = []
    for name in ("machine-a", "machine-b"):
        copy = tmp_path / name
        copy.mkdir()
        working_copy(copy)
        machines.append(copy)
        # A copy has no compiled code on disk: each worker's first tick compiles the fill
        # loop, which took over the 20 s task limit on a loaded CI machine (the tick killed,
        # its runs never ticked). The limit is raised here; the test is about who ticks.
        start_qcluster(cwd=copy, Q_WORKERS="2", Q_TIMEOUT="150", Q_RETRY="200")
    # Both machines wait at the broker before any tick is queued: a machine still starting
    # would leave every batch to the other (CI once saw one machine tick all 24 runs).
    both_running(tmp_path, len(machines))
    bar_ms = int(candles.time[-1])

    # Batches of four runs, as the market task queues them (in batches of TICK_BATCH), each
    # delivered twice, as a retried or duplicated task would be.
    for first in range(0, RUNS, 4):
        batch = [run.pk for run in runs[first : first + 4]]
        for copy in ("", "-again"):
            async_task(BATCH_TASK, batch, bar_ms, task_name=f"run-ticks-{batch[0]}{copy}")

    bars = len(candles) - 1  # bars 1 to 5, the run's period
    deadline = time.monotonic() + 300  # compiling first, on a loaded machine
    while time.monotonic() < deadline:
        if RunBar.objects.count() == RUNS * bars:
            break
        time.sleep(0.5)
    time.sleep(2)  # the duplicates' turn
    assert RunBar.objects.count() == RUNS * bars
    for run in runs:
        assert RunBar.objects.filter(run=run).count() == bars
    logs = sorted(tmp_path.glob("qcluster-*.log"))
    ticked = [TICKED.findall(log.read_text()) for log in logs]
    assert all(ticked), "each machine ticked some runs"
    every = [pair for found in ticked for pair in found]
    assert len(every) == len(set(every)) == RUNS  # each run's bar once, on one machine
    assert {int(run_id) for run_id, _bar in every} == {run.pk for run in runs}
