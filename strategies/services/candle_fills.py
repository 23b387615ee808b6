"""Candle fills: a shared market's missing candles fetched as long work of their own, so that
a backtest waits for its candles without holding a worker, and one fill serves every backtest
that needs the same market (strategies/models/long_jobs.py).

candle_fill_request(*, series, start, end, owner_id) -> CandleFill | None
        None when [start, end) is held already; else the market's active fill, with the
        range added to what it fetches, in the line
candle_fill_turn(fill_id, deadline) -> Turn
        fetches until the deadline (AGAIN), the end (DONE: the backtests waiting are put in
        the line) or a failure (DONE: they fail with the fill's reason)
candle_fill_forsake(*, fill_id)
        nobody waits for it any more: it stops (what it stored stays, for the next one)
candle_fill_lost(fill_id)
        its workers kept being lost: it ends as failed, and so do its backtests
"""

import logging
import time

import ccxt
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_q.exceptions import TimeoutException

from strategies.candles.fetch import candles_fill
from strategies.candles.ranges import Range, merged, missing
from strategies.models import Backtest, CandleSeries
from strategies.models.backtests import ACTIVE
from strategies.models.long_jobs import CandleFill, CandleFillStatus, LongJob, LongJobKind
from strategies.selectors.long_job_line import time_limit_minutes
from strategies.series import timeframe_ms
from strategies.services import backtest_errors as errors
from strategies.services.backtest_rows import fail
from strategies.services.long_jobs import Turn, long_job_beat, long_job_drop, long_job_queue
from strategies.services.measured_rates import rate_record

logger = logging.getLogger(__name__)

PROGRESS_EVERY_S = 1.0


class TurnOver(Exception):
    """The fill's turn has run its time: the worker goes to whoever waits next."""


class Forsaken(Exception):
    """The fill ended elsewhere (nobody waits for it any more) while it ran."""


def candle_fill_request(
    *, series: CandleSeries, start: int, end: int, owner_id: int | None
) -> CandleFill | None:
    if not missing(series.coverage, start, end):
        return None
    for _attempt in range(2):
        try:
            return _join_or_open(series, (start, end), owner_id)
        except IntegrityError:  # another request opened the market's fill at the same time
            continue
    raise RuntimeError(f"No fill could be opened for {series}")


@transaction.atomic
def _join_or_open(series: CandleSeries, wanted: Range, owner_id: int | None) -> CandleFill:
    fill = (
        CandleFill.objects.select_for_update()
        .filter(series=series, status=CandleFillStatus.ACTIVE)
        .first()
    )
    if fill is None:
        fill = CandleFill.objects.create(series=series, ranges=[list(wanted)])
    else:
        fill.ranges = [list(r) for r in merged([*map(tuple, fill.ranges), wanted])]
    fill.progress_done, fill.progress_total = _held_of(series.coverage, fill.ranges)
    fill.save(update_fields=["ranges", "progress_done", "progress_total"])
    long_job_queue(kind=LongJobKind.CANDLE_FILL, target_id=fill.pk, owner_id=owner_id)
    return fill


def _held_of(coverage: list, ranges: list) -> tuple[int, int]:
    """(market time held, market time asked for) over the fill's ranges, in ms."""
    total = sum(end - start for start, end in ranges)
    lacking = sum(b - a for start, end in ranges for a, b in missing(coverage, start, end))
    return total - lacking, total


def candle_fill_turn(fill_id: int, deadline: float) -> Turn:
    fill = (
        CandleFill.objects.select_related("series__exchange")
        .filter(pk=fill_id, status=CandleFillStatus.ACTIVE)
        .first()
    )
    if fill is None:
        return Turn.DONE
    exchange = fill.series.exchange
    if exchange is None:  # only an exchange's shared series is ever filled
        _end(fill, CandleFillStatus.FAILED, errors.NO_MARKET)
        return Turn.DONE
    watch = TurnWatch(fill, exchange.ccxt_id, deadline)
    try:
        for start, end in fill.ranges:
            candles_fill(
                exchange=exchange,
                symbol=fill.series.symbol,
                timeframe=fill.series.timeframe,
                start=start,
                end=end,
                progress=watch.progress,
                on_page=watch.page,
                on_request=watch.request,
            )
    except TurnOver:
        watch.close()
        return Turn.AGAIN
    except Forsaken:
        watch.close()
        return Turn.DONE
    except TimeoutException:
        watch.close()
        _end(fill, CandleFillStatus.FAILED, errors.TIME_LIMIT)
        raise
    except ccxt.BaseError as error:
        logger.warning("Candle fill %s: %s %s", fill.pk, type(error).__name__, error)
        watch.close()
        _end(fill, CandleFillStatus.FAILED, errors.exchange_error_code(error))
        return Turn.DONE
    except Exception:  # a bug of ours: its backtests get a sentence, the log the traceback
        logger.exception("Candle fill %s failed in our code", fill.pk)
        _end(fill, CandleFillStatus.FAILED, errors.OURS)
        return Turn.DONE
    watch.close()
    return _done_unless_joined(fill)


