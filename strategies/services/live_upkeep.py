"""What a live run needs between its bars: flattening on its owner's request, cancelling what
rests once it has ended, and the reconciliation a starting worker asks for.

live_flatten(*, run_id)      close what a stopping run holds at market, then stop it
live_cancel(*, run_id)       an ended run's duty: cancel what rests until the exchange shows
                             none of its orders open (retried with a growing pause)
live_reconcile(*, run_id)    a running run checked against the exchange, its missing stop placed
live_cancels_requeue()       the minute sweep: cancels whose next attempt is due, queued again
worker_started()             a worker starts (post_spawn): reconcile active runs, resume cancels

Every ended live run keeps `cancel_due_at` until its cancel is confirmed: a task lost with a
killed worker (Redis has no receipts), an exchange that is down, a key refused meanwhile, all
leave the duty in the database, where the sweep and the next worker find it.
"""

import logging
import os
import socket
import time
from datetime import timedelta

import ccxt
from django.core.cache import cache
from django.utils import timezone
from django_q.conf import Conf
from django_q.tasks import async_task

from exchanges.crypto.cipher import DecryptionError
from noonbarbari.queueing import queue_again
from strategies import rules
from strategies.brokers.live import KEY_ERRORS, Intent, live_session
from strategies.candles.store import candles_read, series_for
from strategies.engine.enums import Leg, Reason, Status
from strategies.models import RunMode, RunOrder, RunStatus, StrategyRun
from strategies.series import Candles, timeframe_ms
from strategies.services import run_messages as messages
from strategies.services.live_state import LiveState, account_fields, closed_trade_record
from strategies.services.live_ticks import (
    TICKED,
    alert,
    protect,
    reconciled,
    session,
)
from strategies.services.run_end import CANCEL_TASK, CANCEL_TASK_NAME, end_run

logger = logging.getLogger(__name__)

GOVERNOR_TASK = "strategies.tasks.check_risk_limits"
RECONCILE_TASK = "strategies.tasks.reconcile_live_run"
# Pauses after each failed cancel attempt; the last one repeats for as long as orders rest.
CANCEL_PAUSES = tuple(timedelta(seconds=s) for s in (30, 60, 120, 300, 600, 900))


def _live_run(run_id: int) -> StrategyRun | None:
    return StrategyRun.objects.select_related("exchange", "key").filter(pk=run_id).first()


def live_flatten(*, run_id: int) -> None:
    """Close what a stopping live run holds at market (a long sold, a short bought back),
    cancel what rests, then stop it."""
    run = _live_run(run_id)
    if run is None or run.status != RunStatus.STOPPING or run.key is None:
        return
    with session(run) as broker:  # a refused key ends the run there
        broker.resolve_all()
        broker.cancel_open()
        state = LiveState.of(run)
        if state.held:
            # Its own leg: an exit the twin sent at that bar may already hold the key.
            bar_ms = run.flatten_bar_ms or run.start_ms
            broker.send(Intent(bar_ms, Leg.CLOSE, state.side, state.size, Reason.MANUAL))
        closed_trade_record(run, LiveState.of(run))
    if LiveState.of(run).held == 0:
        end_run(run, RunStatus.STOPPED, messages.FLATTENED)


def live_safety_cancel(*, run_id: int) -> int:
    """Cancel a running live run's resting safety orders (a risk limit was breached: they
    would add to the position); how many. The stop and target stay."""
    run = _live_run(run_id)
    if run is None or run.status not in (RunStatus.RUNNING, RunStatus.STOPPING) or not run.key:
        return 0
    resting = RunOrder.objects.filter(run=run, leg=Leg.SAFETY, status=Status.OPEN)
    if not resting.exists():
        return 0
    with session(run) as broker:
        for row in resting:
            broker.cancel(row)
    return len(resting)


def live_cancel(*, run_id: int) -> bool:
    """Cancel what an ended live run left resting, then ask the exchange whether any of its
    orders is still open: True once none is (the duty ends). On failure the duty stays, with
    its next attempt after a growing pause and the problem the run's page shows."""
    run = _live_run(run_id)
    if run is None or run.key is None or not run.orders_may_rest:
        return False
    try:
        with live_session(run) as broker:
            broker.resolve_all()
            broker.cancel_open()  # each cancel retried while the exchange is only busy
            left = broker.resting_ours()
    except KEY_ERRORS as error:
        problem, cause = messages.CANCEL_KEY_REFUSED, type(error).__name__
    except DecryptionError:
        problem, cause = messages.CANCEL_OURS, "DecryptionError"
    except ccxt.BaseError as error:
        problem, cause = messages.CANCEL_EXCHANGE, type(error).__name__
    else:
        if not left:
            StrategyRun.objects.filter(pk=run.pk).update(cancel_due_at=None, cancel_problem="")
            logger.info("Run %s: nothing rests at the exchange any more", run.pk)
            return True
        problem, cause = messages.CANCEL_STILL_RESTING, f"{len(left)} still open"
    attempts = run.cancel_attempts + 1
    if problem == messages.CANCEL_KEY_REFUSED and attempts >= len(CANCEL_PAUSES):
        # A key the exchange keeps refusing will not cancel anything: asking again only adds
        # failed logins on the user's account. The page keeps telling them to check there.
        StrategyRun.objects.filter(pk=run.pk).update(
            cancel_attempts=attempts, cancel_due_at=None, cancel_problem=problem
        )
        logger.error("Run %s: cancel given up, the exchange refuses the key: %s", run.pk, cause)
        return False
    pause = CANCEL_PAUSES[min(attempts, len(CANCEL_PAUSES)) - 1]
    StrategyRun.objects.filter(pk=run.pk, cancel_due_at__isnull=False).update(
        cancel_attempts=attempts, cancel_due_at=timezone.now() + pause, cancel_problem=problem
    )
    logger.warning(
        "Run %s: orders not confirmed cancelled (attempt %d, next in %ds): %s",
        run.pk,
        attempts,
        pause.total_seconds(),
        cause,
    )
    return False


