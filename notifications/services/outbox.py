"""The outbox's writes.

notify(*, user, event, key, params)   in the caller's transaction (a savepoint of it): the
                                      notification and one delivery per channel that carries
                                      the event, their tasks queued once that commits
delivery_send(*, delivery_id, turn)   the task: one attempt at one delivery
deliveries_requeue()                  the minute sweep: queue every delivery whose time came

Tasks run on their own cluster (settings.NOTIFY_TASKS): a channel is someone else's server,
and may answer slowly on purpose; ticks and a stop's cancels never wait behind it.

A task carries the delivery's turn. An attempt takes the next turn and is counted as failed
before it is made (its next attempt planned): a worker killed while it waits on the channel
has used an attempt, and the sweep tries again when the pause has passed; a second copy of a
task finds its turn taken and does nothing. Delivery is thus at least once: a worker killed
after the channel took a message and before the row says so sends it again, with the same
idempotency key (a webhook receiver drops it; Telegram, Discord and email have no such key,
and show it twice). Sending happens outside any transaction, so no row stays locked while a
channel answers.
"""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from accounts.models import User
from noonbarbari.queueing import REQUEUE_AFTER, queue_on_commit
from notifications import events, pacing
from notifications.models import Channel, ChannelKind, Delivery, DeliveryStatus, Notification
from notifications.senders.channels import SENDERS
from notifications.senders.errors import ChannelGone, MessageRefused, RateLimited, SendFailed
from notifications.services.channels import email_channel

logger = logging.getLogger(__name__)

SEND_TASK = "notifications.tasks.send_delivery"
TASK_NAME = "delivery-{pk}-{turn}"
# Pauses after each failed attempt; after the last one the delivery is given up (and logged).
RETRY_PAUSES = tuple(
    timedelta(seconds=s) for s in (10, 30, 60, 120, 300, 600, 1800, 3600, 3600, 3600)
)
# A pause (the channel's pace, or one a 429 asked for) this short is waited out in the task,
# once, so that a burst of fills still arrives within the minute; a longer one goes to the
# sweep.
WAIT_IN_TASK = timedelta(seconds=5)


def notify(*, user: User, event: str, key: str, params: dict) -> Notification | None:
    """Record the event for `user` once (`key` names it); None when it was already recorded,
    or when recording failed: what decided the event (a stop) must never fail with it."""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            return _record(user, event, key, params)
    except IntegrityError:
        return None
    except Exception:
        logger.exception("Notification %s for user %s not recorded", key, user.pk)
        return None


def _record(user: User, event: str, key: str, params: dict) -> Notification:
    channels = [c for c in _channels(user) if c.carries(event)]
    notification = Notification.objects.create(user=user, event=event, key=key, params=params)
    now = timezone.now()
    for channel in channels:
        delivery = Delivery.objects.create(
            notification=notification, channel=channel, due_at=now, turn=1, queued_at=now
        )
        _queue(delivery.pk, 1)
    return notification


def _queue(pk: int, turn: int) -> None:
    queue_on_commit(
        SEND_TASK, pk, turn, name=TASK_NAME.format(pk=pk, turn=turn), cluster=settings.NOTIFY_TASKS
    )


def _channels(user: User) -> list[Channel]:
    channels = list(Channel.objects.filter(user=user))
    if not any(channel.kind == ChannelKind.EMAIL for channel in channels):
        channels.append(email_channel(user))
    return channels


def delivery_send(*, delivery_id: int, turn: int) -> bool:
    """One attempt at the delivery if `turn` is still its turn; True when it went out."""
    claimed = _claim(delivery_id, turn)
    if claimed is None:
        return False
    delivery, start_at = claimed
    _wait_until(start_at)
    try:
        try:
            _send(delivery)
        except RateLimited as limited:
            if timedelta(seconds=limited.seconds) > WAIT_IN_TASK:
                raise
            _wait_until(timezone.now() + timedelta(seconds=limited.seconds))
            _send(delivery)
    except RateLimited as limited:
        _rate_limited(delivery, limited.seconds)
        return False
    except SendFailed as error:
        _failed(delivery, error)
        return False
    except Exception as error:  # a mail server down, a bug in a renderer: never lost
        _failed(delivery, SendFailed(type(error).__name__, code="our_error"))
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        due_at=None,
        error_code="",
        error_detail="",
    )
    return True


