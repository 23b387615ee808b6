"""A live tick in a real `manage.py qcluster` killed with SIGKILL after its order reached the
venue and before the answer was recorded; the task handed out again finishes the tick. Real:
the cluster, its broker and the database (PostgreSQL in CI's second pass), ccxt and the
sandbox venue. The only help: the venue holds its answer back (a lost_answer fault), so that
the kill lands in that window every time. On the ORM broker (the default) the broker hands
the task out again; on Redis, which has no receipts, the fan-out queues the tick again."""

import os
import signal
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django_q.conf import Conf
from django_q.tasks import async_task

from exchanges.sandbox import Fault
from notifications.models import Delivery
from strategies.models import RunMode, RunOrder, StrategyRun
from strategies.services import live_ticks
from strategies.services import runs as services
from tests.accounts.helpers import make_user
from tests.strategies.run_helpers import paper_run, sandbox_key, stored, venue_orders
from tests.strategies.test_runs_stop import resting, with_a_resting_stop
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]
CLUSTER = {
    "EXCHANGE_RATE_LIMIT": "false",
    "RUNS_MIN_MARKET_VOLUME": "1000",
    "Q_TIMEOUT": "8",
    "Q_RETRY": "10",
}


def test_a_live_tick_killed_mid_order_never_doubles_nor_loses_it(
    venue, settings, start_qcluster, monkeypatch, tmp_path
):
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(Conf, "SYNC", False)
    variables = {"EXCHANGE_API_OVERRIDES": f"kraken={venue.url}", **CLUSTER}
    owner = make_user("killed-live@example.com")
    candles = hand_candles()
    stored(candles)
    run = paper_run(owner, HAND, candles, start=1, capital=1000.0)
    run.mode, run.key, run.notional_cap = RunMode.LIVE, sandbox_key(venue, owner, "spot-full"), 1000
    run.save()
    assert live_ticks.live_prepare(run)
    cluster = start_qcluster(**variables)
    # The order is placed, then the venue sits on its answer: the worker waits inside ccxt.
    venue.inject(Fault("lost_answer", endpoint="AddOrder", seconds=20))

    async_task("strategies.tasks.tick_run", run.pk, int(candles.time[1]))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not venue_orders(venue):
        time.sleep(0.05)
    assert venue_orders(venue), "the tick never sent its order"
    os.killpg(cluster.pid, signal.SIGKILL)  # the machine dies with its workers
    cluster.wait()
    (row,) = RunOrder.objects.filter(run=run)
    assert row.status == "in_flight"  # sent, not recorded

    start_qcluster(**variables)
    redis = "redis" in settings.Q_CLUSTER
    deadline, requeued = time.monotonic() + 90, 0.0
    while time.monotonic() < deadline and StrategyRun.objects.get(pk=run.pk).last_bar_ms is None:
        if redis and time.monotonic() - requeued > 15:
            # django-q2's Redis broker has no receipts: a task a killed worker took is gone
            # (and a push can even go to the dead pusher's blocking pop before Redis notices
            # it is dead). The fan-out queues an undone tick again after REQUEUE_AFTER: here,
            # every 15 s. A tick queued twice must not matter either.
            async_task("strategies.tasks.tick_run", run.pk, int(candles.time[1]))
            requeued = time.monotonic()
        time.sleep(0.2)

    (order,) = venue_orders(venue)  # no duplicate at the venue
    row.refresh_from_db()
    seen = (row.status, row.exchange_order_id)
    assert seen == ("filled", order.id), cluster_logs(tmp_path)  # no lost fill
    run.refresh_from_db()
    assert run.last_bar_ms == int(candles.time[1])
    assert run.held == pytest.approx(float(order.filled))  # a consistent run
    assert run.status == "running"


def live_run_with_a_resting_stop(venue, settings):
    """A live run that bought and rests its stop-loss at the venue (ticked in this process)."""
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    settings.RUNS_MIN_MARKET_VOLUME = 1000
    return with_a_resting_stop(venue, "stopped-live@example.com")


