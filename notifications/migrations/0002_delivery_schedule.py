"""The one schedule that sends what is due again: each minute, every delivery whose pause after
a failure (or whose task, lost with a worker) has run out is queued."""

from django.db import migrations
from django.utils import timezone

NAME = "notifications: send the deliveries whose time came"


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME,
        defaults={
            "func": "notifications.tasks.requeue_deliveries",
            "schedule_type": "I",  # every `minutes`
            "minutes": 1,
            "repeats": -1,
            "next_run": timezone.now().replace(second=31, microsecond=0),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial"), ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
