"""The schedule that ends the connection tests no worker finished in time, whoever looks:
a new secret whose test was lost is discarded, never left waiting (exchanges.tasks)."""

from django.db import migrations
from django.utils import timezone

NAME = "keys: end connection tests no worker finished in time"


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME,
        defaults={
            "func": "exchanges.tasks.expire_stale_tests",
            "schedule_type": "I",  # every `minutes`
            "minutes": 5,
            "repeats": -1,
            "next_run": timezone.now(),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0009_key_replacements"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
