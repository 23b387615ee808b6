"""Where a job stands in the line of long work, and when it should start and end: the line's
own rules (strategies/services/long_jobs.py: free slots, users in turn, the per-user limit,
fills in turns) played forward over the jobs in it, each costing what the rates measured on
this site say (strategies/selectors/long_job_costs.py). A job whose cost was never
measured counts as one turn, and every estimate behind it says it is a lower bound.

period_cost(exchange, symbol, timeframe, start, end) -> PeriodCost
                                           what a backtest of that period will cost
line_places(now=None) -> {LongJob pk: Place}
backtest_wait(backtest) -> Place | None    a queued or fetching backtest's place and times
"""

import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from exchanges.models import Exchange
from strategies.models import (
    Backtest,
    BacktestStatus,
    CandleFill,
    CandleFillStatus,
    CandleImport,
    CandleSeries,
    LongJob,
    LongJobKind,
)
from strategies.selectors.long_job_costs import (
    FillCost,
    Rates,
    backtest_seconds,
    fill_cost,
    measured_rates,
    rate_of,
)
from strategies.selectors.long_job_line import (
    BORROWING_KINDS,
    last_served,
    round_robin,
    slots,
    turn_seconds,
)
from strategies.series import timeframe_ms

MAX_STEPS = 5000  # turns played forward at most (a year-long fill is about a hundred)


@dataclass(frozen=True)
class PeriodCost:
    """Of a backtest's period (whole UTC days): its candles' fill and the simulation,
    in seconds (None: not measured yet)."""

    fill: FillCost
    simulate: float | None

    @property
    def seconds(self) -> float | None:
        if self.fill.seconds is None or self.simulate is None:
            return None
        return self.fill.seconds + self.simulate


