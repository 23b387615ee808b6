"""The hourly schedule that sends the daily summaries whose hour it is, in each user's time
zone (strategies.services.daily_summaries)."""

from django.db import migrations
from django.utils import timezone

NAME = "runs: the daily summaries whose hour it is"


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME,
        defaults={
            "func": "strategies.tasks.send_daily_summaries",
            "schedule_type": "H",  # every hour
            "repeats": -1,
            "next_run": timezone.now().replace(minute=0, second=5, microsecond=0),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("strategies", "0039_risk_governor"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
