"""Writes to the risk limits: set by their owner, where loosening one (a higher limit, a limit
removed, a day moved, positions no longer closed) needs a fresh code from the authenticator
app, as anything that lets more money be lost does; tightening never does. A drawdown's
breach ends only when its owner re-arms the limit, with a code too."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.two_factor import fresh_app_code_ok
from exchanges.models import ExchangeKey
from strategies.models import BreachKind, RiskBreach, RiskLimits
from strategies.services.governor import governor_check

CEILINGS = ("max_drawdown_pct", "daily_loss_limit", "max_exposure", "max_live_runs")
CODE = _(
    "This change loosens a limit: type a fresh code from your authenticator app (backup "
    "codes do not count here)."
)
REARM_CODE = _("Type a fresh code from your authenticator app to re-arm the limit.")


class LimitsRefused(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def loosens(row: RiskLimits | None, new: dict) -> bool:
    """Whether `new` lets more be lost than `row` did (no row: nothing was limited)."""
    if row is None:
        return False
    for field in CEILINGS:
        before, after = getattr(row, field), new[field]
        if before is not None and (after is None or after > before):
            return True
    if row.flatten_on_breach and not new["flatten_on_breach"]:
        return True
    day_moved = (row.day_starts_at, row.time_zone) != (new["day_starts_at"], new["time_zone"])
    amounts = row.daily_loss_limit is not None or row.max_exposure is not None
    return (row.daily_loss_limit is not None and day_moved) or (
        amounts and row.currency != new["currency"]
    )


def risk_limits_save(
    *, owner: User, key: ExchangeKey | None, values: dict, code: str
) -> RiskLimits:
    """Set the account's (`key` None) or the key's limits; LimitsRefused("code") when they
    loosen and the code is not a fresh one. Checked at once: a tighter limit may already be
    crossed. The code is checked outside the write: a wrong one's count (django-otp's
    lock-out) must be kept, not rolled back with the refusal."""
    current = RiskLimits.objects.filter(owner=owner, key=key).first()
    code_ok = loosens(current, values) and fresh_app_code_ok(owner, code)
    return _limits_write(owner=owner, key=key, values=values, code_ok=code_ok)


@transaction.atomic
def _limits_write(
    *, owner: User, key: ExchangeKey | None, values: dict, code_ok: bool
) -> RiskLimits:
    row = RiskLimits.objects.select_for_update().filter(owner=owner, key=key).first()
    if loosens(row, values) and not code_ok:  # (checked again: the row may have changed)
        raise LimitsRefused("code", str(CODE))
    row = row or RiskLimits(owner=owner, key=key)
    for field in RiskLimits.FIELDS:
        setattr(row, field, values[field])
    row.save()
    governor_check(row.pk)
    return row


def risk_limits_rearm(*, owner: User, breach_id: int, code: str) -> bool:
    """End a drawdown's breach and measure the drawdown afresh from now; False when there is
    no such open breach of the owner's. The code is checked outside the write (see above)."""
    if not _drawdown_breaches(owner, breach_id).exists():
        return False
    if not fresh_app_code_ok(owner, code):
        raise LimitsRefused("code", str(REARM_CODE))
    return _rearm(owner, breach_id)


def _drawdown_breaches(owner: User, breach_id: int):
    return RiskBreach.objects.open().filter(
        pk=breach_id, limits__owner=owner, kind=BreachKind.DRAWDOWN
    )


@transaction.atomic
def _rearm(owner: User, breach_id: int) -> bool:
    breach = _drawdown_breaches(owner, breach_id).select_for_update().first()
    if breach is None:
        return False
    breach.cleared_at = timezone.now()
    breach.save(update_fields=["cleared_at"])
    RiskLimits.objects.filter(pk=breach.limits_id).update(index=1.0, peak_index=1.0)
    return True