def live_cancels_requeue() -> int:
    """Queue the cancel of every ended live run whose next attempt is due; how many."""
    due = StrategyRun.objects.cancels_pending().filter(cancel_due_at__lte=timezone.now())
    return _requeue_cancels(due)


def _requeue_cancels(runs) -> int:
    return queue_again(runs, due_field="cancel_due_at", task=CANCEL_TASK, name=CANCEL_TASK_NAME)


def live_reconcile(*, run_id: int) -> None:
    """A live run checked against the exchange between bars, when a worker starts (perhaps
    after a crash): what it finds is recorded, a run that cannot be reconciled stops now rather
    than at its next bar, and a position left without its resting stop (a worker killed
    between the entry's fill and the stop) gets it now, not at the next close."""
    run = _live_run(run_id)
    if run is None or run.status not in TICKED or run.key is None:
        return
    with session(run) as broker:
        state, foreign = reconciled(run, broker)
        closed_trade_record(run, state)  # a resting stop may have filled meanwhile
        StrategyRun.objects.filter(pk=run.pk).update(**account_fields(state, run.mark_price or 0))
        if foreign:
            alert(run, messages.FOREIGN_TRADES, count=len(foreign))
        legs = (Leg.STOP, Leg.TARGET) if broker.derivative else (Leg.STOP,)
        resting = RunOrder.objects.filter(run=run, leg__in=legs, status=Status.OPEN)
        if state.entry is not None and resting.count() < len(legs):
            document = rules.parse(run.document, base_timeframe=run.timeframe)
            anchor = document.risk.stop_anchor
            before = 0 if anchor is None else anchor.bars_read()  # where its stop was set
            closed = _ticked_since(run, state.entry.bar_ms, before=before)
            protect(run, broker, document, closed, state, at_ms=_now_ms(run))


def _ticked_since(run: StrategyRun, entry_ms: int, before: int = 0) -> Candles:
    """The bars the run has ticked since its entry (none when the entry came in the tick that
    a crash cut short): what its trailing stop has seen; and the `before` bars before it,
    where an anchored stop was set."""
    step = timeframe_ms(run.timeframe)
    end = max(entry_ms, (run.last_bar_ms or 0) + step)
    series = series_for(exchange=run.exchange, symbol=run.symbol, timeframe=run.timeframe)
    return candles_read(series, start=entry_ms - before * step, end=end)


def _now_ms(run: StrategyRun) -> int:
    """The moment, in ms, as the time of an order placed between bars: never a bar's open,
    which is the time (and the client order id) of the orders ticks send."""
    now = int(time.time() * 1000)
    return now + 1 if now % timeframe_ms(run.timeframe) == 0 else now


def live_runs_reconcile() -> int:
    """Queue a reconciliation of every active live run (see live_reconcile); how many."""
    pks = list(
        StrategyRun.objects.filter(
            mode=RunMode.LIVE, status__in=TICKED, key__isnull=False
        ).values_list("pk", flat=True)
    )
    for pk in pks:
        async_task(RECONCILE_TASK, pk)
    return len(pks)


def on_post_spawn(**kwargs: object) -> None:
    """django-q2's post_spawn, also sent for each task run inline (sync): not a worker start."""
    if not Conf.SYNC:
        worker_started()


def worker_started(**kwargs: object) -> None:
    """A worker process spawned: a cluster that starts (a machine back after a crash) has its
    live runs reconciled and the cancels of ended runs resumed at once, instead of at their
    next bar or sweep. Once per cluster start (its workers share a parent process), and once a
    minute at most for the workers it replaces later."""
    token = f"runs:worker-start:{socket.gethostname()}:{os.getppid()}"
    try:
        if cache.add(token, 1, timeout=60):
            logger.info("Worker start: live runs to reconcile: %d", live_runs_reconcile())
            cancels = _requeue_cancels(StrategyRun.objects.cancels_pending())
            logger.info("Worker start: ended runs with orders to cancel: %d", cancels)
            async_task(GOVERNOR_TASK, task_name="governor-check-all")
    except Exception:  # a worker must start even when the database is not there yet
        logger.exception("Worker start: live runs not reconciled")
