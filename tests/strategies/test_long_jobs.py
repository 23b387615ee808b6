"""The line of long work: users take turns for the long cluster's workers, one user never
holds more of them than the per-user limit, a candle fill is long work of its own that serves
every backtest waiting on the same market, proceeds in turns, and survives a cancel and a
lost worker; a job that keeps losing its worker ends as failed, with the reason."""

import math
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.conf import Conf

from strategies.models import (
    Backtest,
    BacktestStatus,
    CandleFill,
    CandleSeries,
    LongJob,
    MeasuredRate,
)
from strategies.models.long_jobs import LineTurn
from strategies.selectors.long_job_line import last_served, line_order
from strategies.services import candle_fills
from strategies.services.backtests import backtest_cancel
from strategies.services.long_jobs import Turn, long_jobs_dispatch, long_jobs_sweep
from strategies.tasks import LONG_WORK
from tests.accounts.helpers import make_user
from tests.strategies.long_job_helpers import (
    kraken_backtest,
    long_tasks,
    run_long_tasks,
    run_next_long_task,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(sandbox, monkeypatch, settings, django_capture_on_commit_callbacks):
    """django-q2 as in production (tasks wait in the broker for a worker), the tasks queued on
    commit captured and sent, one long slot unless a test says otherwise."""
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.LONG_JOB_SLOTS = 1
    settings.LONG_JOBS_PER_USER = 1

    def commit(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return commit


def _job(owner, minutes_ago: int, kind="backtest", target_id=None) -> LongJob:
    return LongJob.objects.create(
        kind=kind,
        target_id=target_id or LongJob.objects.count() + 1000,
        owner=owner,
        queued_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_users_take_turns_whoever_queued_first():
    ann, bob, cyd = (make_user(f"{name}@example.com") for name in ("ann", "bob", "cyd"))
    ann_jobs = [_job(ann, 30), _job(ann, 29), _job(ann, 28)]
    bob_job, cyd_job = _job(bob, 20), _job(cyd, 10)
    waiting = LongJob.objects.all()

    # Nobody served yet: each user's oldest job, users by their oldest job, then round two.
    assert line_order(waiting, {}) == [ann_jobs[0], bob_job, cyd_job, ann_jobs[1], ann_jobs[2]]
    # Ann just had a turn: Bob and Cyd go before her, however early she queued.
    served = {ann.pk: timezone.now(), bob.pk: timezone.now() - timedelta(minutes=5)}
    assert line_order(waiting, served) == [cyd_job, bob_job, ann_jobs[0], ann_jobs[1], ann_jobs[2]]


def test_one_user_never_holds_more_workers_than_the_per_user_limit(broker, settings):
    settings.LONG_JOB_SLOTS = 3
    ann, bob = make_user("ann@example.com"), make_user("bob@example.com")
    for minutes in (30, 29, 28):
        _job(ann, minutes)
    bob_job = _job(bob, 1)

    broker(long_jobs_dispatch)

    running = LongJob.objects.exclude(dispatched_at=None)
    # Three free workers, but Ann gets one of them: Bob, who queued last, gets another, and
    # the third stays free for whoever comes next rather than for Ann's second job.
    assert sorted(running.values_list("owner__email", flat=True)) == [
        "ann@example.com",
        "bob@example.com",
    ]
    assert bob_job.pk in running.values_list("pk", flat=True)
    assert [task["args"][1] for task in long_tasks()] == [1, 1]  # each job's first turn

    settings.LONG_JOBS_PER_USER = 2
    broker(long_jobs_dispatch)
    assert LongJob.objects.exclude(dispatched_at=None).count() == 3


def test_a_lone_user_s_study_folds_take_every_free_worker_and_the_next_user_the_next_free_one(
    broker, settings
):
    settings.LONG_JOB_SLOTS = 3
    ann, bob = make_user("ann@example.com"), make_user("bob@example.com")
    folds = [_job(ann, 30 - number, kind="study_fold") for number in range(5)]
    backtest = _job(ann, 20)

    broker(long_jobs_dispatch)

    # Nobody else waits: Ann's folds take all three workers (her backtest keeps to the limit
    # of one, so it waits), oldest first.
    running = LongJob.objects.exclude(dispatched_at=None)
    assert sorted(running.values_list("pk", flat=True)) == [job.pk for job in folds[:3]]
    assert LongJob.objects.get(pk=backtest.pk).dispatched_at is None

    bob_job = _job(bob, 0)
    broker(long_jobs_dispatch)
    assert LongJob.objects.get(pk=bob_job.pk).dispatched_at is None  # no worker is free

    LongJob.objects.filter(pk=folds[0].pk).delete()  # a fold's search ends
    broker(long_jobs_dispatch)
    # The worker it frees goes to Bob, not to Ann's next fold nor her backtest.
    assert LongJob.objects.get(pk=bob_job.pk).dispatched_at is not None
    assert LongJob.objects.get(pk=folds[3].pk).dispatched_at is None


def test_borrowed_workers_do_not_count_against_the_user_s_own_limit(broker, settings):
    settings.LONG_JOB_SLOTS = 3
    ann = make_user("ann@example.com")
    plan = _job(ann, 30, kind="study")
    broker(long_jobs_dispatch)  # the study's plan holds Ann's one worker
    backtest = _job(ann, 20)
    folds = [_job(ann, 10 - number, kind="study_fold") for number in range(4)]

    broker(long_jobs_dispatch)
    # Two folds borrow the two free workers; the backtest keeps to the limit: the plan holds it.
    assert LongJob.objects.get(pk=backtest.pk).dispatched_at is None
    assert set(LongJob.objects.filter(borrowed=True).values_list("pk", flat=True)) == {
        folds[0].pk,
        folds[1].pk,
    }

    LongJob.objects.filter(pk=plan.pk).delete()  # the plan's turn ends
    broker(long_jobs_dispatch)
    # Ann's worker under the limit is free again: her backtest, queued before the folds, takes
    # it, however many of her folds hold borrowed ones.
    assert LongJob.objects.get(pk=backtest.pk).dispatched_at is not None
    assert not LongJob.objects.get(pk=backtest.pk).borrowed


def test_a_second_user_s_backtest_goes_before_the_first_user_s_queued_ones(broker):
    ann, bob = make_user("ann@example.com"), make_user("bob@example.com")
    first = broker(lambda: kraken_backtest(ann, days=3))
    second = broker(lambda: kraken_backtest(ann, days=2))
    bobs = broker(lambda: kraken_backtest(bob, days=4))

    # One slot: Ann's first backtest holds it. Its turn asks for its candles (a fill, in the
    # line), then Bob's backtest gets its turn before Ann's second backtest and her fill.
    [task] = long_tasks()
    assert task["name"] == f"backtest-{first.pk}-turn-1"
    broker(run_next_long_task)
    assert Backtest.objects.get(pk=first.pk).status == BacktestStatus.FETCHING
    [task] = long_tasks()
    assert task["name"] == f"backtest-{bobs.pk}-turn-1"
    assert Backtest.objects.get(pk=second.pk).status == BacktestStatus.QUEUED

    run_long_tasks(broker)

    statuses = Backtest.objects.values_list("status", flat=True)
    assert set(statuses) == {BacktestStatus.DONE}
    assert not LongJob.objects.exists()


def test_one_fill_serves_two_users_backtests_on_the_same_market(broker, monkeypatch):
    ann, bob = make_user("ann@example.com"), make_user("bob@example.com")
    fills = []
    real_fill = candle_fills.candles_fill

    def counted(**arguments):
        fills.append((arguments["start"], arguments["end"]))
        return real_fill(**arguments)

    monkeypatch.setattr(candle_fills, "candles_fill", counted)
    anns = broker(lambda: kraken_backtest(ann, days=3))
    bobs = broker(lambda: kraken_backtest(bob, days=5))

    broker(run_next_long_task)  # Ann's backtest asks for 3 days (and its warm-up)
    broker(run_next_long_task)  # Bob's asks for 5 days of the same market: the same fill
    [fill] = CandleFill.objects.all()
    assert list(Backtest.objects.values_list("fill", flat=True)) == [fill.pk, fill.pk]
    assert fills == []  # nothing fetched by the backtests' own turns
    [(start, end)] = fill.ranges  # the two ranges, merged
    assert start < Backtest.objects.get(pk=bobs.pk).start_ms
    run_long_tasks(broker)

    assert fills == [(start, end)]  # fetched once, for both
    for backtest in Backtest.objects.all():
        assert backtest.status == BacktestStatus.DONE, backtest.error_code
    assert CandleFill.objects.get().status == "done"
    assert Backtest.objects.get(pk=anns.pk).bars == 72
    # The turns measured what they did: the next estimates rest on these.
    assert set(MeasuredRate.objects.values_list("key", flat=True)) >= {"candles:kraken", "simulate"}


def _trade_pages_fill(broker, owner, settings):
    """A 40-day 1h backtest on a cold Kraken market: its oldest ten days come from trades,
    dozens of pages; each turn lasts one page (the deadline is already past at the first)."""
    settings.LONG_JOB_TURN_S = 0.0
    backtest = broker(lambda: kraken_backtest(owner, days=33))
    broker(run_next_long_task)  # the backtest's turn: it asks for a fill and waits
    return backtest


def test_a_fill_goes_in_turns_and_gives_the_worker_to_whoever_waits(broker, settings):
    ann, bob = make_user("ann@example.com"), make_user("bob@example.com")
    anns = _trade_pages_fill(broker, ann, settings)
    [task] = long_tasks()
    assert task["name"].endswith("-turn-1")  # the fill's first turn holds the one slot
    bobs = broker(lambda: kraken_backtest(bob, days=3, symbol="ETH/USD"))
    assert len(long_tasks()) == 1  # Bob waits in the line

    broker(run_next_long_task)  # the fill's first turn: one page, then the worker is given
    fill = CandleFill.objects.get()
    assert fill.status == "active"
    assert 0 < fill.progress_done < fill.progress_total
    [task] = long_tasks()
    assert task["name"] == f"backtest-{bobs.pk}-turn-1"  # Bob, before the fill's next turn
    run_long_tasks(broker)

    assert Backtest.objects.get(pk=bobs.pk).status == BacktestStatus.DONE
    finished = Backtest.objects.get(pk=anns.pk)
    assert finished.status == BacktestStatus.DONE, finished.error_code
    assert CandleFill.objects.get(pk=fill.pk).requests > 5  # many turns, one page each


def test_a_fill_cancelled_keeps_what_it_fetched_and_a_new_submission_goes_on_from_there(
    broker, settings
):
    ann = make_user("ann@example.com")
    first = _trade_pages_fill(broker, ann, settings)
    for _turn in range(3):
        broker(run_next_long_task)
    fetched = CandleFill.objects.get().progress_done

    broker(lambda: backtest_cancel(backtest=Backtest.objects.get(pk=first.pk)))

    stopped = CandleFill.objects.get()
    assert stopped.status == "cancelled"
    # The turn already handed out finds the fill stopped, fetches nothing and leaves the line.
    run_long_tasks(broker)
    assert CandleFill.objects.get().progress_done == fetched
    assert not LongJob.objects.exists()
    settings.LONG_JOB_TURN_S = 30.0
    again = broker(lambda: kraken_backtest(ann, days=40))
    broker(run_next_long_task)
    resumed = CandleFill.objects.get(status="active")
    assert resumed.progress_done >= fetched  # the page shows it at once, not from 0 %
    run_long_tasks(broker)
    resumed.refresh_from_db()
    assert Backtest.objects.get(pk=again.pk).status == BacktestStatus.DONE
    series = CandleSeries.objects.get(symbol="BTC/USD", timeframe="1h")
    assert len(series.coverage) == 1  # held once, without a hole where it stopped


def test_a_fill_whose_worker_was_killed_is_handed_out_again_and_the_lost_turn_is_ignored(
    broker, settings
):
    ann = make_user("ann@example.com")
    backtest = _trade_pages_fill(broker, ann, settings)
    broker(run_next_long_task)  # one turn
    [lost_task] = long_tasks()  # the next turn was handed to a worker that gets killed
    LongJob.objects.update(beat_at=timezone.now() - timedelta(hours=1))

    assert broker(lambda: long_jobs_sweep(work=LONG_WORK)) == 1

    [again] = long_tasks()[1:]
    assert again["args"][1] == lost_task["args"][1] + 1  # a later turn
    # django-q2 hands the lost task out again too, later: its turn is over, it does nothing.
    done_before = CandleFill.objects.get().progress_done
    from django.utils.module_loading import import_string

    import_string(lost_task["func"])(*lost_task["args"])
    assert CandleFill.objects.get().progress_done == done_before
    settings.LONG_JOB_TURN_S = 30.0
    from django_q.models import OrmQ

    OrmQ.objects.filter(pk=OrmQ.objects.order_by("pk").first().pk).delete()  # the lost one
    run_long_tasks(broker)
    assert Backtest.objects.get(pk=backtest.pk).status == BacktestStatus.DONE


def test_a_fill_that_keeps_losing_its_worker_ends_as_failed_and_says_so(broker, settings):
    ann = make_user("ann@example.com")
    backtest = _trade_pages_fill(broker, ann, settings)
    for _lost in range(3):
        LongJob.objects.update(beat_at=timezone.now() - timedelta(hours=1))
        broker(lambda: long_jobs_sweep(work=LONG_WORK))

    failed = Backtest.objects.get(pk=backtest.pk)
    assert failed.status == BacktestStatus.FAILED
    assert failed.error_code == "interrupted"
    assert CandleFill.objects.get().status == "failed"
    assert not LongJob.objects.exists()


def test_a_backtest_that_joins_a_fill_during_its_last_turn_gets_its_range_fetched_too(
    broker, monkeypatch, settings
):
    """Ann's fill is in its turn, with only her range to fetch; Bob's backtest on the same
    market adds an older range meanwhile. The turn must not end the fill with Bob's range
    missing: it goes round once more, and Bob's report has every bar of his period."""
    settings.LONG_JOB_SLOTS = 2  # Bob's turn runs beside the fill's
    ann, bob = make_user("ann@example.com"), make_user("bob@example.com")
    broker(lambda: kraken_backtest(ann, days=3))
    broker(run_next_long_task)  # Ann's turn: a fill of her three days (and warm-up)
    real_fill = candle_fills.candles_fill
    joined: list[Backtest] = []

    def bob_joins_meanwhile(**arguments):
        report = real_fill(**arguments)
        if not joined:  # while the turn runs, before it ends the fill
            joined.append(broker(lambda: kraken_backtest(bob, days=6)))
            [bobs_turn] = long_tasks()
            assert bobs_turn["name"] == f"backtest-{joined[0].pk}-turn-1"
            broker(run_next_long_task)  # Bob's turn: he joins Ann's fill
            assert Backtest.objects.get(pk=joined[0].pk).status == BacktestStatus.FETCHING
        return report

    monkeypatch.setattr(candle_fills, "candles_fill", bob_joins_meanwhile)
    broker(run_next_long_task)  # the fill's turn
    run_long_tasks(broker)

    bobs = Backtest.objects.get(pk=joined[0].pk)
    assert bobs.status == BacktestStatus.DONE, bobs.error_code
    assert bobs.bars == 6 * 24
    assert bobs.gaps == 0


def test_a_fill_that_ends_while_a_backtest_s_turn_joins_it_wakes_that_backtest(broker, monkeypatch):
    """Bob's turn joins the market's fill; before his turn ends (and leaves the line to wait),
    the fill finishes and puts him back in the line. He must not be lost: he is woken, takes
    one more turn, and gets his report."""
    from strategies.services import long_jobs

    bob = make_user("bob@example.com")
    real_after_turn = long_jobs._after_turn

    def fill_finishes_first(job, outcome):
        if job.kind == "backtest" and outcome is Turn.WAIT:
            fill_id = Backtest.objects.values_list("fill", flat=True).get(pk=job.target_id)
            while candle_fills.candle_fill_turn(fill_id, math.inf) is Turn.AGAIN:
                pass
        real_after_turn(job, outcome)

    monkeypatch.setattr(long_jobs, "_after_turn", fill_finishes_first)
    bobs = broker(lambda: kraken_backtest(bob, days=3))
    broker(run_next_long_task)  # his turn: joins, the fill ends, then his turn ends waiting

    monkeypatch.setattr(long_jobs, "_after_turn", real_after_turn)
    run_long_tasks(broker)
    finished = Backtest.objects.get(pk=bobs.pk)
    assert finished.status == BacktestStatus.DONE, finished.error_code
    assert not LongJob.objects.exists()


def test_a_bug_in_a_fill_fails_it_and_its_backtests_instead_of_leaving_them_waiting(
    broker, monkeypatch
):
    ann = make_user("ann@example.com")

    def broken(**arguments):
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(candle_fills, "candles_fill", broken)
    anns = broker(lambda: kraken_backtest(ann, days=3))
    run_long_tasks(broker)

    failed = Backtest.objects.get(pk=anns.pk)
    assert (failed.status, failed.error_code) == (BacktestStatus.FAILED, "our_error")
    assert CandleFill.objects.get().status == "failed"
    assert not LongJob.objects.exists()


def test_the_round_robin_remembers_a_user_s_turn_after_their_jobs_have_left_the_line(broker):
    """A user whose last job has ended is not "never served": a new submission of theirs
    waits behind users served before them."""
    ann, bob = make_user("ann@example.com"), make_user("bob@example.com")
    LineTurn.objects.create(owner=bob, served_at=timezone.now() - timedelta(hours=1))
    broker(lambda: kraken_backtest(ann, days=1))
    run_long_tasks(broker)
    assert not LongJob.objects.exists()

    served = last_served()
    assert served[ann.pk] > served[bob.pk]
    waiting = [_job(ann, 2), _job(bob, 1)]  # Ann's new job queued first, all the same
    assert line_order(waiting, served) == [waiting[1], waiting[0]]
