"""The order of the line of long work (strategies/models/long_jobs.py): users in turn, how
many jobs at once, how long a turn lasts. The dispatcher (strategies/services/long_jobs.py)
follows it, and the estimates (strategies/selectors/long_jobs.py) play it forward.

line_order(waiting, served)                 the waiting jobs in the order they get a worker
round_robin(queued, owner=, served=)        the same rule over anything
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.utils import timezone

from strategies.models.long_jobs import LineTurn, LongJob, LongJobKind

Entry = TypeVar("Entry")
# Jobs that may take workers beyond their user's LONG_JOBS_PER_USER while no other job could
# use them: each turn is short and ends by itself (one fold's search), so whoever queues next
# waits for one such turn at most, never behind a whole study.
BORROWING_KINDS = (LongJobKind.STUDY_FOLD,)


def turn_seconds() -> float:
    return float(settings.LONG_JOB_TURN_S)


def slots() -> int:
    return int(settings.LONG_JOB_SLOTS)


def time_limit_s() -> int:
    """Seconds before django-q2 kills a running task of the long cluster."""
    return int(settings.Q_CLUSTER["ALT_CLUSTERS"][settings.LONG_TASKS]["timeout"])


def time_limit_minutes() -> int:
    """The same limit as users read it: whole minutes, rounded up."""
    return -(-time_limit_s() // 60)


def line_order(waiting: Iterable[LongJob], served: dict[int | None, datetime]) -> list[LongJob]:
    """The waiting jobs in the order they get a worker (round_robin)."""
    never = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    return round_robin(
        sorted(waiting, key=lambda job: (job.queued_at, job.pk)),
        owner=lambda job: job.owner_id,
        served=lambda owner: served.get(owner) or never,
    )


def round_robin(
    queued: list[Entry], *, owner: Callable[[Entry], Any], served: Callable[[Any], Any]
) -> list[Entry]:
    """Round robin over `queued` (oldest first): each user's oldest job first, users taken
    in turn, the one served longest ago (or never) first; then each user's second job, and
    so on. The site's own jobs (no owner) take their turn as one more user."""
    mine: dict[Any, list[Entry]] = defaultdict(list)
    for entry in queued:
        mine[owner(entry)].append(entry)
    users = list(mine)  # in the order of their oldest job
    users.sort(key=served)  # stable: among users served at the same time, oldest job first
    order: list[Entry] = []
    for depth in range(max((len(entries) for entries in mine.values()), default=0)):
        order.extend(mine[user][depth] for user in users if depth < len(mine[user]))
    return order


def last_served() -> dict[int | None, datetime]:
    """When each user last got a turn (LineTurn)."""
    return dict(LineTurn.objects.values_list("owner_id", "served_at"))
