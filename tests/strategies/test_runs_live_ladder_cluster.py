"""A live tick in a real `manage.py qcluster` killed with SIGKILL while a safety order was in
flight (sent, its answer not back), with the base order filled and the stop resting; the
task handed out again finishes the tick. Real: the cluster, its broker and the database
(PostgreSQL in CI's second pass), ccxt and the sandbox venue. The only help: the venue slows
the lookups of the first two orders and then holds back the first safety order's answer,
so that the kill lands in that window every time."""

import os
import signal
import time

import pytest
from django.core.management import call_command
from django.db.models import Count
from django_q.conf import Conf
from django_q.tasks import async_task

from exchanges.sandbox import Fault
from strategies.models import RunOrder, StrategyRun
from tests.strategies.run_helpers import venue_orders
from tests.strategies.test_runs_live_cluster import CLUSTER, cluster_logs
from tests.strategies.test_runs_live_ladder import NOW, ladder_run

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]


def test_a_tick_killed_with_a_safety_order_in_flight_sends_each_order_once(
    venue, settings, start_qcluster, monkeypatch, tmp_path
):
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(Conf, "SYNC", False)
    variables = {"EXCHANGE_API_OVERRIDES": f"kraken={venue.url}", **CLUSTER}
    venue.freeze_time(NOW)
    run, times = ladder_run(venue, "killed-ladder@example.com")
    # The base order's and the stop's lookups take 3 s each: time to arm the next fault.
    venue.inject(Fault("slow", endpoint="QueryOrders", seconds=3, count=2))
    cluster = start_qcluster(**variables)

    async_task("strategies.tasks.tick_run", run.pk, times[1])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "stop-loss" not in kinds(venue):
        time.sleep(0.02)
    assert "stop-loss" in kinds(venue), cluster_logs(tmp_path)
    # The next order is the first safety order: placed, then its answer held back.
    venue.inject(Fault("lost_answer", endpoint="AddOrder", seconds=20))
    while time.monotonic() < deadline and "limit" not in kinds(venue):
        time.sleep(0.02)
    assert kinds(venue) == ["market", "stop-loss", "limit"], cluster_logs(tmp_path)
    os.killpg(cluster.pid, signal.SIGKILL)  # the machine dies with its workers
    cluster.wait()
    rung = RunOrder.objects.get(run=run, leg="safety", rung=1)
    assert rung.status == "in_flight"  # sent, not recorded

    start_qcluster(**variables)
    redis = "redis" in settings.Q_CLUSTER
    deadline, requeued = time.monotonic() + 90, 0.0
    while time.monotonic() < deadline and StrategyRun.objects.get(pk=run.pk).last_bar_ms is None:
        if redis and time.monotonic() - requeued > 15:  # no receipts: the fan-out's requeue
            async_task("strategies.tasks.tick_run", run.pk, times[1])
            requeued = time.monotonic()
        time.sleep(0.2)

    orders = venue_orders(venue)
    assert kinds(venue) == ["market", "stop-loss", "limit", "limit"], cluster_logs(tmp_path)
    rows = RunOrder.objects.filter(run=run).order_by("pk")
    assert [o.client_id for o in orders] == [row.client_order_id for row in rows]
    assert [(row.leg, row.rung, row.status) for row in rows] == [
        ("entry", 0, "filled"),
        ("stop", 0, "open"),
        ("safety", 1, "open"),
        ("safety", 2, "open"),
    ]
    duplicates = rows.values("client_order_id").annotate(n=Count("pk")).filter(n__gt=1)
    assert not duplicates.exists()
    run.refresh_from_db()
    assert (run.status, run.last_bar_ms) == ("running", times[1])
    assert run.held == pytest.approx(float(orders[0].filled))  # only the base order filled


def kinds(venue) -> list[str]:
    return [order.type for order in venue_orders(venue)]
