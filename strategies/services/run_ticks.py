"""Ticking runs: one schedule, one candle fetch per market and bar, one tick per run.

runs_fan_out()        the minute schedule: for every market with a run whose next bar has
                      closed, one market task (a run is queued once per bar)
run_market_tick(...)  fetches the market's new candles once into the shared store, then
                      queues its paper runs' ticks in batches of TICK_BATCH and a tick for
                      each live run
run_ticks(...)        ticks a batch of one market's paper runs: the market's candles read
                      once for all of them, each run's tick its own (a failure in one never
                      touches the others)
run_tick(...)         evaluates one run through a closed bar and records it; idempotent
"""

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import TypeVar

import ccxt
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from exchanges.models import Exchange
from strategies import rules
from strategies.brokers.paper import MarketLoad, paper_evaluate
from strategies.candles.fetch import candles_fill
from strategies.candles.funding import funding_fill
from strategies.models import RunMode, RunStatus, StrategyRun
from strategies.series import timeframe_ms
from strategies.services import run_messages as messages
from strategies.services import run_records
from strategies.services.live_ticks import live_tick
from strategies.services.run_end import end_run

logger = logging.getLogger(__name__)
T = TypeVar("T")

MARKET_TASK = "strategies.tasks.tick_market"
TICK_TASK = "strategies.tasks.tick_run"
BATCH_TASK = "strategies.tasks.tick_runs"
# Paper runs of one market ticked by one task: enough to spread a task's start-up over many
# ticks, few enough that a batch stays well inside the short cluster's time limit (about 5 ms
# a tick) and that the workers share a busy market's batches.
TICK_BATCH = 100
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
    runs = list(_due(market_runs, bar_ms).values_list("pk", "last_bar_ms", "history_ms", "mode"))
    if exchange is None or not runs:
        return
    step = timeframe_ms(timeframe)
    start = min(history if last is None else last + step for _pk, last, history, _mode in runs)
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
    paper = [pk for pk, *_, mode in runs if mode == RunMode.PAPER]
    for first in range(0, len(paper), TICK_BATCH):
        batch = paper[first : first + TICK_BATCH]
        async_task(BATCH_TASK, batch, bar_ms, task_name=f"run-ticks-{batch[0]}-{bar_ms}")
    for pk, *_, mode in runs:
        if mode != RunMode.PAPER:
            async_task(TICK_TASK, pk, bar_ms, task_name=f"run-tick-{pk}-{bar_ms}")


def run_ticks(*, run_ids: list[int], bar_ms: int) -> None:
    """Tick a batch of one market's paper runs through `bar_ms` (see the module docstring).

    One transaction for the batch, its runs' rows locked by one query (in id order, so that
    two deliveries of a batch queue behind each other, and the second finds the bars
    recorded); each run's tick a savepoint of its own, so that its failure rolls back its own
    writes only. One commit, not one per run: a batch of a hundred costs a hundred ticks'
    work, not a hundred round trips and flushes more."""
    ticked = []
    with transaction.atomic():
        runs = list(
            StrategyRun.objects.select_for_update(of=("self",))
            .select_related("exchange")
            .filter(pk__in=run_ids, status__in=TICKED, mode=RunMode.PAPER)
            .filter(Q(last_bar_ms__isnull=True) | Q(last_bar_ms__lt=bar_ms))
            .order_by("pk")
        )
        if not runs:
            return
        market = MarketLoad.of(runs, bar_ms)
        for run in runs:
            through = _guarded(run, bar_ms, partial(_tick_paper, run, bar_ms, market))
            if through is not None:
                ticked.append((run.pk, through))
    for pk, through in ticked:
        logger.info("Run %s ticked through %s", pk, through)


def run_tick(*, run_id: int, bar_ms: int) -> None:
    """Evaluate the run through the bar opening at `bar_ms` and record what its new bars did.
    A tick that finds the bar already recorded (it ran twice) changes nothing."""
    run = StrategyRun.objects.select_related("exchange", "key").filter(pk=run_id).first()
    if run is None or run.status not in TICKED:
        return
    if run.last_bar_ms is not None and run.last_bar_ms >= bar_ms:
        return
    if run.mode == RunMode.LIVE:
        _guarded(run, bar_ms, lambda: live_tick(run, bar_ms))
        return
    run_ticks(run_ids=[run.pk], bar_ms=bar_ms)


def _tick_paper(run: StrategyRun, bar_ms: int, market: MarketLoad) -> int | None:
    """One paper run's tick, its row locked by the caller, in a savepoint: the bar it recorded
    through, or None when there was nothing new to record."""
    with transaction.atomic():
        outcome = paper_evaluate(run, through=bar_ms, market=market)
        if outcome is None:
            return None
        run_records.tick_record(run, outcome)
        if run.status == RunStatus.STOPPING and _flat(run):
            end_run(run, RunStatus.STOPPED, messages.FLATTENED)
        return outcome.through


def _guarded(run: StrategyRun, bar_ms: int, evaluate: Callable[[], T]) -> T | None:
    """`evaluate()`, or None when it failed: the exchange's trouble leaves the run waiting
    for the next fan-out; a document refused, or a bug of ours, ends the run with a sentence
    for its owner (and the traceback in the log). Only this run: a batch goes on."""
    try:
        return evaluate()
    except ccxt.BaseError as error:
        # Still failing after the retries of reads (never of orders): the run waits for the
        # next fan-out, its in-flight orders resolved first then.
        logger.warning(
            "Run %s: tick through %s: %s %s", run.pk, bar_ms, type(error).__name__, error
        )
    except rules.DocumentError as refused:
        shown = {"timeframe": run.timeframe, "problem": str(refused.errors[0])}
        end_run(run, RunStatus.FAILED, messages.DOCUMENT, **shown)
    except Exception:  # a bug of ours: the owner gets a sentence, the log the traceback
        logger.exception("Run %s: tick through %s failed in our code", run.pk, bar_ms)
        end_run(run, RunStatus.FAILED, messages.OURS)
    return None


def _flat(run: StrategyRun) -> bool:
    return run.held == 0 and not run_records.has_working_orders(run)
