"""Starting a run never waits behind a backtest: its preparation goes to a cluster of its own
("start"), and a preparation lost with its worker is queued again by the minute sweep."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.conf import Conf
from django_q.exceptions import TimeoutException
from django_q.models import OrmQ

from exchanges.models import Exchange
from exchanges.sandbox import Fault
from strategies.models import Backtest, BacktestStatus, CatalogEntry, RunStatus, StrategyRun
from strategies.services import runs as services
from tests.accounts.helpers import make_user
from tests.strategies.long_job_helpers import kraken_backtest


def start_paper_run(owner, symbol: str = "ETH/USD") -> StrategyRun:
    return services.strategy_run_start(
        owner=owner,
        source=CatalogEntry.objects.get(slug="ema-crossover"),
        exchange=Exchange.objects.get(slug="kraken"),
        symbol=symbol,
        timeframe="1h",
        capital=Decimal("1000"),
        fee=0.004,
        slippage_bps=5.0,
        max_volume_share=0.1,
    )


def queued_to(cluster: str) -> list[str]:
    """The task names waiting in `cluster`'s queue (the ORM broker's rows)."""
    return [row.task["name"] for row in OrmQ.objects.filter(key=cluster).order_by("pk")]


@pytest.fixture
def kraken_on_sandbox(venue, settings):
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    return venue


@pytest.mark.django_db
def test_a_runs_preparation_goes_to_the_start_cluster(
    kraken_on_sandbox, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(Conf, "SYNC", False)
    with django_capture_on_commit_callbacks(execute=True):
        run = start_paper_run(make_user("starter@example.com"))

    assert queued_to(settings.START_TASKS) == [f"prepare_run-{run.pk}"]
    assert queued_to(settings.LONG_TASKS) == []
    retry = settings.Q_CLUSTER["ALT_CLUSTERS"][settings.START_TASKS]["retry"]
    due = (run.prepare_due_at - timezone.now()).total_seconds()
    assert retry - 5 < due <= retry  # queued again only once the start cluster would have


@pytest.mark.django_db
def test_a_preparation_lost_with_its_worker_is_queued_again_once_due(
    kraken_on_sandbox, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(Conf, "SYNC", False)
    owner = make_user("lost@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        lost = start_paper_run(owner)
        waiting = start_paper_run(owner, symbol="BTC/USD")
    OrmQ.objects.all().delete()  # the broker lost both (Redis: no receipts)
    past = timezone.now() - timedelta(seconds=1)
    StrategyRun.objects.filter(pk=lost.pk).update(prepare_due_at=past)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_preparations_requeue() == 1

    assert queued_to(settings.START_TASKS) == [f"prepare_run-{lost.pk}"]  # not the other
    lost.refresh_from_db()
    assert lost.prepare_due_at > timezone.now() + timedelta(seconds=60)  # not every minute
    # Prepared, the run leaves the duty: the sweep never queues it again.
    monkeypatch.setattr(Conf, "SYNC", True)
    services.strategy_run_prepare(run_id=lost.pk)
    lost.refresh_from_db()
    assert (lost.status, lost.prepare_due_at) == (RunStatus.RUNNING, None)
    StrategyRun.objects.filter(pk=waiting.pk).update(prepare_due_at=past, status="running")
    assert services.run_preparations_requeue() == 0


# What a user waits for between pressing Start and the run running, while another user's
# backtest holds the long cluster's only worker.
STARTED_WITHIN_S = 5.0


@pytest.mark.cluster
@pytest.mark.django_db(transaction=True)
def test_a_run_starts_while_another_users_backtest_holds_the_long_cluster(
    kraken_on_sandbox, settings, start_qcluster, monkeypatch
):
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    call_command("load_strategies", verbosity=0)
    monkeypatch.setattr(Conf, "SYNC", False)
    venue = kraken_on_sandbox
    exchange_env = {"EXCHANGE_API_OVERRIDES": f"kraken={venue.url}", "EXCHANGE_RATE_LIMIT": "false"}
    start_qcluster(Q_CLUSTER_NAME=settings.LONG_TASKS, **exchange_env)
    start_qcluster(Q_CLUSTER_NAME=settings.START_TASKS, **exchange_env)
    # The first user's backtest: its first candle request hangs for 30 s at the exchange.
    venue.inject(Fault("slow", venue="spot", endpoint="OHLC", seconds=30))
    backtest = kraken_backtest(make_user("long-backtest@example.com"), days=3)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and venue.faults.pending():
        time.sleep(0.05)
    assert not venue.faults.pending(), "the backtest never asked for its candles"

    pressed = time.monotonic()
    run = start_paper_run(make_user("second-user@example.com"))
    while time.monotonic() - pressed < 60:
        if StrategyRun.objects.get(pk=run.pk).status != RunStatus.STARTING:
            break
        time.sleep(0.05)
    waited = time.monotonic() - pressed

    assert StrategyRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
    assert waited < STARTED_WITHIN_S, f"the run started {waited:.1f} s after its start"
    assert Backtest.objects.get(pk=backtest.pk).status != BacktestStatus.DONE  # still held


@pytest.mark.django_db
def test_a_preparation_past_its_time_limit_ends_the_run_saying_so(
    kraken_on_sandbox, monkeypatch, django_capture_on_commit_callbacks
):
    run = start_paper_run(make_user("slow-start@example.com"))
    StrategyRun.objects.filter(pk=run.pk).update(status=RunStatus.STARTING)

    def past_the_limit(**_kwargs):
        raise TimeoutException("Task exceeded maximum timeout value (600 seconds)")

    monkeypatch.setattr(services, "candles_fill", past_the_limit)

    with pytest.raises(TimeoutException):  # django-q2 still records the task as failed
        services.strategy_run_prepare(run_id=run.pk)

    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.FAILED, "prepare_time_limit")
    assert run.stop_params == {"minutes": 10}  # Q_START_TIMEOUT's 600 s
    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_preparations_requeue() == 0  # failed: not prepared again
