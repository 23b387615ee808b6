"""A loss limit's breach closes the positions when its owner chose so: each active live run
under the limits is flattened (closed at market by its own task, then stopped). Idempotent:
a run already ending is left as it is."""

from strategies.models import RiskBreach, RunStatus
from strategies.services.governor import live_runs_under
from strategies.services.runs import strategy_run_flatten


def flatten_for_breach(*, breach_id: int) -> int:
    """Flatten every active live run under the breach's limits; how many were asked to."""
    breach = RiskBreach.objects.select_related("limits").filter(pk=breach_id).first()
    if breach is None or not breach.flattened:
        return 0
    runs = live_runs_under(breach.limits).filter(status=RunStatus.RUNNING)
    return sum(strategy_run_flatten(run=run) for run in runs)
