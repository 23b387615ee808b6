"""How every run ends: one state change, its reason kept, its owner told by email."""

from django.db import transaction
from django.utils import timezone

from strategies.models import ACTIVE_RUN, StrategyRun
from strategies.services import run_emails


def end_run(run: StrategyRun, status: str, code: str, **params: object) -> bool:
    """Move an active run to `status` with its reason, then tell its owner by email; False
    when it had ended already (nothing changes, nobody is told twice)."""
    changed = StrategyRun.objects.filter(pk=run.pk, status__in=ACTIVE_RUN).update(
        status=status, stop_code=code, stop_params=params, stopped_at=timezone.now()
    )
    if not changed:
        return False
    run.refresh_from_db()
    transaction.on_commit(lambda: run_emails.send_run_ended(run))
    return True
