"""The line of long work (strategies/models/long_jobs.py says why it exists).

long_job_queue(*, kind, target_id, owner)   into the line (a job already there keeps its
                                            place), dispatched once the transaction commits
long_jobs_queue_new(*, kind, target_ids, owner)   new jobs into the line at once
long_job_drop(*, kind, target_id)           out of the line, if it is waiting there
long_jobs_drop(*, kind, target_ids)         the same for many, in one statement
long_jobs_dispatch()                        hands the next turns to django-q2, one per free
                                            slot, users in turn, at most LONG_JOBS_PER_USER
                                            of one user's jobs at once (a study's folds
                                            borrow the workers nobody else can use); how
                                            many
long_job_run(*, job_id, turn, work)         one turn, then back in the line or out of it
long_jobs_sweep(*, work)                    a turn whose worker went silent is handed out
                                            again; a job that lost its worker too often ends
                                            as failed
(the order of the line is strategies/selectors/long_job_line.py's)
"""

import enum
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.exceptions import TimeoutException

from noonbarbari.queueing import queue_on_commit
from strategies.models.long_jobs import LineTurn, LongJob
from strategies.selectors.long_job_line import (
    BORROWING_KINDS,
    last_served,
    line_order,
    slots,
    time_limit_s,
    turn_seconds,
)

logger = logging.getLogger(__name__)

TASK = "strategies.tasks.run_long_job"
# A job whose worker went silent this many times ends as failed instead of being handed out
# again: something in it kills workers (memory, say), and it must not take every worker down.
MAX_LOST = 2


class Turn(enum.Enum):
    DONE = "done"  # the job has ended: out of the line
    AGAIN = "again"  # more to do: back in the line, at its end
    WAIT = "wait"  # it waits on other work (a candle fill), which puts it back in the line


@dataclass(frozen=True)
class LongWork:
    """What the line needs of a kind of job: `run(target_id, deadline)` does one turn (the
    deadline a time.monotonic() value a turn that can stop should stop at); `lost(target_id)`
    ends it as failed when its workers kept being lost."""

    run: Callable[[int, float], Turn]
    lost: Callable[[int], None]


def long_job_queue(*, kind: str, target_id: int, owner_id: int | None) -> None:
    job, created = LongJob.objects.get_or_create(
        kind=kind, target_id=target_id, defaults={"owner_id": owner_id, "queued_at": timezone.now()}
    )
    if not created:
        # Its turn is running: it may be about to wait on what just put it back (a fill that
        # ended while the backtest's turn joined it). Woken, it takes one more turn instead.
        LongJob.objects.filter(pk=job.pk).exclude(dispatched_at=None).update(woken=True)
    transaction.on_commit(long_jobs_dispatch)


def long_jobs_queue_new(*, kind: str, target_ids: list[int], owner_id: int | None) -> None:
    """New jobs (a study's folds, just created) into the line at once, one dispatch for all."""
    now = timezone.now()
    LongJob.objects.bulk_create(
        LongJob(kind=kind, target_id=target_id, owner_id=owner_id, queued_at=now)
        for target_id in target_ids
    )
    transaction.on_commit(long_jobs_dispatch)


def long_job_drop(*, kind: str, target_id: int) -> None:
    """A waiting job leaves the line; a running one ends its turn by itself (its target ended)."""
    long_jobs_drop(kind=kind, target_ids=[target_id])


def long_jobs_drop(*, kind: str, target_ids) -> None:
    """long_job_drop for many targets (a study's folds) in one statement; `target_ids` may be
    a subquery."""
    LongJob.objects.filter(kind=kind, target_id__in=target_ids, dispatched_at=None).delete()


def long_jobs_dispatch() -> int:
    handed: list[LongJob] = []
    with transaction.atomic():
        # Locking the waiting rows makes two dispatchers take turns: the second one counts
        # the running jobs only once the first one's choice is committed.
        waiting = list(LongJob.objects.select_for_update().filter(dispatched_at=None))
        if not waiting:
            return 0
        running = list(
            LongJob.objects.exclude(dispatched_at=None).values_list("owner_id", "borrowed")
        )
        free = slots() - len(running)
        per_user: dict[int | None, int] = defaultdict(int)
        for owner_id, borrowed in running:
            per_user[owner_id] += not borrowed
        now = timezone.now()
        borrowers = []
        for job in line_order(waiting, last_served()):
            if free <= 0:
                break
            if per_user[job.owner_id] >= settings.LONG_JOBS_PER_USER:
                if job.kind in BORROWING_KINDS:
                    borrowers.append(job)
                continue
            _hand(job, now, handed, borrowed=False)
            per_user[job.owner_id] += 1
            free -= 1
        # Every job still waiting is its user's beyond the limit: nobody else can use the
        # free workers now, so a study's folds borrow them (a study fans out over every long
        # worker) and give each back within one fold's search, to whoever waits then.
        for job in borrowers[: max(free, 0)]:
            _hand(job, now, handed, borrowed=True)
        for job in handed:
            queue_on_commit(
                TASK,
                job.pk,
                job.turn,
                name=f"{job.kind}-{job.target_id}-turn-{job.turn}",
                cluster=settings.LONG_TASKS,
            )
    return len(handed)


