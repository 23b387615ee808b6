"""The daily summary: each hour, every user whose summary hour (in their time zone) it is and
who has a run active, or ended in the last day, gets the day's summary, once per local date
(notifications.Preferences; the notification's key names the date)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from notifications.services.channels import preferences_of
from strategies import notices
from strategies.models import ACTIVE_RUN, StrategyRun


def daily_summaries_send(now: datetime | None = None) -> int:
    """Record the summaries due this hour; how many."""
    now = now or timezone.now()
    recent = Q(status__in=ACTIVE_RUN) | Q(stopped_at__gte=now - timedelta(days=1))
    owners = StrategyRun.objects.filter(recent).values("owner_id").distinct()
    sent = 0
    for user in User.objects.filter(pk__in=owners):
        preferences = preferences_of(user)
        local = now.astimezone(ZoneInfo(preferences.time_zone))
        if local.hour == preferences.summary_hour:
            notices.daily_summary(user, local.date().isoformat())
            sent += 1
    return sent


def day_runs(user: User, day_start: datetime) -> list[tuple[StrategyRun, float | None, int]]:
    """The user's runs worth a line in the summary of the day that started at `day_start`:
    each with its equity at the first close of that day (None: it started since) and the
    fills it had that day."""
    start_ms = int(day_start.timestamp() * 1000)
    runs = StrategyRun.objects.filter(owner=user).filter(
        Q(status__in=ACTIVE_RUN) | Q(stopped_at__gte=day_start)
    )
    lines = []
    for run in runs.select_related("exchange").order_by("pk"):
        first = run.bars.filter(bar_ms__gte=start_ms).order_by("bar_ms").first()
        before = run.bars.filter(bar_ms__lt=start_ms).order_by("-bar_ms").first()
        opening = before.equity if before is not None else (first.equity if first else None)
        fills = run.fills.filter(bar_ms__gte=start_ms).count()
        lines.append((run, opening, fills))
    return lines
