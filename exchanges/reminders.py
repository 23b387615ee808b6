"""Reminding owners to replace their keys: old ones (ROTATE_AFTER_DAYS since created or last
replaced) and ones about to expire (EXPIRY_WARNING_DAYS), by email once a week at most, and
on every page while it lasts (exchanges.context_processors)."""

from collections.abc import Callable
from datetime import timedelta
from itertools import groupby

from django.urls import reverse
from django.utils import timezone

from accounts.emails import absolute_url, send_user_email
from exchanges.models import ExchangeKey

EMAIL_EVERY = timedelta(days=7)
# Told each owner's keys of the week's reminder, after its email (notifications registers
# one: the keys about to expire reach the owner's other channels too).
reminder_listeners: list[Callable[[list[ExchangeKey]], None]] = []


def keys_remind() -> int:
    """Email each owner about their keys needing replacement that were not mentioned in the
    last EMAIL_EVERY; how many emails were sent."""
    today = timezone.localdate()
    due = (
        ExchangeKey.objects.needing_replacement()
        .exclude(reminded_on__gt=today - EMAIL_EVERY)
        .select_related("user", "exchange")
        .order_by("user_id", "label")
    )
    sent = 0
    for _user_id, group in groupby(due, key=lambda key: key.user_id):
        keys = list(group)
        send_user_email(
            keys[0].user,
            "exchanges/email/key_reminder",
            {
                "keys": keys,
                "keys_url": absolute_url(reverse("exchanges:keys")),
                "rotate_after": ExchangeKey.ROTATE_AFTER_DAYS,
            },
        )
        ExchangeKey.objects.filter(pk__in=[key.pk for key in keys]).update(reminded_on=today)
        for listener in reminder_listeners:
            listener(keys)
        sent += 1
    return sent
