"""Studies run by a real `manage.py qcluster` process serving the long cluster with two workers
(not django-q2's sync mode): to their end, through a cluster killed mid-fold, and beside a
second user's work. The market is study_helpers' planted regime change, whose every choice and
the stitched equity are worked out by hand in test_study_walk_forward.py."""

import os
import signal
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from django_q.conf import Conf

from strategies.models import Backtest, LongJob, LongJobKind, Study, StudyFold, StudyStatus
from strategies.services.long_jobs import long_jobs_sweep
from strategies.services.studies import study_start
from strategies.tasks import LONG_WORK
from tests.accounts.helpers import make_user
from tests.strategies.study_helpers import CAPITAL
from tests.strategies.test_studies import TAKE_PROFIT, finished_backtest

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]

# study_helpers' five take-profits, each with 100 trailing stops of 50 % and more. After an
# entry the price never falls more than 18 % below a high (from a peak of 120.5 to a low of
# 99), so none of these stops ever fires: every trailing stop gives its take-profit's trades,
# and a fold chooses the take-profit it chooses among the five alone. 500 combinations make a
# fold half a second of work or more, long enough to be caught mid-turn.
SLOW_SPACE = [
    *TAKE_PROFIT,
    {"path": "risk.trailing_stop_pct", "low": 0.5, "high": 0.599, "step": 0.001},
]
# By hand (test_study_walk_forward.py): folds 1-5 choose 10 %, folds 6-8 choose 20 %, and the
# stitched equity ends at 1.1^30 x 1.2^18 times the capital.
HAND_CHOSEN = [0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2]
HAND_END = CAPITAL * 1.1**30 * 1.2**18

Found = TypeVar("Found")


@pytest.fixture
def long_cluster(settings, start_qcluster, monkeypatch) -> Callable:
    """Starts a long cluster of two workers; the line (dispatched from this process too) has
    two slots and LONG_JOBS_PER_USER = 1, in this process and in the cluster's."""
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    settings.LONG_JOB_SLOTS = 2
    settings.LONG_JOBS_PER_USER = 1
    monkeypatch.setattr(Conf, "SYNC", False)
    return lambda: start_qcluster(
        Q_CLUSTER_NAME=settings.LONG_TASKS,
        Q_LONG_WORKERS="2",
        LONG_JOB_SLOTS="2",
        LONG_JOBS_PER_USER="1",
    )


