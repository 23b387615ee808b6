"""What a run tells its owner through their notification channels: each event recorded in the
transaction that decided it (notifications' outbox), worded when it is sent
(strategies.services.run_events). A module of its own so the broker, the run services and the
tick can all record without importing each other."""

from notifications.events import Event
from notifications.services.channels import preferences_of
from notifications.services.outbox import notify
from strategies.models import RunFill, RunOrder, StrategyRun


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


def reconciliation(run: StrategyRun, what: str, bar_ms: int, **params: object) -> None:
    """The account does not match the run (it stopped), or trades no run placed were found."""
    notify(
        user=run.owner,
        event=Event.RECONCILIATION,
        key=f"reconciliation:{run.pk}:{what}:{bar_ms}",
        params={"run": run.pk, "what": what, **params},
    )


def drift_if_beyond(run: StrategyRun, order: RunOrder) -> None:
    """A live order now beside its paper twin: told when its price cost more than the
    owner's threshold (a buy dearer, a sale cheaper than paper)."""
    fill = order.fills.first()
    if fill is None or not order.paper_price:
        return
    sign = 1 if order.action == "buy" else -1
    cost_pct = 100.0 * sign * (fill.price - order.paper_price) / order.paper_price
    if cost_pct <= float(preferences_of(run.owner).drift_threshold_pct):
        return
    notify(
        user=run.owner,
        event=Event.DRIFT,
        key=f"drift:{order.pk}",
        params={"run": run.pk, "order": order.pk, "cost_pct": round(cost_pct, 4)},
    )


def daily_summary(user, day: str) -> None:
    """The day's summary of the user's runs (`day`: the local date it is about)."""
    notify(user=user, event=Event.DAILY, key=f"daily:{day}", params={"day": day, "user": user.pk})
