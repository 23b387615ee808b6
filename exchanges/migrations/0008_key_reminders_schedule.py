"""The daily schedule that reminds owners of old and expiring keys (exchanges.reminders)."""

from django.db import migrations
from django.utils import timezone

NAME = "keys: remind owners of old and expiring keys"


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME,
        defaults={
            "func": "exchanges.tasks.remind_keys",
            "schedule_type": "D",  # daily
            "repeats": -1,
            "next_run": timezone.now(),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0007_key_reminders"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
