"""Starting and stopping runs. Ticking them is strategies.services.run_ticks; going live is
strategies.services.live_start.

strategy_run_start(*, owner, source, exchange, symbol, timeframe, capital, fee, slippage_bps,
                   max_volume_share) -> StrategyRun          a paper run, or StartRefused
strategy_run_create(owner, *, source, **fields)   the run row, within the owner's limit
strategy_run_prepare(*, run_id)   the start cluster loads its warm-up history (and, live, checks
                                  the key and notes the balance), then it runs
run_preparations_requeue()        the minute sweep: a preparation lost with its worker, again
strategy_run_stop(*, run, code)   stopped now; a live run's resting orders are cancelled
strategy_run_flatten(*, run)      the position is left at the next open (live: now), then stop
paper_position_close(*, run)      a stopped paper run's position left at the open that followed
                                  its last candle evaluated (what flatten would have done)
strategy_runs_kill(*, owner=None, code)   every active run (of one owner, or of everyone)

Stopping never waits for mail or the exchange: each stop is committed with its duties (the
owner's notice, a live run's cancel) in one transaction, and tasks carry them out after it.
"""

import logging
import time
from datetime import timedelta
from decimal import Decimal

import ccxt
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_q.exceptions import TimeoutException

from accounts.models import User
from exchanges.models import Exchange
from noonbarbari.queueing import queue_again, queue_on_commit
from strategies import notices, rules
from strategies.brokers.paper import paper_evaluate
from strategies.candles.fetch import candles_fill
from strategies.candles.ranges import missing
from strategies.candles.store import series_for
from strategies.engine import history_bars
from strategies.models import (
    CatalogEntry,
    RunMode,
    RunStatus,
    StrategyRun,
    StrategyVersion,
)
from strategies.series import timeframe_ms
from strategies.services import backtest_errors, live_ticks, run_records
from strategies.services import run_messages as messages
from strategies.services.governor import go_live_refusal
from strategies.services.run_end import end_run
from strategies.services.start_checks import (
    Source,
    StartRefused,
    checked_document,
    checked_ladder,
    checked_market,
    checked_shorts,
    fee_and_source,
    fill_model,
    source_name,
)

logger = logging.getLogger(__name__)

PREPARE_TASK = "strategies.tasks.prepare_run"
FLATTEN_TASK = "strategies.tasks.flatten_live_run"
PAPER_CLOSE_TASK = "strategies.tasks.close_paper_position"

CAPITAL = _("The starting capital must be more than zero.")
TOO_MANY = _(
    "You already have %(count)d active runs, the most one account may have: stop one before "
    "starting another."
)
CANCELS_NEED_KEY = _(
    "A stopped run's orders may still rest at the exchange, and this key is what cancels them: "
    "wait until its page says nothing rests any more."
)
CANCELS_NEED_ACCOUNT = _(
    "Orders of a stopped run may still rest at the exchange, and your key is what cancels "
    "them: wait until the run's page says nothing rests any more."
)
KEY_MARKET_TAKEN = _(
    "The key %(label)s already trades %(symbol)s in another live run (#%(run)s). Two runs on "
    "one key and market would each take the other's trades for another program's: stop that "
    "run first, or trade with another key."
)


def strategy_run_start(
    *,
    owner: User,
    source: Source,
    exchange: Exchange,
    symbol: str,
    timeframe: str,
    capital: Decimal,
    fee: float | None,
    slippage_bps: float,
    max_volume_share: float,
) -> StrategyRun:
    """Check the request (StartRefused naming the field at fault), then create the paper run
    and queue the loading of its history."""
    fee, fee_source = fee_and_source(owner, exchange, fee)
    model = fill_model(fee, slippage_bps, max_volume_share, "stop_first")
    if capital <= 0:
        raise StartRefused("capital", str(CAPITAL))
    document = checked_document(source.document, timeframe)
    facts = checked_market(exchange, symbol, timeframe)
    checked_shorts(document, facts.market)
    checked_ladder(document, float(capital))
    return strategy_run_create(
        owner,
        source=source,
        strategy_name=source_name(source),
        document=source.document,
        exchange=exchange,
        symbol=facts.symbol,
        timeframe=timeframe,
        mode=RunMode.PAPER,
        capital=capital,
        **StrategyRun.fill_model_columns(model),
        fee_source=fee_source,
        **StrategyRun.market_columns(facts.market),
        **run_window(document, timeframe),
    )


