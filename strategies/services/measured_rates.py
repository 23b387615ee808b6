"""The rates long work goes at on this site, measured at the end of each turn (the keys and
their units are strategies/selectors/long_job_costs.py's)."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from strategies.models.long_jobs import MeasuredRate

KEPT = 0.8  # of the sums at each new turn: the last few dozen turns count


def rate_record(key: str, amount: float, seconds: float) -> None:
    """One turn's measurement folded into the rate `key` (one UPDATE: two workers at once each
    count; the first turn ever creates the row, and a second creating it meanwhile updates)."""
    if seconds <= 0 or amount <= 0:
        return
    if _fold(key, amount, seconds):
        return
    try:
        with transaction.atomic():
            MeasuredRate.objects.create(key=key, amount=amount, seconds=seconds, samples=1)
    except IntegrityError:  # created by another worker meanwhile
        _fold(key, amount, seconds)


def _fold(key: str, amount: float, seconds: float) -> bool:
    return bool(
        MeasuredRate.objects.filter(key=key).update(
            amount=F("amount") * KEPT + amount,
            seconds=F("seconds") * KEPT + seconds,
            samples=F("samples") + 1,
            updated_at=timezone.now(),
        )
    )
