"""A live tick on Binance (Spot, and USDⓈ-M) in a real `manage.py qcluster` killed with SIGKILL
after its order reached the venue and before the answer was recorded: the tick handed out
again finds the order by its client id and finishes. As the Kraken test (test_runs_live_cluster)
does, the venue holds its answer back (a lost_answer fault) so the kill lands in that window."""

import math
import os
import signal
import time

import pytest
from django.core.management import call_command
from django_q.conf import Conf
from django_q.tasks import async_task

from exchanges.sandbox import Fault
from strategies.models import RunOrder, StrategyRun
from strategies.services import live_ticks
from tests.strategies.test_runs_live_binance import live_on_binance
from tests.strategies.test_runs_live_binance_usdm import account_orders, usdm_run
from tests.strategies.test_runs_live_cluster import CLUSTER, cluster_logs

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]

VENUES = {
    # ccxt id: (the order endpoint whose answer is lost, the orders at the venue)
    "binance": ("/api/v3/order", lambda venue: venue_spot_orders(venue)),
    "binanceusdm": ("/fapi/v1/order", lambda venue: account_orders(venue)),
}


def venue_spot_orders(venue):
    key = venue.key("binance-full").key
    return [o for o in venue.state.ledger.orders.values() if o.key == key]


def prepared_run(venue, ccxt_id: str):
    if ccxt_id == "binance":
        run, times = live_on_binance(venue, "binance-full")
        return run, times[1]
    run, times = usdm_run(venue, now=time.time())
    venue.unfreeze_time()  # the cluster signs with the real clock
    assert live_ticks.live_prepare(run)
    return run, times[1]


@pytest.mark.parametrize("ccxt_id", sorted(VENUES))
def test_a_binance_live_tick_killed_mid_order_never_doubles_nor_loses_it(
    venue, settings, start_qcluster, monkeypatch, tmp_path, ccxt_id
):
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    overrides = dict.fromkeys(("binance", "binanceusdm"), venue.url)
    settings.EXCHANGE_API_OVERRIDES = overrides
    settings.EXCHANGE_RATE_LIMIT = False
    settings.RUNS_MIN_MARKET_VOLUME = 1000
    monkeypatch.setattr(Conf, "SYNC", False)
    endpoint, orders_at = VENUES[ccxt_id]
    run, bar_ms = prepared_run(venue, ccxt_id)
    variables = {
        "EXCHANGE_API_OVERRIDES": ",".join(f"{k}={v}" for k, v in overrides.items()),
        **CLUSTER,
    }
    cluster = start_qcluster(**variables)
    # The order is placed, then the venue sits on its answer: the worker waits inside ccxt.
    venue.inject(Fault("lost_answer", venue=ccxt_id, endpoint=endpoint, seconds=20))

    async_task("strategies.tasks.tick_run", run.pk, bar_ms)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not orders_at(venue):
        time.sleep(0.05)
    assert orders_at(venue), "the tick never sent its order"
    os.killpg(cluster.pid, signal.SIGKILL)  # the machine dies with its workers
    cluster.wait()
    (row,) = RunOrder.objects.filter(run=run)
    assert row.status == "in_flight"  # sent, not recorded

    start_qcluster(**variables)
    redis = "redis" in settings.Q_CLUSTER
    deadline, requeued = time.monotonic() + 90, 0.0
    while time.monotonic() < deadline and StrategyRun.objects.get(pk=run.pk).last_bar_ms is None:
        if redis and time.monotonic() - requeued > 15:  # no receipts on Redis: queued again
            async_task("strategies.tasks.tick_run", run.pk, bar_ms)
            requeued = time.monotonic()
        time.sleep(0.2)

    markets = [o for o in orders_at(venue) if o.type == "market"]
    (order,) = markets  # no duplicate at the venue
    row.refresh_from_db()
    assert (row.status, row.client_order_id) == ("filled", order.client_id), cluster_logs(tmp_path)
    assert row.filled == pytest.approx(float(order.filled))  # no lost fill
    run.refresh_from_db()
    assert run.last_bar_ms == bar_ms
    # A consistent run: what the fill left, less the coins a Spot buy pays its fee with, in
    # whole steps.
    fees_in_coins = sum(
        float(venue.state.ledger.fills[f].fee)
        for f in order.fills
        if venue.state.ledger.fills[f].fee_asset == "BTC"
    )
    held = math.floor((float(order.filled) - fees_in_coins) / run.amount_step + 1e-9)
    assert abs(run.held) == pytest.approx(held * run.amount_step)
    assert run.status == "running"
