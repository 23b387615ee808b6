"""Tasks queued once the transaction that decided them commits.

A broker that is down (Redis unreachable) must neither fail nor undo what was decided: a stop
stays committed, and the duty the task serves is a committed row (a notice not sent yet, a
stopped run's orders not confirmed cancelled) that the minute sweep and every starting worker
queue again. So the queueing itself only logs its failure.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_q.tasks import async_task

logger = logging.getLogger(__name__)

# A duty whose task was queued this long ago and is still due is queued again (its task lost
# with a killed worker, or never queued).
REQUEUE_AFTER = timedelta(minutes=2)


def queue_on_commit(task: str, *args: object, name: str, **options: object) -> None:
    """`task(*args)` queued after the current transaction commits (at once outside one)."""

    def send() -> None:
        try:
            async_task(task, *args, task_name=name, **options)
        except Exception:  # the broker is down: the sweep queues the duty again
            logger.exception("Task %s not queued", name)

    transaction.on_commit(send)


def queue_again(
    rows: QuerySet,
    *,
    due_field: str,
    task: str,
    name: str,
    after: timedelta = REQUEUE_AFTER,
    **options: object,
) -> int:
    """`task(pk)` queued for each of `rows`, their `due_field` moved `after` ahead first
    (queued again then if still due); `name` is formatted with the pk; `options` go to
    async_task (its cluster). How many."""
    pks = list(rows.values_list("pk", flat=True))
    rows.model.objects.filter(pk__in=pks).update(**{due_field: timezone.now() + after})
    for pk in pks:
        queue_on_commit(task, pk, name=name.format(pk=pk), **options)
    return len(pks)
