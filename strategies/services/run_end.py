"""How every run ends: one state change, its reason kept, and in the same transaction what
must follow it: its owner's notice (an outbox row sent by a task, strategies.notices) and, for
a live run, the duty to cancel what rests at the exchange (strategies.services.live_upkeep).
Nothing here waits for mail or the exchange, so a stop answers at once whatever they do."""

from django.db import transaction
from django.utils import timezone

from noonbarbari.queueing import REQUEUE_AFTER, queue_on_commit
from strategies import notices
from strategies.models import ACTIVE_RUN, RunMode, StrategyRun
from strategies.services import run_messages as messages

# The stops a reconciliation decided: told as such too, to whoever follows those.
MISMATCHES = (messages.UNRECONCILED, messages.ANOTHER_PROGRAM)
CANCEL_TASK = "strategies.tasks.cancel_run_orders"
CANCEL_TASK_NAME = "cancel_run_orders-{pk}"


@transaction.atomic
def end_run(run: StrategyRun, status: str, code: str, **params: object) -> bool:
    """Move an active run to `status` with its reason; False when it had ended already
    (nothing changes, nobody is told twice)."""
    now = timezone.now()
    fields: dict[str, object] = {
        "status": status,
        "stop_code": code,
        "stop_params": params,
        "stopped_at": now,
    }
    live = run.mode == RunMode.LIVE and run.key_id is not None
    if live:
        # The duty is committed with the stop: if the task queued below is lost, the sweep
        # and a starting worker queue it again (cancel_due_at passed).
        fields |= {"cancel_due_at": now + REQUEUE_AFTER, "cancel_attempts": 0, "cancel_problem": ""}
    changed = StrategyRun.objects.filter(pk=run.pk, status__in=ACTIVE_RUN).update(**fields)
    if not changed:
        return False
    run.refresh_from_db()
    if live:  # queued first: the cancels matter more than the news
        queue_on_commit(CANCEL_TASK, run.pk, name=CANCEL_TASK_NAME.format(pk=run.pk))
    notices.run_ended(run)
    if code in MISMATCHES:
        notices.reconciliation(run, "mismatch", run.last_bar_ms or 0)
    return True