def until(found: Callable[[], Found | None], seconds: float, failure: str) -> Found:
    """What `found` returns once it returns something other than None, polled."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = found()
        if value is not None:
            return value
        time.sleep(0.05)
    pytest.fail(failure)


def line_emptied(seconds: float = 30) -> None:
    """The long jobs' line empty: a job's row goes once its last turn has returned, just
    after that turn marked the study done (a busy machine shows the gap)."""
    until(lambda: None if LongJob.objects.exists() else True, seconds, "a job stayed in line")


def study_of(backtest: Backtest, dimensions: list[dict]) -> Study:
    return study_start(
        owner=backtest.owner,
        backtest=backtest,
        dimensions=dimensions,
        constraints=[],
        objective="return",
    )


def fold_jobs(study: Study):
    return LongJob.objects.filter(
        kind=LongJobKind.STUDY_FOLD,
        target_id__in=StudyFold.objects.filter(study=study).values("pk"),
    )


def ended(study: Study, seconds: float = 60) -> Study:
    def status() -> Study | None:
        study.refresh_from_db()
        return None if study.active else study

    return until(status, seconds, f"study {study.pk} still {study.status}")


def assert_the_hand_worked_walk_forward(study: Study) -> None:
    assert (study.status, study.error_code) == (StudyStatus.DONE, "")
    folds = list(StudyFold.objects.filter(study=study).order_by("number"))
    assert [fold.number for fold in folds] == list(range(1, 9))  # planned once
    assert all(fold.done for fold in folds)
    rows = [fold.chosen["parameters"]["risk.take_profit_pct"] for fold in folds]
    reported = [fold["parameters"]["risk.take_profit_pct"] for fold in study.result["folds"]]
    assert rows == reported == HAND_CHOSEN
    assert study.result["equity"][-1][1] == pytest.approx(HAND_END, rel=1e-9)


def test_a_study_runs_to_its_end_on_the_long_cluster_its_folds_side_by_side(long_cluster):
    long_cluster()
    study = study_of(finished_backtest(make_user("cluster-study@example.com")), SLOW_SPACE)
    assert study.combinations == 500

    most_at_once = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        most_at_once = max(most_at_once, fold_jobs(study).exclude(dispatched_at=None).count())
        study.refresh_from_db()
        if not study.active:
            break
        time.sleep(0.05)

    assert_the_hand_worked_walk_forward(study)
    assert study.started_at < study.finished_at
    line_emptied()
    # One user alone in the line: a study's folds use every free slot, beyond
    # LONG_JOBS_PER_USER (1 here), so two folds held the two workers at once.
    assert most_at_once == 2, "the study's folds never ran on both long workers at once"


def test_a_study_whose_cluster_is_killed_mid_fold_ends_with_the_same_choices_on_the_next(
    long_cluster,
):
    """The cluster is killed with its workers while a fold is being chosen, as a crashed
    machine is. Once the turns' heartbeats are older than the line allows (set back here, not
    waited for), the sweep hands them out again; a new cluster chooses the lost folds, keeps
    what the killed one chose, and the study ends with the hand-worked walk-forward."""
    first = long_cluster()
    study = study_of(finished_backtest(make_user("killed-study@example.com")), SLOW_SPACE)

    def mid_fold() -> LongJob | None:
        # Two folds have chosen, and a worker began another's turn (its beat moved past its
        # dispatch) a moment ago: a fold takes far longer than that to choose.
        if StudyFold.objects.filter(study=study, done=True).count() < 2:
            return None
        return (
            fold_jobs(study)
            .filter(beat_at__gt=F("dispatched_at"))
            .filter(beat_at__gt=timezone.now() - timedelta(seconds=0.1))
            .first()
        )

    caught = until(mid_fold, 60, "no fold was ever caught mid-turn")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(30)

    lost = fold_jobs(study).exclude(dispatched_at=None)
    assert lost.filter(pk=caught.pk, turn=caught.turn).exists()  # nothing said its turn ended
    assert not StudyFold.objects.get(pk=caught.target_id).done
    assert Study.objects.get(pk=study.pk).status == StudyStatus.CHOOSING
    kept = dict(StudyFold.objects.filter(study=study, done=True).values_list("number", "chosen"))
    assert 2 <= len(kept) < 8
    held = lost.count()

    LongJob.objects.exclude(dispatched_at=None).update(beat_at=timezone.now() - timedelta(hours=1))
    assert long_jobs_sweep(work=LONG_WORK) == held
    long_cluster()

    study = ended(study)
    assert_the_hand_worked_walk_forward(study)
    chosen = dict(StudyFold.objects.filter(study=study).values_list("number", "chosen"))
    assert {number: chosen[number] for number in kept} == kept  # not chosen again
    line_emptied()


def test_a_second_user_gets_a_worker_before_a_running_study_has_had_all_its_folds(
    long_cluster,
):
    """Alice's study has eight folds of half a second or more in the line; Bob asks for a study
    once her folds hold the workers. Bob's first turn is handed out while some of her folds
    still wait in the line: he does not wait behind her whole study."""
    long_cluster()
    alice, bob = make_user("alice-study@example.com"), make_user("bob-study@example.com")
    bobs_backtest = finished_backtest(bob)
    alices = study_of(finished_backtest(alice), SLOW_SPACE)
    until(
        lambda: fold_jobs(alices).exclude(dispatched_at=None).first(),
        30,
        "Alice's folds never got a worker",
    )
    assert fold_jobs(alices).filter(dispatched_at=None).count() >= 4

    bobs = study_of(bobs_backtest, TAKE_PROFIT)

    def bob_served() -> int | None:
        if (
            not LongJob.objects.filter(kind=LongJobKind.STUDY, target_id=bobs.pk)
            .exclude(dispatched_at=None)
            .exists()
            and Study.objects.get(pk=bobs.pk).status == StudyStatus.QUEUED
        ):
            return None
        # Counted after Bob was served: her folds only ever leave the line, so at least these
        # still waited when he got his worker.
        return fold_jobs(alices).filter(dispatched_at=None).count()

    alice_waiting = until(bob_served, 30, "Bob's study never got a worker")
    assert alice_waiting >= 1, "Bob waited until every fold of Alice's study had a worker"

    assert_the_hand_worked_walk_forward(ended(alices))
    assert_the_hand_worked_walk_forward(ended(bobs))
    line_emptied()
