"""Tasks queued once the transaction that decided them commits.

A broker that is down (Redis unreachable) must neither fail nor undo what was decided: a stop
stays committed, and the duty the task serves is a committed row (a notice not sent yet, a
stopped run's orders not confirmed cancelled) that the minute sweep and every starting worker
queue again. So the queueing itself only logs its failure.
"""

import logging

from django.db import transaction
from django_q.tasks import async_task

logger = logging.getLogger(__name__)


def queue_on_commit(task: str, *args: object, name: str, **options: object) -> None:
    """`task(*args)` queued after the current transaction commits (at once outside one)."""

    def send() -> None:
        try:
            async_task(task, *args, task_name=name, **options)
        except Exception:  # the broker is down: the sweep queues the duty again
            logger.exception("Task %s not queued", name)

    transaction.on_commit(send)