def run_window(document: rules.Document, timeframe: str) -> dict[str, int]:
    """Where a run starting now decides first (the close of the bar forming now: nothing is
    decided on a bar that closed before the user pressed start) and where its history starts
    (the warm-up before that)."""
    bar_ms = timeframe_ms(timeframe)
    start_ms = int(time.time() * 1000) // bar_ms * bar_ms
    return {
        "start_ms": start_ms,
        "history_ms": start_ms - history_bars(document, timeframe) * bar_ms,
    }


@transaction.atomic
def strategy_run_create(owner: User, *, source: Source | None, **fields) -> StrategyRun:
    """The run, within the owner's limit of active runs; its history is loaded next."""
    # Lock the owner's row: two requests at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=owner.pk).exists()
    active = StrategyRun.objects.owned_by(owner).active().count()
    if active >= settings.RUNS_MAX_ACTIVE:
        raise StartRefused("", str(TOO_MANY) % {"count": active})
    if fields.get("mode") == RunMode.LIVE and (other := key_market_taken(**fields)):
        raise StartRefused("key", key_market_refusal(fields["key"], other))
    if fields.get("mode") == RunMode.LIVE and (
        limited := go_live_refusal(
            owner_id=owner.pk,
            key_id=getattr(fields.get("key"), "pk", None),
            symbol=fields["symbol"],
        )
    ):
        raise StartRefused("", limited)
    capital = float(fields["capital"])
    run = StrategyRun.objects.create(
        owner=owner,
        catalog_entry=source if isinstance(source, CatalogEntry) else None,
        strategy_version=source if isinstance(source, StrategyVersion) else None,
        equity=capital,
        prepare_due_at=timezone.now() + _preparation_requeue_after(),
        **fields,
    )
    _queue(PREPARE_TASK, run, cluster=settings.START_TASKS)
    return run


def _preparation_requeue_after() -> timedelta:
    """Past the start cluster's retry, a preparation not done is lost (its worker killed on a
    broker without receipts): queued again then. One still running is not doubled: a
    preparation ends within the cluster's timeout, which the retry exceeds."""
    return timedelta(seconds=settings.Q_CLUSTER["ALT_CLUSTERS"][settings.START_TASKS]["retry"])


def run_preparations_requeue() -> int:
    """Queue again the preparation of every run still starting past its due time; how many.
    Preparing twice is harmless: a run past starting is left alone."""
    due = StrategyRun.objects.filter(status=RunStatus.STARTING, prepare_due_at__lte=timezone.now())
    return queue_again(
        due,
        due_field="prepare_due_at",
        task=PREPARE_TASK,
        name=f"{PREPARE_TASK.rsplit('.', 1)[-1]}-{{pk}}",
        after=_preparation_requeue_after(),
        cluster=settings.START_TASKS,
    )


def key_market_taken(*, key, symbol: str, **_fields: object) -> StrategyRun | None:
    """The active live run already trading `symbol` with `key`, if any: `key` cannot start
    another there."""
    if key is None:
        return None
    return StrategyRun.objects.active().filter(mode=RunMode.LIVE, key=key, symbol=symbol).first()


def key_market_refusal(key, other: StrategyRun) -> str:
    return str(KEY_MARKET_TAKEN) % {"label": key.label, "symbol": other.symbol, "run": other.pk}


def _queue(task: str, run: StrategyRun, **options: object) -> None:
    """A task about the run, once the transaction that decided it commits."""
    queue_on_commit(task, run.pk, name=f"{task.rsplit('.', 1)[-1]}-{run.pk}", **options)


