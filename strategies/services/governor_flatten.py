"""A loss limit's breach closes the positions when its owner chose so: each live run under the
limits that was running when the breach was found is flattened (closed at market by its own
task, then stopped). Done once: a breach cleared since, or flattened already, is left alone,
and a run started after the breach is not touched."""

from django.db import transaction
from django.utils import timezone

from strategies.models import RiskBreach, RunStatus
from strategies.services.governor import live_runs_under
from strategies.services.runs import strategy_run_flatten


def flatten_for_breach(*, breach_id: int) -> int:
    """Flatten the live runs the breach found running; how many were asked to."""
    with transaction.atomic():
        breach = (
            RiskBreach.objects.open()
            .select_for_update()
            .select_related("limits")
            .filter(pk=breach_id, flattened=True, flattened_at__isnull=True)
            .first()
        )
        if breach is None:
            return 0
        runs = live_runs_under(breach.limits).filter(
            status=RunStatus.RUNNING, created_at__lte=breach.at
        )
        asked = sum(strategy_run_flatten(run=run) for run in runs)
        breach.flattened_at = timezone.now()
        breach.save(update_fields=["flattened_at"])
    return asked
