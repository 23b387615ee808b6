"""Long work shared fairly: the line of jobs waiting for the long cluster, the candle fills
that backtests wait on, and the rates measured on this site that its estimates rest on.

django-q2 hands tasks out first come, first served: a user who queues ten backtests holds
every long worker until they end. So long work does not go to django-q2 when it is asked
for: it joins this line, and the dispatcher (strategies/services/long_jobs.py) hands a task
to django-q2 only when a worker slot is free, taking users in turn and never more of one
user's jobs at once than LONG_JOBS_PER_USER (a study's folds borrow the workers no other
job may take, one fold's search at a time). A job runs in turns: a backtest in one, a candle
fill in turns of at most LONG_JOB_TURN_S seconds, each followed by a new place in the line.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from strategies.models.candles import CandleSeries


class LongJobKind(models.TextChoices):
    BACKTEST = "backtest", _("Backtest")
    CANDLE_FILL = "candle_fill", _("Candle fill")
    CANDLE_IMPORT = "candle_import", _("Candle import")
    STUDY = "study", _("Study")
    STUDY_FOLD = "study_fold", _("Study fold")


class LongJob(models.Model):
    """One job's place in the line: waiting for a worker, or holding one (dispatched). The row
    goes when the job ends; `target_id` is the row the job works on (a backtest, a fill or an
    import, by `kind`)."""

    kind = models.CharField(max_length=16, choices=LongJobKind.choices)
    target_id = models.BigIntegerField()
    # Whose turn this is: a fill is its first requester's (None: the site's own, the warm
    # market schedule's), so that one user's fills and backtests together respect the limit.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    # When this turn joined the line: a job back from a turn joins at the end.
    queued_at = models.DateTimeField()
    # Set while a worker holds the job; `turn` tells a task handed out twice (a worker lost
    # and its task retried by django-q2 after the sweep gave the job to another) that its
    # turn is over.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    beat_at = models.DateTimeField(null=True, blank=True)  # the running turn was last alive
    turn = models.PositiveIntegerField(default=0)
    lost = models.PositiveSmallIntegerField(default=0)  # turns whose worker went silent
    # Put back in the line while its turn ran (long_job_queue): a turn that ends waiting
    # takes one more turn instead, or the wake-up would be lost.
    woken = models.BooleanField(default=False)
    # Handed a worker beyond its user's LONG_JOBS_PER_USER because nobody else could use it (a
    # study's fold): it does not count against the limit, so the user's other jobs keep theirs.
    borrowed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "target_id"], name="one_place_per_job"),
        ]
        indexes = [models.Index(fields=["dispatched_at", "queued_at"], name="long_job_line")]

    def __str__(self) -> str:
        state = "running" if self.dispatched_at else "waiting"
        return f"{self.kind} {self.target_id} ({state})"


class LineTurn(models.Model):
    """When each user (None: the site) last got a turn of long work: the round robin's memory,
    kept when the user's jobs have all left the line, so that a user whose job just ended
    goes behind the users still waiting, not before them as if never served."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    served_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.owner_id or 'site'} served at {self.served_at}"


class CandleFillStatus(models.TextChoices):
    ACTIVE = "active", _("Fetching")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")  # nobody waits for it any more; what it got stays


class CandleFill(models.Model):
    """Fetching a shared market's candles for the ranges backtests asked for. One active fill
    per series: a second backtest on the same market adds its range to that fill and waits
    with the first. What it fetches is stored page by page (strategies/candles/fetch.py), so a
    fill stopped for any reason (its turn over, cancelled, its worker killed) goes on later
    from what the store holds."""

    series = models.ForeignKey(CandleSeries, on_delete=models.CASCADE, related_name="fills")
    ranges = models.JSONField(default=list)  # [[start, end), ...] ms asked for, merged
    status = models.CharField(
        max_length=12, choices=CandleFillStatus.choices, default=CandleFillStatus.ACTIVE
    )
    # Market time held of the ranges (ms), of all of it: progress that survives every stop.
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)  # requests to the exchange so far
    error_code = models.CharField(max_length=40, blank=True)  # a backtest_errors code
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["series"],
                condition=models.Q(status="active"),
                name="one_active_fill_per_series",
            ),
        ]

    def __str__(self) -> str:
        return f"fill of {self.series} ({self.status})"

    @property
    def percent(self) -> int:
        if self.progress_total <= 0:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))


class MeasuredRate(models.Model):
    """How fast some kind of long work went on this site: the work done and the seconds it
    took, summed over its turns, each older turn weighing less than the next (a moving
    average weighted by time, so that a short turn counts for little). The estimates shown
    before and while a job waits are made of these, never of guesses
    (strategies/selectors/long_job_costs.py names the keys and their units)."""

    key = models.CharField(max_length=120, unique=True)
    amount = models.FloatField()
    seconds = models.FloatField()
    samples = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.per_second:.4g}/s ({self.samples})"

    @property
    def per_second(self) -> float:
        return self.amount / self.seconds
