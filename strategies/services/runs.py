"""Starting and stopping runs. Ticking them is strategies.services.run_ticks; going live is
strategies.services.live_start.

strategy_run_start(*, owner, source, exchange, symbol, timeframe, capital, fee, slippage_bps,
                   max_volume_share) -> StrategyRun          a paper run, or StartRefused
strategy_run_create(owner, *, source, **fields)   the run row, within the owner's limit
strategy_run_prepare(*, run_id)   the long cluster loads its warm-up history (and, live, checks
                                  the key and notes the balance), then it runs
strategy_run_stop(*, run, code)   stopped now; a live run's resting orders are cancelled
strategy_run_flatten(*, run)      the position is left at the next open (live: now), then stop
strategy_runs_kill(*, owner=None, code)   every active run (of one owner, or of everyone)
"""

import logging
import time
from decimal import Decimal

import ccxt
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_q.tasks import async_task

from accounts.models import User
from exchanges.models import Exchange
from strategies import rules
from strategies.candles.fetch import candles_fill
from strategies.engine import history_bars
from strategies.engine.fills.model import SHORTS_ON_SPOT
from strategies.models import (
    CatalogEntry,
    RunMode,
    RunStatus,
    StrategyRun,
    StrategyVersion,
)
from strategies.series import timeframe_ms
from strategies.services import backtest_errors, live_ticks
from strategies.services import run_messages as messages
from strategies.services.run_end import end_run
from strategies.services.start_checks import (
    Source,
    StartRefused,
    checked_document,
    checked_market,
    fill_model,
    source_name,
)

logger = logging.getLogger(__name__)

PREPARE_TASK = "strategies.tasks.prepare_run"
CANCEL_TASK = "strategies.tasks.cancel_run_orders"
FLATTEN_TASK = "strategies.tasks.flatten_live_run"

CAPITAL = _("The starting capital must be more than zero.")
TOO_MANY = _(
    "You already have %(count)d active runs, the most one account may have: stop one before "
    "starting another."
)


def strategy_run_start(
    *,
    owner: User,
    source: Source,
    exchange: Exchange,
    symbol: str,
    timeframe: str,
    capital: Decimal,
    fee: float,
    slippage_bps: float,
    max_volume_share: float,
) -> StrategyRun:
    """Check the request (StartRefused naming the field at fault), then create the paper run
    and queue the loading of its history."""
    model = fill_model(fee, slippage_bps, max_volume_share, "stop_first")
    if capital <= 0:
        raise StartRefused("capital", str(CAPITAL))
    document = checked_document(source.document, timeframe)
    facts = checked_market(exchange, symbol, timeframe)
    if document.entry_branches()["short"] is not None and not facts.allows_shorts:
        raise StartRefused("strategy", str(SHORTS_ON_SPOT))
    market = facts.market
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
        fee=model.fee,
        slippage_bps=model.slippage_bps,
        max_volume_share=model.max_volume_share,
        tie=model.tie,
        amount_step=market.amount_step,
        min_amount=market.min_amount,
        min_cost=market.min_cost,
        allows_shorts=market.allows_shorts,
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
    capital = float(fields["capital"])
    run = StrategyRun.objects.create(
        owner=owner,
        catalog_entry=source if isinstance(source, CatalogEntry) else None,
        strategy_version=source if isinstance(source, StrategyVersion) else None,
        equity=capital,
        **fields,
    )
    _queue(PREPARE_TASK, run, cluster=settings.LONG_TASKS)
    return run


def _queue(task: str, run: StrategyRun, **options: str) -> None:
    """A task about the run, once the transaction that decided it commits."""
    name = f"{task.rsplit('.', 1)[-1]}-{run.pk}"
    transaction.on_commit(lambda: async_task(task, run.pk, task_name=name, **options))


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
    except ccxt.BaseError as error:
        logger.warning("Run %s: not prepared: %s", run.pk, type(error).__name__)
        code = backtest_errors.exchange_error_code(error)
        shown = {"exchange": run.exchange.name, "symbol": run.symbol, "timeframe": run.timeframe}
        end_run(run, RunStatus.FAILED, messages.PREPARE_FAILED, reason_code=code, **shown)
        return
    StrategyRun.objects.filter(pk=run.pk, status=RunStatus.STARTING).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )


def strategy_run_stop(*, run: StrategyRun, code: str = messages.STOPPED_BY_YOU) -> bool:
    """Stop an active run now; False when it had already stopped. A live run's resting
    orders are cancelled by a task (the key is decrypted in workers only)."""
    stopped = end_run(run, RunStatus.STOPPED, code)
    if stopped and run.mode == RunMode.LIVE:
        _queue(CANCEL_TASK, run)
    return stopped


def strategy_run_flatten(*, run: StrategyRun) -> bool:
    """Close the position, then stop: a paper run at the next open, a live one now (a task
    sells it at market). A run without a position stops now. False when it had stopped."""
    with transaction.atomic():
        locked = StrategyRun.objects.select_for_update().filter(pk=run.pk).first()
        if locked is None or not locked.active:
            return False
        flat = locked.position is None or locked.last_bar_ms is None
        if not flat:
            locked.flatten_bar_ms = locked.last_bar_ms
            locked.status = RunStatus.STOPPING
            locked.save(update_fields=["flatten_bar_ms", "status"])
            if locked.mode == RunMode.LIVE:
                _queue(FLATTEN_TASK, locked)
    if flat:
        return strategy_run_stop(run=run, code=messages.FLATTENED)
    run.refresh_from_db()
    return True


def strategy_runs_kill(*, owner: User | None = None, code: str) -> int:
    """Stop every active run of `owner` (everyone's when None); how many were stopped."""
    runs = StrategyRun.objects.active()
    if owner is not None:
        runs = runs.filter(owner=owner)
    return sum(strategy_run_stop(run=run, code=code) for run in runs.select_related("owner"))


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


def runs_block_key_deletion(key) -> str | None:
    count = StrategyRun.objects.active().filter(key=key).count()
    if not count:
        return None
    return ngettext(
        "%(count)d active run uses this key: stop it first.",
        "%(count)d active runs use this key: stop them first.",
        count,
    ) % {"count": count}
