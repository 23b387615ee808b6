"""The rates long work goes at on this site, measured at the end of each turn (the keys and
their units are strategies/selectors/long_job_costs.py's)."""

from django.db import transaction

from strategies.models.long_jobs import MeasuredRate

KEPT = 0.8  # of the sums at each new turn: the last few dozen turns count


@transaction.atomic
def rate_record(key: str, amount: float, seconds: float) -> None:
    if seconds <= 0 or amount <= 0:
        return
    rate = MeasuredRate.objects.select_for_update().filter(key=key).first()
    if rate is None:
        MeasuredRate.objects.create(key=key, amount=amount, seconds=seconds, samples=1)
        return
    rate.amount = KEPT * rate.amount + amount
    rate.seconds = KEPT * rate.seconds + seconds
    rate.samples += 1
    rate.save(update_fields=["amount", "seconds", "samples", "updated_at"])
