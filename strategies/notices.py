"""What a run tells its owner through their notification channels: each event recorded in the
transaction that decided it (notifications' outbox), worded when it is sent
(strategies.services.run_events). A module of its own so the broker, the run services and the
tick can all record without importing each other."""

from notifications.events import Event
from notifications.services.outbox import notify
from strategies.models import RunFill, StrategyRun


def run_started(run: StrategyRun) -> None:
    notify(
        user=run.owner, event=Event.RUN_STARTED, key=f"run_started:{run.pk}", params={"run": run.pk}
    )


def run_ended(run: StrategyRun) -> None:
    notify(user=run.owner, event=Event.RUN_ENDED, key=f"run_ended:{run.pk}", params={"run": run.pk})


def fill_recorded(fill: RunFill) -> None:
    """A live run's fill, as the exchange reported it (entries, exits, stops, targets)."""
    notify(
        user=fill.run.owner,
        event=Event.FILL,
        key=f"fill:{fill.pk}",
        params={"run": fill.run_id, "fill": fill.pk},
    )
