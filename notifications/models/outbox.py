"""The outbox: a `Notification` is written in the transaction that decided its event, with one
`Delivery` per channel that carries it; tasks send the deliveries after the commit, so a
channel that is down never undoes nor delays what happened (a stop, a breach)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.events import Event
from notifications.models.channels import Channel


class Notification(models.Model):
    """One event told to one user. `key` names the event (`fill:<id>`, `run_ended:<id>`): an
    event recorded twice (a tick run again) is told once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=24, choices=Event.choices)
    key = models.CharField(_("key"), max_length=80)
    # What the event's renderer words the message from, in the user's language when it is
    # sent: ids, amounts as strings, codes. Never a secret.
    params = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.key}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Given up")
    DROPPED = "dropped", _("Not sent: switched off")


class Delivery(models.Model):
    """A notification on one channel: sent at least once, retried with a growing pause while
    the channel fails, its `idempotency_key` sent along so that a receiver shows a retry once."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Unlinking a channel drops what it had still to send.
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True)
    status = models.CharField(
        _("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    # Attempts made, counted when an attempt starts: a worker killed while it waits on a
    # slow channel has still used one (the channel cannot hold a delivery for ever).
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # When it should be tried (again); null once sent or given up.
    due_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # The task's ticket: a task carries the turn it was queued for and finds the delivery
    # only if nothing took that turn since (a second copy of it does nothing).
    turn = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    # Why the last attempt failed: a notifications.problems code, and the channel's words.
    error_code = models.CharField(_("problem"), max_length=16, blank=True)
    error_detail = models.CharField(_("details"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            ),
        ]
        indexes = [models.Index(fields=["due_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.notification_id} -> {self.channel_id}"
