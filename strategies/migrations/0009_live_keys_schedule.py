"""The daily schedule that tests again the key of every live run (a key that can withdraw, or
no longer works, stops its runs: strategies.services.live_start)."""

from django.db import migrations
from django.utils import timezone

NAME = "runs: test the keys of live runs again"


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME,
        defaults={
            "func": "strategies.tasks.recheck_live_keys",
            "schedule_type": "D",  # daily
            "repeats": -1,
            "next_run": timezone.now(),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("strategies", "0008_live_runs"), ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]

    operations = [migrations.RunPython(create, remove)]
