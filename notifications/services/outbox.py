"""The outbox's writes.

notify(*, user, event, key, params)   in the caller's transaction: the notification and one
                                      delivery per channel that carries the event, their tasks
                                      queued once that commits
delivery_send(*, delivery_id)         the task: send one delivery, or note why and when again
deliveries_requeue()                  the minute sweep: queue every delivery whose time came

Delivery is at least once: a worker killed after the channel took a message and before the
row says so sends it again, with the same idempotency key (a webhook receiver drops it;
Telegram, Discord and email have no such key, and show it twice). Sending happens outside any
transaction, so no row stays locked while a channel answers slowly.
"""

import logging
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.models import User
from noonbarbari.queueing import REQUEUE_AFTER, queue_again, queue_on_commit
from notifications import events, pacing
from notifications.models import Channel, ChannelKind, Delivery, DeliveryStatus, Notification
from notifications.senders.channels import SENDERS
from notifications.senders.errors import ChannelGone, MessageRefused, RateLimited, SendFailed
from notifications.services.channels import email_channel

logger = logging.getLogger(__name__)

SEND_TASK = "notifications.tasks.send_delivery"
TASK_NAME = "delivery-{pk}"
# Pauses after each failed attempt; after the last one the delivery is given up (and logged).
RETRY_PAUSES = tuple(
    timedelta(seconds=s) for s in (10, 30, 60, 120, 300, 600, 1800, 3600, 3600, 3600)
)
# A pause a channel asks for that is this short is waited out in the task, so a burst of
# fills still arrives within the minute; a longer one goes back to the sweep.
WAIT_IN_TASK_S = 5.0


def notify(*, user: User, event: str, key: str, params: dict) -> Notification | None:
    """Record the event for `user` once (`key` names it); None when it was already recorded."""
    channels = [c for c in _channels(user) if c.carries(event)]
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            notification = Notification.objects.create(
                user=user, event=event, key=key, params=params
            )
    except IntegrityError:
        return None
    now = timezone.now()
    for channel in channels:
        delivery = Delivery.objects.create(notification=notification, channel=channel, due_at=now)
        queue_on_commit(SEND_TASK, delivery.pk, name=TASK_NAME.format(pk=delivery.pk))
    return notification


def _channels(user: User) -> list[Channel]:
    channels = list(Channel.objects.filter(user=user))
    if not any(channel.kind == ChannelKind.EMAIL for channel in channels):
        channels.append(email_channel(user))
    return channels


def delivery_send(*, delivery_id: int, wait_in_task: bool = True) -> bool:
    """Send the delivery unless it was sent; True when it went out now. A short pause the
    channel asks for is waited out once (`wait_in_task`), a second one left to the sweep."""
    claimed = _claim(delivery_id)
    if claimed is None:
        return False
    delivery, start_at = claimed
    pause = (start_at - timezone.now()).total_seconds()
    if pause > 0:
        time.sleep(pause)  # the chat's own pace (at most WAIT_IN_TASK_S)
    try:
        _send(delivery)
    except RateLimited as limited:
        _rate_limited(delivery, limited.seconds, wait_in_task)
        return False
    except SendFailed as error:
        _failed(delivery, error)
        return False
    except Exception as error:  # a mail server down, a bug in a renderer: never lost
        _failed(delivery, SendFailed(type(error).__name__))
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), due_at=None, last_error=""
    )
    return True


def _claim(delivery_id: int):
    """The pending delivery and when its channel's pace lets it go, with the delivery's next
    attempt moved past the requeue delay (a second worker picking it up meanwhile finds it not
    due) and the channel's pace advanced; None when there is nothing to send now."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("notification__user", "channel__user")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, due_at__isnull=False)
            .first()
        )
        if delivery is None:
            return None
        if not delivery.channel.carries(delivery.notification.event):
            # The user switched the event off or the channel broke since: not sent, not lost.
            delivery.status, delivery.due_at = DeliveryStatus.FAILED, None
            delivery.last_error = delivery.channel.broken_reason or "switched off"
            delivery.save(update_fields=["status", "due_at", "last_error"])
            return None
        start_at = pacing.next_slot(delivery.channel, now)
        if (start_at - now).total_seconds() > WAIT_IN_TASK_S:
            delivery.due_at = start_at
            delivery.save(update_fields=["due_at"])
            return None
        delivery.due_at = now + REQUEUE_AFTER
        delivery.save(update_fields=["due_at"])
    return delivery, start_at


def _send(delivery: Delivery) -> None:
    notification = delivery.notification
    with translation.override(notification.user.preferred_language):
        message = events.renderers[notification.event](notification.params)
        SENDERS[ChannelKind(delivery.channel.kind)](delivery.channel, message, delivery)


def _rate_limited(delivery: Delivery, seconds: float, wait_in_task: bool) -> None:
    """Waited out here if short (then sent again at once), else left to the sweep."""
    due_at = timezone.now() + timedelta(seconds=max(seconds, 1.0))
    Delivery.objects.filter(pk=delivery.pk).update(due_at=due_at, last_error="rate limited")
    pacing.hold(delivery.channel, due_at)
    if wait_in_task and seconds <= WAIT_IN_TASK_S:
        time.sleep(max(seconds, 1.0))
        delivery_send(delivery_id=delivery.pk, wait_in_task=False)


def _failed(delivery: Delivery, error: SendFailed) -> None:
    attempts = delivery.attempts + 1
    given_up = isinstance(error, ChannelGone | MessageRefused) or attempts > len(RETRY_PAUSES)
    due_at = None if given_up else timezone.now() + RETRY_PAUSES[attempts - 1]
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts,
        due_at=due_at,
        status=DeliveryStatus.FAILED if given_up else DeliveryStatus.PENDING,
        last_error=error.reason[:200],
    )
    if isinstance(error, ChannelGone):
        Channel.objects.filter(pk=delivery.channel_id).update(broken_reason=error.reason[:200])
    log = logger.error if given_up else logger.warning
    log(
        "Delivery %s (%s on %s): not sent (attempt %d%s): %s",
        delivery.pk,
        delivery.notification.event,
        delivery.channel.kind,
        attempts,
        ", given up" if given_up else "",
        error.reason,
    )


def deliveries_requeue() -> int:
    """Queue every pending delivery whose time came; how many."""
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, due_at__lte=timezone.now())
    return queue_again(due, due_field="due_at", task=SEND_TASK, name=TASK_NAME)
