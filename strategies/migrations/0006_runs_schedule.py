"""The one schedule that ticks every run: each minute, a fan-out to the markets with a due run
(django-q2 keeps the minute's alignment; its default cluster runs it)."""

from django.db import migrations
from django.utils import timezone

NAME = "runs: tick the runs whose bar has closed"


def create(apps, schema_editor):
    schedule = apps.get_model("django_q", "Schedule")
    first = timezone.now().replace(second=1, microsecond=0)
    schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": "strategies.tasks.fan_out_runs",
            "schedule_type": "I",  # every `minutes`
            "minutes": 1,
            "repeats": -1,
            "next_run": first,
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("strategies", "0005_strategy_runs"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
