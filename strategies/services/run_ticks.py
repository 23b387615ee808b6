"""Ticking runs: one schedule, one candle fetch per market and bar, one tick per run.

runs_fan_out()        the minute schedule: for every market with a run whose next bar has
                      closed, one market task (a run is queued once per bar)
run_market_tick(...)  fetches the market's new candles once into the shared store, then
                      queues a tick for each of its runs
run_tick(...)         evaluates one run through a closed bar and records it; idempotent
"""

import logging
import time
from collections import defaultdict
from datetime import timedelta

import ccxt
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from exchanges.models import Exchange
from strategies import rules
from strategies.brokers.paper import paper_evaluate
from strategies.candles.fetch import candles_fill
from strategies.candles.funding import funding_fill
from strategies.models import RunMode, RunStatus, StrategyRun
from strategies.series import timeframe_ms
from strategies.services import run_messages as messages
from strategies.services import run_records
from strategies.services.live_ticks import live_tick
from strategies.services.run_end import end_run

logger = logging.getLogger(__name__)

MARKET_TASK = "strategies.tasks.tick_market"
TICK_TASK = "strategies.tasks.tick_run"
# A run queued this long ago whose tick has not happened is queued again (its market task
# failed to fetch, or was lost with its broker).
REQUEUE_AFTER = timedelta(minutes=2)
TICKED = (RunStatus.RUNNING, RunStatus.STOPPING)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _due(runs, bar_ms: int):
    """Runs whose bar opening at `bar_ms` has closed and is not ticked yet."""
    return runs.filter(status__in=TICKED, start_ms__lte=bar_ms).filter(
        Q(last_bar_ms__isnull=True) | Q(last_bar_ms__lt=bar_ms)
    )


def runs_fan_out(*, now_ms: int | None = None) -> int:
    """Queue one market task per market with a due run; how many were queued."""
    now_ms = _now_ms() if now_ms is None else now_ms
    now = timezone.now()
    queued = 0
    timeframes = StrategyRun.objects.filter(status__in=TICKED).values_list("timeframe", flat=True)
    for timeframe in sorted(set(timeframes)):
        bar_ms = timeframe_ms(timeframe)
        due_bar = now_ms // bar_ms * bar_ms - bar_ms  # the last closed bar's open
        due = _due(StrategyRun.objects.filter(timeframe=timeframe), due_bar).exclude(
            queued_bar_ms=due_bar, queued_at__gt=now - REQUEUE_AFTER
        )
        markets: dict[tuple[int, str], list[int]] = defaultdict(list)
        for pk, exchange_id, symbol in due.values_list("pk", "exchange_id", "symbol"):
            markets[exchange_id, symbol].append(pk)
        if not markets:
            continue
        pks = [pk for group in markets.values() for pk in group]
        StrategyRun.objects.filter(pk__in=pks).update(queued_bar_ms=due_bar, queued_at=now)
        for exchange_id, symbol in markets:
            async_task(
                MARKET_TASK,
                exchange_id,
                symbol,
                timeframe,
                due_bar,
                task_name=f"runs-market-{exchange_id}-{symbol}-{timeframe}-{due_bar}",
            )
            queued += 1
    return queued


def run_market_tick(*, exchange_id: int, symbol: str, timeframe: str, bar_ms: int) -> None:
    """Fetch what the market's due runs lack through `bar_ms` (once for all of them: a bar
    already held is never asked again), then queue their ticks."""
    exchange = Exchange.objects.filter(pk=exchange_id).first()
    market_runs = StrategyRun.objects.filter(
        exchange_id=exchange_id, symbol=symbol, timeframe=timeframe
    )
    runs = list(_due(market_runs, bar_ms).values_list("pk", "last_bar_ms", "history_ms"))
    if exchange is None or not runs:
        return
    step = timeframe_ms(timeframe)
    start = min(history if last is None else last + step for _pk, last, history in runs)
    try:
        candles_fill(
            exchange=exchange, symbol=symbol, timeframe=timeframe, start=start, end=bar_ms + step
        )
        if market_runs.filter(perpetual=True).exists():  # and their funding (point 9)
            funding_fill(exchange=exchange, symbol=symbol, start=start, end=bar_ms + step)
    except ccxt.BaseError as error:
        # The next minute's fan-out asks again: the runs wait, they do not tick on old data.
        logger.warning("Runs on %s %s: %s %s", exchange.slug, symbol, type(error).__name__, error)
        StrategyRun.objects.filter(pk__in=[pk for pk, *_ in runs]).update(queued_bar_ms=None)
        return
    for pk, *_ in runs:
        async_task(TICK_TASK, pk, bar_ms, task_name=f"run-tick-{pk}-{bar_ms}")


def run_tick(*, run_id: int, bar_ms: int) -> None:
    """Evaluate the run through the bar opening at `bar_ms` and record what its new bars did.
    A tick that finds the bar already recorded (it ran twice) changes nothing."""
    run = StrategyRun.objects.select_related("exchange", "key").filter(pk=run_id).first()
    if run is None or run.status not in TICKED:
        return
    if run.last_bar_ms is not None and run.last_bar_ms >= bar_ms:
        return
    try:
        if run.mode == RunMode.LIVE:
            live_tick(run, bar_ms)
            return
        outcome = paper_evaluate(run, through=bar_ms)
    except ccxt.BaseError as error:
        # Still failing after the retries of reads (never of orders): the run waits for the
        # next fan-out, its in-flight orders resolved first then.
        logger.warning(
            "Run %s: tick through %s: %s %s", run.pk, bar_ms, type(error).__name__, error
        )
        return
    except rules.DocumentError as refused:
        shown = {"timeframe": run.timeframe, "problem": str(refused.errors[0])}
        end_run(run, RunStatus.FAILED, messages.DOCUMENT, **shown)
        return
    except Exception:  # a bug of ours: the owner gets a sentence, the log the traceback
        logger.exception("Run %s: tick through %s failed in our code", run.pk, bar_ms)
        end_run(run, RunStatus.FAILED, messages.OURS)
        return
    if outcome is None:
        return
    with transaction.atomic():
        locked = StrategyRun.objects.select_for_update().filter(pk=run.pk).first()
        if locked is None or locked.status not in TICKED:
            return
        if locked.last_bar_ms is not None and locked.last_bar_ms >= outcome.through:
            return  # another attempt recorded it meanwhile
        run_records.tick_record(locked, outcome)
    logger.info("Run %s ticked through %s", run.pk, outcome.through)
    if locked.status == RunStatus.STOPPING and _flat(locked):
        end_run(locked, RunStatus.STOPPED, messages.FLATTENED)


def _flat(run: StrategyRun) -> bool:
    return run.held == 0 and not run_records.has_working_orders(run)
