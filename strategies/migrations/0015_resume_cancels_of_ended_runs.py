"""Ended live runs that still have order rows open or in flight (stopped before the cancel duty
existed, some while their cancel failed) get the duty now: the first sweep or worker start
cancels what rests and asks the exchange to confirm."""

from django.db import migrations
from django.utils import timezone

ENDED = ("stopped", "failed")
UNSETTLED = ("open", "in_flight")


def resume_cancels(apps, schema_editor) -> None:
    StrategyRun = apps.get_model("strategies", "StrategyRun")
    RunOrder = apps.get_model("strategies", "RunOrder")
    runs = RunOrder.objects.filter(status__in=UNSETTLED).values("run")
    StrategyRun.objects.filter(
        pk__in=runs, mode="live", key__isnull=False, status__in=ENDED, cancel_due_at__isnull=True
    ).update(cancel_due_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("strategies", "0014_stop_duties")]

    operations = [migrations.RunPython(resume_cancels, migrations.RunPython.noop)]
