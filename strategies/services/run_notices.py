"""What a run's owner is told, through an outbox (strategies.models.notices).

run_notice_create(*, run, kind)   the notice row, in the caller's transaction, and its task
                                  queued once that commits
run_notice_send(*, notice_id)     the task: send it, or note the failure and when to retry
run_notices_requeue()             the minute sweep: queue every notice whose retry is due

Sending is at least once: a worker killed between sending and noting it sends it again.
A failure is logged (the error's class, never the message, which can hold an address) and
retried with a growing pause, never raised into whatever decided the event.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from strategies.models import NoticeKind, RunNotice, StrategyRun
from strategies.services import run_emails
from strategies.services.queueing import REQUEUE_AFTER, queue_again, queue_on_commit

logger = logging.getLogger(__name__)

SEND_TASK = "strategies.tasks.send_run_notice"
TASK_NAME = "run-notice-{pk}"
# Pauses after each failed attempt; after the last one the notice is given up (and logged).
RETRY_PAUSES = tuple(timedelta(minutes=m) for m in (1, 2, 4, 8, 15, 30, 60, 60, 60, 60, 60, 60))
SENDERS = {NoticeKind.RUN_ENDED: run_emails.send_run_ended}


def run_notice_create(*, run: StrategyRun, kind: str) -> RunNotice:
    notice = RunNotice.objects.create(run=run, kind=kind, due_at=timezone.now() + REQUEUE_AFTER)
    queue_on_commit(SEND_TASK, notice.pk, name=TASK_NAME.format(pk=notice.pk))
    return notice


def run_notice_send(*, notice_id: int) -> bool:
    """Send the notice unless it was sent; True when it went out now."""
    with transaction.atomic():
        notice = (
            RunNotice.objects.select_for_update()
            .select_related("run__owner")
            .filter(pk=notice_id, sent_at__isnull=True, due_at__isnull=False)
            .first()
        )
        if notice is None:
            return False
        # Claimed: another worker picking it up meanwhile waits for the requeue delay.
        notice.due_at = timezone.now() + REQUEUE_AFTER
        notice.save(update_fields=["due_at"])
    try:
        SENDERS[NoticeKind(notice.kind)](notice.run)
    except Exception as error:  # SMTP down, refused, timed out: try again later
        _failed(notice, error)
        return False
    RunNotice.objects.filter(pk=notice.pk).update(sent_at=timezone.now(), due_at=None)
    return True


def _failed(notice: RunNotice, error: Exception) -> None:
    attempts = notice.attempts + 1
    given_up = attempts > len(RETRY_PAUSES)
    due_at = None if given_up else timezone.now() + RETRY_PAUSES[attempts - 1]
    RunNotice.objects.filter(pk=notice.pk).update(
        attempts=attempts, due_at=due_at, last_error=type(error).__name__
    )
    log = logger.error if given_up else logger.warning
    log(
        "Notice %s (%s, run %s): not sent (attempt %d%s): %s",
        notice.pk,
        notice.kind,
        notice.run_id,
        attempts,
        ", given up" if given_up else "",
        type(error).__name__,
    )


def run_notices_requeue() -> int:
    """Queue every unsent notice whose retry is due; how many."""
    due = RunNotice.objects.filter(sent_at__isnull=True, due_at__lte=timezone.now())
    return queue_again(due, due_field="due_at", task=SEND_TASK, name=TASK_NAME)