def _wait_until(moment: datetime) -> None:
    pause = (moment - timezone.now()).total_seconds()
    if pause > 0:
        time.sleep(min(pause, WAIT_IN_TASK.total_seconds()))


def _claim(delivery_id: int, turn: int) -> tuple[Delivery, datetime] | None:
    """The delivery, its turn taken, counted as a failed attempt with its next attempt
    planned, and when the channel's pace lets it go; None when there is nothing to send now
    (another turn took it, the event was switched off, or the pace defers it to the sweep)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification__user", "channel__user")
            .filter(pk=delivery_id, turn=turn, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return None
        delivery.turn, delivery.queued_at = turn + 1, None
        if not delivery.channel.carries(delivery.notification.event):
            # The user switched the event off or the channel broke since: not sent, not lost.
            delivery.status, delivery.due_at = DeliveryStatus.DROPPED, None
            delivery.error_code = "gone" if delivery.channel.broken_reason else "switched_off"
            delivery.save(update_fields=["turn", "queued_at", "status", "due_at", "error_code"])
            return None
        start_at, taken = pacing.next_slot(delivery.channel, now, WAIT_IN_TASK)
        if not taken:
            delivery.due_at = start_at
            delivery.save(update_fields=["turn", "queued_at", "due_at"])
            return None
        delivery.attempts += 1
        delivery.due_at = _next_attempt(delivery.attempts, now)
        if delivery.due_at is None:
            delivery.status = DeliveryStatus.FAILED  # the last attempt: given up unless it works
        delivery.save(update_fields=["turn", "queued_at", "attempts", "due_at", "status"])
    return delivery, start_at


def _next_attempt(attempts: int, now: datetime) -> datetime | None:
    if attempts > len(RETRY_PAUSES):
        return None
    return now + RETRY_PAUSES[attempts - 1]


def _send(delivery: Delivery) -> None:
    notification = delivery.notification
    with translation.override(notification.user.preferred_language):
        message = events.renderers[notification.event](notification.params)
        SENDERS[ChannelKind(delivery.channel.kind)](delivery.channel, message, delivery)


def _rate_limited(delivery: Delivery, seconds: float) -> None:
    """Not a failure: the attempt is given back, and the channel held for the pause."""
    due_at = timezone.now() + timedelta(seconds=max(seconds, 1.0))
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") - 1,
        due_at=due_at,
        status=DeliveryStatus.PENDING,
        error_code=RateLimited.code,
        error_detail="",
    )
    pacing.hold(delivery.channel, due_at)


def _failed(delivery: Delivery, error: SendFailed) -> None:
    final = isinstance(error, ChannelGone | MessageRefused) or delivery.due_at is None
    changes: dict[str, object] = {"error_code": error.code, "error_detail": error.detail}
    if final:
        changes |= {"status": DeliveryStatus.FAILED, "due_at": None}
    Delivery.objects.filter(pk=delivery.pk).update(**changes)
    if isinstance(error, ChannelGone):
        Channel.objects.filter(pk=delivery.channel_id).update(broken_reason=error.code)
    log = logger.error if final else logger.warning
    log(
        "Delivery %s (%s on %s): not sent (attempt %d%s): %s %s",
        delivery.pk,
        delivery.notification.event,
        delivery.channel.kind,
        delivery.attempts,
        ", given up" if final else "",
        error.code,
        error.detail,
    )


def deliveries_requeue() -> int:
    """Queue every pending delivery whose time came and whose task is not already waiting
    (queued within REQUEUE_AFTER); how many."""
    now = timezone.now()
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, due_at__lte=now).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER)
    )
    queued = 0
    with transaction.atomic():
        for delivery in due.select_for_update(of=("self",)):
            delivery.turn, delivery.queued_at = delivery.turn + 1, now
            delivery.save(update_fields=["turn", "queued_at"])
            _queue(delivery.pk, delivery.turn)
            queued += 1
    return queued
