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
from django_q.conf import Conf
from django_q.tasks import async_task

from exchanges.sandbox import Fault
from strategies.models import RunMode, RunOrder, StrategyRun
from strategies.services import live_ticks
from tests.accounts.helpers import make_user
from tests.strategies.run_helpers import paper_run, sandbox_key, stored, venue_orders
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]


def test_a_live_tick_killed_mid_order_never_doubles_nor_loses_it(
    venue, settings, start_qcluster, monkeypatch, tmp_path
):
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(Conf, "SYNC", False)
    variables = {
        "EXCHANGE_API_OVERRIDES": f"kraken={venue.url}",
        "EXCHANGE_RATE_LIMIT": "false",
        "RUNS_MIN_MARKET_VOLUME": "1000",
        "Q_TIMEOUT": "8",
        "Q_RETRY": "10",
    }
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


def cluster_logs(folder) -> str:
    """What the clusters printed, for a failure's message."""
    return "\n".join(path.read_text()[-3000:] for path in sorted(folder.glob("qcluster-*.log")))
