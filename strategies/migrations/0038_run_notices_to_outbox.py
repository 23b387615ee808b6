"""Run notices move to the notifications app's outbox: each notice not sent yet becomes the
same event there, to the owner's email channel (made with its default events if the owner has
none), so nothing a stop decided before the upgrade is lost. The old table stays one release
(strategies.models.notices says why)."""

import uuid

from django.db import migrations
from django.utils import timezone

EMAIL_DEFAULTS = ["run_ended", "risk", "reconciliation", "key"]


def forward(apps, schema_editor):
    notice_model = apps.get_model("strategies", "RunNotice")
    channel_model = apps.get_model("notifications", "Channel")
    notification_model = apps.get_model("notifications", "Notification")
    delivery_model = apps.get_model("notifications", "Delivery")
    for notice in notice_model.objects.filter(sent_at__isnull=True, due_at__isnull=False):
        owner_id = notice.run.owner_id
        channel, _created = channel_model.objects.get_or_create(
            user_id=owner_id, kind="email", defaults={"events": EMAIL_DEFAULTS, "id": uuid.uuid4()}
        )
        notification, created = notification_model.objects.get_or_create(
            user_id=owner_id,
            key=f"run_ended:{notice.run_id}",
            defaults={"event": "run_ended", "params": {"run": notice.run_id}},
        )
        if created:
            delivery_model.objects.create(
                notification=notification,
                channel=channel,
                idempotency_key=uuid.uuid4(),
                due_at=timezone.now(),  # the minute sweep queues it
            )
        notice.sent_at = timezone.now()  # forwarded: the old sweep must not send it too
        notice.save(update_fields=["sent_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("strategies", "0037_safety_orders"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