def wait_until_nothing_rests(venue, seconds: float) -> float:
    """Seconds until the venue shows none of the demo key's orders open (the deadline passed:
    what the deadline was)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds and resting(venue):
        time.sleep(0.05)
    return time.monotonic() - started


# The production default: no EMAIL_URL, mail to localhost:25, where nothing listens.
MAIL_DOWN = {"EMAIL_URL": "smtp://127.0.0.1:1", "EMAIL_TIMEOUT": "2"}


def test_stop_with_mail_down_and_one_transient_cancel_error_leaves_nothing_resting(
    venue, settings, start_qcluster, monkeypatch, tmp_path
):
    run = live_run_with_a_resting_stop(venue, settings)
    start_qcluster(EXCHANGE_API_OVERRIDES=f"kraken={venue.url}", **CLUSTER, **MAIL_DOWN)
    # Notifications have a cluster of their own: the mail server's trouble stays there.
    start_qcluster(Q_CLUSTER_NAME="notify", **MAIL_DOWN)
    monkeypatch.setattr(Conf, "SYNC", False)
    venue.inject(Fault("unavailable", endpoint="CancelOrder"))
    owner = Client()
    owner.force_login(run.owner)

    pressed = time.monotonic()
    response = owner.post(f"/en/runs/{run.pk}/stop/")
    answered = time.monotonic() - pressed
    took = wait_until_nothing_rests(venue, 60)

    assert response.status_code == 302
    assert resting(venue) == [], cluster_logs(tmp_path)
    assert venue.faults.pending() == []  # the transient error was met, and retried
    print(f"\nStop answered in {answered:.2f} s; nothing rests at the venue after {took:.2f} s")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and StrategyRun.objects.get(pk=run.pk).cancel_due_at:
        time.sleep(0.1)
    run.refresh_from_db()
    assert (run.status, run.cancel_due_at) == ("stopped", None)
    # The mail server refused it: kept, to retry.
    notice = Delivery.objects.get(notification__key=f"run_ended:{run.pk}")
    while time.monotonic() < deadline and not Delivery.objects.get(pk=notice.pk).attempts:
        time.sleep(0.1)
    notice.refresh_from_db()
    assert (notice.sent_at, notice.attempts) == (None, 1), cluster_logs(tmp_path)


def test_a_cancel_killed_with_its_worker_is_resumed_by_the_next_cluster(
    venue, settings, start_qcluster, monkeypatch, tmp_path
):
    run = live_run_with_a_resting_stop(venue, settings)
    monkeypatch.setattr(Conf, "SYNC", False)
    # The cancel's first call (the resting order looked up) sits on its answer: the worker
    # is killed there, before anything is cancelled.
    venue.inject(Fault("slow", endpoint="OpenOrders", seconds=30))
    services.strategy_run_stop(run=run)  # committed: its cancel queued
    cluster = start_qcluster(EXCHANGE_API_OVERRIDES=f"kraken={venue.url}", **CLUSTER, **MAIL_DOWN)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and venue.faults.pending():
        time.sleep(0.05)
    assert venue.faults.pending() == [], cluster_logs(tmp_path)
    os.killpg(cluster.pid, signal.SIGKILL)  # the machine dies with its workers
    cluster.wait()
    assert len(resting(venue)) == 1  # still resting: the cancel died with the worker

    # On Redis the task is gone; the next cluster's start resumes every pending cancel.
    start_qcluster(EXCHANGE_API_OVERRIDES=f"kraken={venue.url}", **CLUSTER, **MAIL_DOWN)
    wait_until_nothing_rests(venue, 60)

    assert resting(venue) == [], cluster_logs(tmp_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and StrategyRun.objects.get(pk=run.pk).cancel_due_at:
        time.sleep(0.1)
    assert StrategyRun.objects.get(pk=run.pk).cancel_due_at is None


def cluster_logs(folder) -> str:
    """What the clusters printed, for a failure's message."""
    return "\n".join(path.read_text()[-3000:] for path in sorted(folder.glob("qcluster-*.log")))
