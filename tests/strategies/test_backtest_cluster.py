"""A backtest run by a real `manage.py qcluster` process serving the "long" cluster, fetching
its candles from the sandbox venue (not django-q2's sync mode)."""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.conf import Conf

from exchanges.sandbox import Fault
from strategies.models import (
    Backtest,
    BacktestStatus,
    CandleFill,
    CandleSeries,
    LongJob,
)
from strategies.services.long_jobs import long_jobs_sweep
from strategies.tasks import LONG_WORK
from tests.accounts.helpers import make_user
from tests.strategies.long_job_helpers import kraken_backtest

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]


def test_a_backtest_is_run_by_the_long_cluster(venue, settings, start_qcluster, monkeypatch):
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    call_command("load_strategies", verbosity=0)
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(Conf, "SYNC", False)
    start_qcluster(
        Q_CLUSTER_NAME=settings.LONG_TASKS,
        EXCHANGE_API_OVERRIDES=f"kraken={venue.url}",
        EXCHANGE_RATE_LIMIT="false",
    )

    backtest = kraken_backtest(make_user("cluster-backtest@example.com"), days=3)

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        backtest = Backtest.objects.get(pk=backtest.pk)
        if backtest.status in (BacktestStatus.DONE, BacktestStatus.FAILED):
            break
        time.sleep(0.5)
    assert backtest.status == BacktestStatus.DONE, backtest.error_code
    assert backtest.stats is not None
    assert backtest.started_at is not None


def test_a_backtest_past_the_time_limit_says_so_at_once_with_what_was_kept(
    venue, settings, start_qcluster, monkeypatch, client
):
    """django-q2 stops a task past its cluster's timeout: the backtest ends as failed with
    that reason when it is stopped, not "fetching" until the stale check an hour later."""
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    call_command("load_strategies", verbosity=0)
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(Conf, "SYNC", False)
    start_qcluster(
        Q_CLUSTER_NAME=settings.LONG_TASKS,
        Q_LONG_TIMEOUT="4",
        Q_LONG_RETRY="60",
        EXCHANGE_API_OVERRIDES=f"kraken={venue.url}",
        EXCHANGE_RATE_LIMIT="false",
        EXCHANGE_TIMEOUT_MS="30000",
    )
    venue.inject(Fault("slow", venue="spot", endpoint="OHLC", seconds=20))  # past the limit
    owner = make_user("time-limit@example.com")

    backtest = kraken_backtest(owner, days=3)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        backtest = Backtest.objects.get(pk=backtest.pk)
        if backtest.status == BacktestStatus.FAILED:
            break
        time.sleep(0.2)
    assert (backtest.status, backtest.error_code) == (BacktestStatus.FAILED, "time_limit")
    assert backtest.error_params["kept"] == 0  # its one candle request never answered
    client.force_login(owner)
    page = client.get(f"/en/strategies/backtests/{backtest.pk}/").content.decode()
    # The limit in whole minutes, rounded up (4 s: 1), and what the store keeps.
    assert "went past the 1-minute limit for long work" in page
    assert "with 0 % of the candles it needed fetched" in page


def test_a_fill_whose_cluster_is_killed_goes_on_from_what_it_stored_on_the_next_cluster(
    venue, settings, start_qcluster, monkeypatch
):
    """A real long cluster fetches a 40-day backtest's candles (its oldest ten days rebuilt
    from trades, page after page); it is killed with its workers mid-fill, as a crashed
    machine is. Once its turn's heartbeat is older than the line allows (set back here, not
    waited for), the sweep hands the turn out again; a new cluster goes on from the pages
    stored, and the backtest ends with its report."""
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    call_command("load_strategies", verbosity=0)
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(Conf, "SYNC", False)
    cluster = {
        "Q_CLUSTER_NAME": settings.LONG_TASKS,
        "EXCHANGE_API_OVERRIDES": f"kraken={venue.url}",
        "EXCHANGE_RATE_LIMIT": "false",
        "LONG_JOB_TURN_S": "60",
    }
    first = start_qcluster(**cluster)
    venue.inject(Fault("slow", venue="spot", endpoint="Trades", seconds=0.3, count=1000))

    backtest = kraken_backtest(make_user("killed-fill@example.com"), days=40)
    deadline = time.monotonic() + 60
    fill = None
    while time.monotonic() < deadline:
        fill = CandleFill.objects.filter(status="active").first()
        series = CandleSeries.objects.filter(symbol="BTC/USD", timeframe="1h").first()
        if fill and series and any(source == "trades" for *_r, source in series.provenance):
            break  # trade pages are being stored
        time.sleep(0.2)
    else:
        pytest.fail("the fill never stored a page of trades")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(30)
    stored = CandleSeries.objects.get(pk=series.pk).coverage
    assert CandleFill.objects.get(pk=fill.pk).status == "active"  # nothing said it ended

    venue.faults.clear()
    start_qcluster(**cluster)
    LongJob.objects.update(beat_at=timezone.now() - timedelta(hours=1))
    assert long_jobs_sweep(work=LONG_WORK) == 1

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        backtest = Backtest.objects.get(pk=backtest.pk)
        if backtest.status in (BacktestStatus.DONE, BacktestStatus.FAILED):
            break
        time.sleep(0.5)
    assert backtest.status == BacktestStatus.DONE, backtest.error_code
    series = CandleSeries.objects.get(pk=series.pk)
    assert len(series.coverage) == 1
    assert series.coverage[0][0] <= stored[0][0]  # what the killed cluster stored was kept