def period_cost(
    exchange: Exchange, symbol: str, timeframe: str, start_ms: int, end_ms: int
) -> PeriodCost:
    bar_ms, rates = timeframe_ms(timeframe), measured_rates()
    series = _series_of(exchange, symbol, timeframe)
    fill = fill_cost(series, start_ms, end_ms, int(time.time() * 1000), rates)
    return PeriodCost(fill, backtest_seconds((end_ms - start_ms) // bar_ms, rates))


def _series_of(exchange: Exchange, symbol: str, timeframe: str) -> CandleSeries:
    """The market's shared series, or an empty one (nothing held yet), not saved."""
    found = CandleSeries.objects.filter(
        exchange=exchange, owner=None, symbol=symbol, timeframe=timeframe
    ).first()
    return found or CandleSeries(exchange=exchange, symbol=symbol, timeframe=timeframe)


@dataclass(frozen=True)
class Place:
    """`position` in the line (1: the next to get a worker; 0: a worker holds it now), and
    seconds from now until it starts and ends (None: not known); `lower_bound`: some job
    on the way was never measured, so it may well take longer."""

    position: int
    starts_in: float | None
    ends_in: float | None
    lower_bound: bool


@dataclass
class _Job:
    pk: int
    owner: int | None
    queued: float  # seconds from now (negative: already waiting)
    left: float  # seconds of work
    in_turns: bool  # given back after each turn (a fill)
    measured: bool
    running: bool = False  # a worker holds it now
    borrows: bool = False  # it may borrow a worker beyond the per-user limit (a study's fold)
    borrowed: bool = False  # it holds a worker so borrowed
    started: float | None = None
    ended: float | None = None
    behind_unmeasured: bool = False


def line_places(now: datetime | None = None) -> dict[int, Place]:
    now = now or timezone.now()
    now_ms = int(now.timestamp() * 1000)
    jobs, running, rates = [], [], measured_rates()
    served = {owner: (at - now).total_seconds() for owner, at in last_served().items()}
    for row in LongJob.objects.order_by("queued_at", "pk"):
        seconds = job_seconds(row, now_ms, rates)
        job = _Job(
            pk=row.pk,
            owner=row.owner_id,
            queued=(row.queued_at - now).total_seconds(),
            left=seconds if seconds is not None else turn_seconds(),
            in_turns=row.kind == LongJobKind.CANDLE_FILL,
            measured=seconds is not None,
            borrows=row.kind in BORROWING_KINDS,
            borrowed=row.borrowed and row.dispatched_at is not None,
        )
        jobs.append(job)
        if row.dispatched_at is not None:
            elapsed = (now - row.dispatched_at).total_seconds()
            turn = job.left if not job.in_turns else max(1.0, turn_seconds() - elapsed)
            running.append((min(job.left, turn), job))
            job.started, job.running = 0.0, True
    return _played_forward(jobs, running, served)


def _played_forward(jobs: list[_Job], running: list, served: dict) -> dict[int, Place]:
    clock, busy = 0.0, []  # busy: [(ends at, job)]
    for turn, job in running:
        busy.append((turn, job))
        job.left -= turn
    waiting = [job for job in jobs if job.started is None]
    unmeasured_seen = any(not job.measured for _turn, job in busy)
    order_of_start: list[_Job] = []
    for _step in range(MAX_STEPS):
        ready = [job for job in waiting if job.queued <= clock]
        if len(busy) < slots() and ready:
            job = _next(ready, busy, served)
            if job is not None:
                turn = min(job.left, turn_seconds()) if job.in_turns else job.left
                if job.started is None:
                    job.started = clock
                    job.behind_unmeasured = unmeasured_seen
                    order_of_start.append(job)
                unmeasured_seen = unmeasured_seen or not job.measured
                waiting.remove(job)
                busy.append((clock + turn, job))
                served[job.owner] = clock
                job.left -= turn
                continue
        if not busy:
            break
        busy.sort(key=lambda item: item[0])
        clock, job = busy.pop(0)
        if job.left > 1e-9:
            job.queued = clock
            waiting.append(job)
        else:
            job.ended = clock
    return {job.pk: _place(job, order_of_start) for job in jobs}


def _next(ready: list[_Job], busy: list, served: dict) -> _Job | None:
    """The job the dispatcher would hand out now (the per-user limit skips users at it, and a
    study's fold borrows the worker when nobody else could take it)."""
    holding: dict[int | None, int] = {}
    for _end, job in busy:
        holding[job.owner] = holding.get(job.owner, 0) + (not job.borrowed)
    ordered = round_robin(
        sorted(ready, key=lambda job: (job.queued, job.pk)),
        owner=lambda job: job.owner,
        served=lambda owner: served.get(owner, float("-inf")),
    )
    limit = settings.LONG_JOBS_PER_USER
    job = next((job for job in ordered if holding.get(job.owner, 0) < limit), None)
    if job is not None:
        job.borrowed = False
        return job
    job = next((job for job in ordered if job.borrows), None)
    if job is not None:
        job.borrowed = True
    return job


def _place(job: _Job, order_of_start: list[_Job]) -> Place:
    if job.running:
        position = 0
    elif job in order_of_start:
        position = order_of_start.index(job) + 1
    else:  # not reached within MAX_STEPS
        position = len(order_of_start) + 1
    lower = job.behind_unmeasured or not job.measured
    return Place(position, job.started, job.ended, lower)


def job_seconds(job: LongJob, now_ms: int, rates: Rates) -> float | None:
    """The work the job has left, in seconds (None: never measured on this site)."""
    if job.kind == LongJobKind.CANDLE_FILL:
        fill = CandleFill.objects.select_related("series__exchange").filter(pk=job.target_id)
        found = fill.first()
        return None if found is None else _fill_seconds(found, now_ms, rates)
    if job.kind == LongJobKind.BACKTEST:
        backtest = Backtest.objects.select_related("exchange", "fill").filter(pk=job.target_id)
        found_backtest = backtest.first()
        return None if found_backtest is None else _backtest_seconds(found_backtest, now_ms, rates)
    if job.kind != LongJobKind.CANDLE_IMPORT:
        return None  # a study's jobs: no rate of theirs is measured yet
    size = CandleImport.objects.filter(pk=job.target_id).values_list("size", flat=True).first()
    per_second = rate_of("import", rates=rates)
    return None if size is None or per_second is None else size / per_second


def _fill_seconds(fill: CandleFill, now_ms: int, rates: Rates) -> float | None:
    total = 0.0
    for start, end in fill.ranges:
        seconds = fill_cost(fill.series, start, end, now_ms, rates).seconds
        if seconds is None:
            return None
        total += seconds
    return total


def _backtest_seconds(backtest: Backtest, now_ms: int, rates: Rates) -> float | None:
    """Its candles' fill (unless already fetched for it) and its simulation."""
    bars = (backtest.end_ms - backtest.start_ms) // _bar_ms(backtest)
    simulate = backtest_seconds(bars, rates)
    if backtest.exchange is None or (
        backtest.fill is not None and backtest.fill.status == CandleFillStatus.DONE
    ):
        return simulate
    series = _series_of(backtest.exchange, backtest.symbol, backtest.timeframe)
    fetch = fill_cost(series, backtest.start_ms, backtest.end_ms, now_ms, rates).seconds
    return None if fetch is None or simulate is None else fetch + simulate


def _bar_ms(backtest: Backtest) -> int:
    return timeframe_ms(backtest.timeframe)


def backtest_wait(backtest: Backtest) -> Place | None:
    """A queued backtest's place; a fetching one's is its fill's (then its simulation)."""
    if not backtest.running:
        return None
    places = line_places()
    mine = LongJob.objects.filter(kind=LongJobKind.BACKTEST, target_id=backtest.pk).first()
    if mine is not None:
        return places.get(mine.pk)
    fill = backtest.fill
    if backtest.status != BacktestStatus.FETCHING or fill is None:
        return None
    if fill.status != CandleFillStatus.ACTIVE:
        return None
    job = LongJob.objects.filter(kind=LongJobKind.CANDLE_FILL, target_id=fill.pk).first()
    place = places.get(job.pk) if job else None
    if place is None:
        return None
    simulate = backtest_seconds((backtest.end_ms - backtest.start_ms) // _bar_ms(backtest))
    ends = None if place.ends_in is None or simulate is None else place.ends_in + simulate
    return Place(place.position, place.starts_in, ends, place.lower_bound or simulate is None)