def _hand(job: LongJob, now: datetime, handed: list[LongJob], *, borrowed: bool) -> None:
    LongJob.objects.filter(pk=job.pk).update(
        dispatched_at=now, beat_at=now, turn=F("turn") + 1, woken=False, borrowed=borrowed
    )
    job.turn += 1
    _served(job.owner_id, now)
    handed.append(job)


def _served(owner_id: int | None, now: datetime) -> None:
    """The round robin's memory of the user's turn (the site's: the row without an owner)."""
    if not LineTurn.objects.filter(owner_id=owner_id).update(served_at=now):
        LineTurn.objects.create(owner_id=owner_id, served_at=now)


def long_job_run(*, job_id: int, turn: int, work: Mapping[str, LongWork]) -> None:
    """One turn of the job, if it is still this task's (a task handed out twice finds that a
    later turn was given); then the line moves on."""
    now = timezone.now()
    if (
        not LongJob.objects.filter(pk=job_id, turn=turn)
        .exclude(dispatched_at=None)
        .update(beat_at=now)
    ):
        return
    job = LongJob.objects.get(pk=job_id)
    try:
        outcome = work[job.kind].run(job.target_id, time.monotonic() + turn_seconds())
    except TimeoutException:
        # Past the cluster's time limit: the job said so on its row; its worker goes.
        _after_turn(job, Turn.DONE)
        raise
    except Exception:
        # A bug of ours the job's own handlers did not catch: it ends as failed rather than
        # out of the line with nothing to end it.
        logger.exception("Long job %s %s failed in our code", job.kind, job.target_id)
        work[job.kind].lost(job.target_id)
        outcome = Turn.DONE
    _after_turn(job, outcome)


def _after_turn(job: LongJob, outcome: Turn) -> None:
    mine = LongJob.objects.filter(pk=job.pk, turn=job.turn)
    if outcome is Turn.WAIT and not mine.filter(woken=False).delete()[0]:
        outcome = Turn.AGAIN  # woken during its turn: what it would wait for has happened
    if outcome is Turn.AGAIN:  # a turn that ended well: its worker losses start again at 0
        mine.update(dispatched_at=None, beat_at=None, queued_at=timezone.now(), lost=0)
    elif outcome is Turn.DONE:
        mine.delete()
    long_jobs_dispatch()


def long_job_beat(*, kind: str, target_id: int) -> None:
    """The running turn of this job is alive (written with its progress)."""
    LongJob.objects.filter(kind=kind, target_id=target_id).exclude(dispatched_at=None).update(
        beat_at=timezone.now()
    )


def silent_after() -> timedelta:
    """A running turn that has not beaten for this long lost its worker: a fill beats at every
    request, and no turn of another kind outlives the long cluster's time limit."""
    return timedelta(seconds=min(time_limit_s(), 2 * turn_seconds() + 120) + 30)


def long_jobs_sweep(*, work: Mapping[str, LongWork]) -> int:
    """Hand out again the turns whose worker went silent (killed, or its machine gone), then
    dispatch; how many were handed out again."""
    silent = LongJob.objects.exclude(dispatched_at=None).filter(
        beat_at__lt=timezone.now() - silent_after()
    )
    again = 0
    for job in silent:
        if job.lost >= MAX_LOST:
            logger.warning(
                "Long job %s %s lost its worker %s times", job.kind, job.target_id, job.lost + 1
            )
            work[job.kind].lost(job.target_id)
            LongJob.objects.filter(pk=job.pk, turn=job.turn).delete()
            continue
        again += LongJob.objects.filter(pk=job.pk, turn=job.turn).update(
            dispatched_at=None, beat_at=None, lost=F("lost") + 1
        )
    long_jobs_dispatch()
    return again