@transaction.atomic
def _done_unless_joined(fill: CandleFill) -> Turn:
    """The fill's ranges are held: it ends, unless a backtest added a range while this turn
    ran (under the row lock that joining takes too), which the next turn fetches."""
    current = (
        CandleFill.objects.select_for_update()
        .filter(pk=fill.pk, status=CandleFillStatus.ACTIVE)
        .first()
    )
    if current is None:
        return Turn.DONE
    if current.ranges != fill.ranges:
        return Turn.AGAIN
    _end(current, CandleFillStatus.DONE)
    return Turn.DONE


class TurnWatch:
    """A fill's turn as it goes: each request counted (and the line's heartbeat written at most
    once a second), the progress written at most once a second, each page timed for the
    measured rates, and the turn stopped at its deadline or as soon as the fill ended
    elsewhere."""

    def __init__(self, fill: CandleFill, exchange: str, deadline: float) -> None:
        self.fill, self.exchange, self.deadline = fill, exchange, deadline
        self.base_done = fill.progress_done
        self.written_at = self.page_at = self.beaten_at = time.monotonic()
        self.requests = 0
        self.made: dict[str, list[float]] = {}  # how made -> [amount, seconds]
        self.series = fill.series
        self.bar_ms = timeframe_ms(self.series.timeframe)

    def progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.written_at >= PROGRESS_EVERY_S or now >= self.deadline:
            self.written_at = now
            self._write(min(self.fill.progress_total, self.base_done + done))
        if now >= self.deadline and done < total:  # (done == total: this range is all held)
            raise TurnOver()

    def request(self) -> None:
        """Before every request. (A turn ends only after a page is stored: a walk through
        empty pages stores nothing until its end.)"""
        self.requests += 1
        now = time.monotonic()
        if now - self.beaten_at >= PROGRESS_EVERY_S:
            self.beaten_at = now
            long_job_beat(kind=LongJobKind.CANDLE_FILL, target_id=self.fill.pk)

    def page(self, made: str, covered: Range) -> None:
        now = time.monotonic()
        amount = (covered[1] - covered[0]) / (self.bar_ms if made == "candles" else 1)
        seen = self.made.setdefault(made, [0.0, 0.0])
        seen[0] += amount
        seen[1] += now - self.page_at
        self.page_at = now

    def _write(self, done: int) -> None:
        changed = CandleFill.objects.filter(pk=self.fill.pk, status=CandleFillStatus.ACTIVE).update(
            progress_done=done
        )
        if not changed:
            raise Forsaken()

    def close(self) -> None:
        """The turn's end: its progress and requests written, its rates measured."""
        self.series.refresh_from_db(fields=["coverage"])
        done, _total = _held_of(self.series.coverage, self.fill.ranges)
        CandleFill.objects.filter(pk=self.fill.pk, status=CandleFillStatus.ACTIVE).update(
            progress_done=done, requests=self.fill.requests + self.requests
        )
        exchange = self.exchange
        if "candles" in self.made:
            rate_record(f"candles:{exchange}", *self.made["candles"])
        if "trades" in self.made:
            rate_record(f"trades:{exchange}:{self.series.symbol}", *self.made["trades"])
            rate_record(f"trades:{exchange}", *self.made["trades"])


@transaction.atomic
def _end(fill: CandleFill, status: str, code: str = "") -> None:
    """The fill ends: the backtests waiting on it go on (in the line) or fail with its reason."""
    ended = CandleFill.objects.filter(pk=fill.pk, status=CandleFillStatus.ACTIVE).update(
        status=status, error_code=code, finished_at=timezone.now()
    )
    if not ended:
        return
    waiting = Backtest.objects.select_related("exchange").filter(fill=fill, status__in=ACTIVE)
    for backtest in waiting:
        if status == CandleFillStatus.DONE:
            long_job_queue(
                kind=LongJobKind.BACKTEST, target_id=backtest.pk, owner_id=backtest.owner_id
            )
        elif code == errors.TIME_LIMIT:
            fail(backtest, code, minutes=time_limit_minutes(), kept=_percent(fill))
        else:
            fail(backtest, code or errors.INTERRUPTED)


def _percent(fill: CandleFill) -> int:
    fill.refresh_from_db(fields=["progress_done", "progress_total"])
    return fill.percent


@transaction.atomic
def candle_fill_forsake(*, fill_id: int) -> None:
    """Stop the fill if no backtest waits for it any more (and the site did not ask for it:
    the warm-market schedule's fills go on whoever joined them). The fill's row is locked
    first, as joining locks it: a backtest joining meanwhile is seen, or joins after."""
    fill = (
        CandleFill.objects.select_for_update()
        .filter(pk=fill_id, status=CandleFillStatus.ACTIVE)
        .first()
    )
    if fill is None or Backtest.objects.filter(fill_id=fill_id, status__in=ACTIVE).exists():
        return
    line = LongJob.objects.filter(kind=LongJobKind.CANDLE_FILL, target_id=fill_id)
    if line.filter(owner__isnull=True).exists():
        return
    CandleFill.objects.filter(pk=fill_id).update(
        status=CandleFillStatus.CANCELLED, finished_at=timezone.now()
    )
    long_job_drop(kind=LongJobKind.CANDLE_FILL, target_id=fill_id)


def candle_fill_lost(fill_id: int) -> None:
    fill = CandleFill.objects.filter(pk=fill_id).first()
    if fill is not None:
        _end(fill, CandleFillStatus.FAILED, errors.INTERRUPTED)