def strategy_run_prepare(*, run_id: int) -> None:
    """Load the run's history up to now into the candle store (live: check the key and note
    the balance too), then let it run. Idempotent: a run past starting is left alone, and
    what was fetched is never fetched again."""
    run = StrategyRun.objects.select_related("exchange", "key").filter(pk=run_id).first()
    if run is None or run.status != RunStatus.STARTING:
        return
    try:
        candles_fill(
            exchange=run.exchange,
            symbol=run.symbol,
            timeframe=run.timeframe,
            start=run.history_ms,
            end=int(time.time() * 1000),
        )
        if run.mode == RunMode.LIVE and not live_ticks.live_prepare(run):
            return
    except TimeoutException:
        # Past the start cluster's time limit (django-q2's SystemExit): the run says so now,
        # and the sweep will not prepare it again (it failed); what was fetched is kept.
        timeout = settings.Q_CLUSTER["ALT_CLUSTERS"][settings.START_TASKS]["timeout"]
        logger.warning("Run %s: preparation past the %s s time limit", run.pk, timeout)
        end_run(run, RunStatus.FAILED, messages.PREPARE_TIME_LIMIT, minutes=-(-timeout // 60))
        raise
    except ccxt.BaseError as error:
        logger.warning("Run %s: not prepared: %s", run.pk, type(error).__name__)
        code = backtest_errors.exchange_error_code(error)
        shown = {"exchange": run.exchange.name, "symbol": run.symbol, "timeframe": run.timeframe}
        end_run(run, RunStatus.FAILED, messages.PREPARE_FAILED, reason_code=code, **shown)
        return
    with transaction.atomic():
        started = StrategyRun.objects.filter(pk=run.pk, status=RunStatus.STARTING).update(
            status=RunStatus.RUNNING, started_at=timezone.now(), prepare_due_at=None
        )
        if started:
            notices.run_started(run)


def strategy_run_stop(*, run: StrategyRun, code: str = messages.STOPPED_BY_YOU) -> bool:
    """Stop an active run now; False when it had already stopped. A live run's resting
    orders are cancelled by a task (the key is decrypted in workers only), committed as a duty
    with the stop (strategies.services.run_end)."""
    return end_run(run, RunStatus.STOPPED, code)


def strategy_run_flatten(*, run: StrategyRun) -> bool:
    """Close the position, then stop: a paper run at the next open, a live one now (a task
    sells it at market). A run without a position stops now. False when it had stopped."""
    with transaction.atomic():
        locked = StrategyRun.objects.select_for_update().filter(pk=run.pk).first()
        if locked is None or not locked.active:
            return False
        flat = locked.position is None or locked.last_bar_ms is None
        if flat:
            end_run(locked, RunStatus.STOPPED, messages.FLATTENED)
        else:
            locked.flatten_bar_ms = locked.last_bar_ms
            locked.status = RunStatus.STOPPING
            locked.save(update_fields=["flatten_bar_ms", "status"])
            if locked.mode == RunMode.LIVE:
                _queue(FLATTEN_TASK, locked)
    run.refresh_from_db()
    return True


def paper_position_closable(run: StrategyRun) -> bool:
    """A stopped paper run that still holds a position (its close may have been asked for:
    asking again queues the task again, which a lost task needs)."""
    return (
        run.mode == RunMode.PAPER
        and run.status == RunStatus.STOPPED
        and run.position is not None
        and run.last_bar_ms is not None
    )


def paper_position_close(*, run: StrategyRun) -> bool:
    """Ask for a stopped paper run's position to be closed as flatten closes it: at the open
    after the last candle it evaluated, with the fill model's slippage and fee (a task fetches
    that bar if the store lacks it, as a tick does; the minute sweep asks again until the bar
    has closed). False when there is nothing to close."""
    with transaction.atomic():
        locked = StrategyRun.objects.select_for_update().filter(pk=run.pk).first()
        if locked is None or not paper_position_closable(locked):
            return False
        if locked.flatten_bar_ms is None:
            locked.flatten_bar_ms = locked.last_bar_ms
            locked.save(update_fields=["flatten_bar_ms"])
        _queue(PAPER_CLOSE_TASK, locked)
    run.refresh_from_db()
    return True


def paper_position_settle(*, run_id: int) -> None:
    """The task behind paper_position_close: the bar after the last one evaluated, filled
    into the store, then recorded as a tick records it (the run stays stopped). Idempotent."""
    run = StrategyRun.objects.select_related("exchange").filter(pk=run_id).first()
    if run is None or run.status != RunStatus.STOPPED or run.flatten_bar_ms is None:
        return
    if run.last_bar_ms is None or run.last_bar_ms > run.flatten_bar_ms:
        return  # recorded already
    step = timeframe_ms(run.timeframe)
    through = run.flatten_bar_ms + step
    exchange, symbol, timeframe = run.exchange, run.symbol, run.timeframe
    series = series_for(exchange=exchange, symbol=symbol, timeframe=timeframe)
    try:
        if missing(series.coverage, through, through + step):
            candles_fill(
                exchange=exchange,
                symbol=symbol,
                timeframe=timeframe,
                start=through,
                end=through + step,
            )
    except ccxt.BaseError as error:
        logger.warning("Run %s: position not closed yet: %s", run.pk, type(error).__name__)
        raise  # failed: the ORM broker hands it out again (the owner can press once more)
    outcome = paper_evaluate(run, through=through)
    if outcome is None:
        return  # the bar is not closed (or not held) yet: the owner is told to try later
    with transaction.atomic():
        locked = StrategyRun.objects.select_for_update().filter(pk=run.pk).first()
        if locked is None or locked.last_bar_ms is None or locked.last_bar_ms >= through:
            return
        run_records.tick_record(locked, outcome)


def paper_closes_requeue(*, now_ms: int | None = None) -> int:
    """Queue again the close of every stopped paper run whose exit bar has closed since its
    owner asked (the task found it still forming, or was lost); how many."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    asked = StrategyRun.objects.filter(
        mode=RunMode.PAPER,
        status=RunStatus.STOPPED,
        flatten_bar_ms__isnull=False,
        last_bar_ms__isnull=False,
        position__isnull=False,
    ).values_list("pk", "flatten_bar_ms", "timeframe")
    due = [pk for pk, bar_ms, tf in asked if (bar_ms or 0) + 2 * timeframe_ms(tf) <= now_ms]
    for pk in due:
        queue_on_commit(PAPER_CLOSE_TASK, pk, name=f"close_paper_position-{pk}")
    return len(due)


@transaction.atomic
def strategy_runs_kill(*, owner: User | None = None, code: str) -> int:
    """Stop every active run of `owner` (everyone's when None), in one transaction with their
    duties; how many were stopped."""
    runs = StrategyRun.objects.active()
    if owner is not None:
        runs = runs.filter(owner=owner)
    return sum(end_run(run, RunStatus.STOPPED, code) for run in runs.select_related("owner"))


# Hooks accounts and exchanges call without importing strategies (StrategiesConfig.ready).


def runs_block_while_active(user: User) -> str | None:
    """Active runs keep two-factor authentication on (it guards the money they trade) and the
    account they belong to."""
    count = StrategyRun.objects.owned_by(user).active().count()
    if not count:
        return None
    return ngettext(
        "You have %(count)d active run: stop it first.",
        "You have %(count)d active runs: stop them first.",
        count,
    ) % {"count": count}


def runs_block_while_cancelling(user: User) -> str | None:
    """Deleting the account shreds the keys that cancel a stopped run's resting orders."""
    if not StrategyRun.objects.owned_by(user).cancels_pending().exists():
        return None
    return str(CANCELS_NEED_ACCOUNT)


def runs_block_key_deletion(key) -> str | None:
    if StrategyRun.objects.cancels_pending().filter(key=key).exists():
        return str(CANCELS_NEED_KEY)
    count = StrategyRun.objects.active().filter(key=key).count()
    if not count:
        return None
    return ngettext(
        "%(count)d active run uses this key: stop it first.",
        "%(count)d active runs use this key: stop them first.",
        count,
    ) % {"count": count}
