"""Starting and stopping runs. Ticking them is strategies.services.run_ticks.

strategy_run_start(*, owner, source, exchange, symbol, timeframe, capital, fee, slippage_bps,
                   max_volume_share) -> StrategyRun          a paper run, or StartRefused
strategy_run_prepare(*, run_id)   the long cluster loads its warm-up history, then it runs
strategy_run_stop(*, run, code)   stopped now (a paper run has no order at an exchange)
strategy_run_flatten(*, run)      the position is left at the next open, then the run stops
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
from strategies.candles.fetch import candles_fill
from strategies.engine import history_bars
from strategies.engine.fills.model import SHORTS_ON_SPOT
from strategies.models import (
    ACTIVE_RUN,
    CatalogEntry,
    RunMode,
    RunStatus,
    StrategyRun,
    StrategyVersion,
)
from strategies.series import timeframe_ms
from strategies.services import backtest_errors, run_emails
from strategies.services import run_messages as messages
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
    and queue the loading of its history. Its first decision is at the close of the bar
    forming now: nothing is decided on a bar that closed before the user pressed start."""
    model = fill_model(fee, slippage_bps, max_volume_share, "stop_first")
    if capital <= 0:
        raise StartRefused("capital", str(CAPITAL))
    document = checked_document(source.document, timeframe)
    facts = checked_market(exchange, symbol, timeframe)
    if document.entry_branches()["short"] is not None and not facts.allows_shorts:
        raise StartRefused("strategy", str(SHORTS_ON_SPOT))
    bar_ms = timeframe_ms(timeframe)
    start_ms = int(time.time() * 1000) // bar_ms * bar_ms
    market = facts.market
    return _create(
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
        start_ms=start_ms,
        history_ms=start_ms - history_bars(document, timeframe) * bar_ms,
        equity=float(capital),
    )


@transaction.atomic
def _create(owner: User, *, source: Source, **fields) -> StrategyRun:
    # Lock the owner's row: two requests at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=owner.pk).exists()
    active = StrategyRun.objects.owned_by(owner).active().count()
    if active >= settings.RUNS_MAX_ACTIVE:
        raise StartRefused("", str(TOO_MANY) % {"count": active})
    run = StrategyRun.objects.create(
        owner=owner,
        catalog_entry=source if isinstance(source, CatalogEntry) else None,
        strategy_version=source if isinstance(source, StrategyVersion) else None,
        **fields,
    )
    transaction.on_commit(
        lambda: async_task(
            PREPARE_TASK, run.pk, cluster=settings.LONG_TASKS, task_name=f"run-prepare-{run.pk}"
        )
    )
    return run


def strategy_run_prepare(*, run_id: int) -> None:
    """Load the run's history up to now into the candle store, then let it run. Idempotent:
    a run past starting is left alone, and what was fetched is never fetched again."""
    run = StrategyRun.objects.select_related("exchange").filter(pk=run_id).first()
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
    except ccxt.BaseError as error:
        logger.warning("Run %s: history not loaded: %s %s", run.pk, type(error).__name__, error)
        code = backtest_errors.exchange_error_code(error)
        shown = {"exchange": run.exchange.name, "symbol": run.symbol, "timeframe": run.timeframe}
        end_run(run, RunStatus.FAILED, messages.PREPARE_FAILED, reason_code=code, **shown)
        return
    StrategyRun.objects.filter(pk=run.pk, status=RunStatus.STARTING).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )


def strategy_run_stop(*, run: StrategyRun, code: str = messages.STOPPED_BY_YOU) -> bool:
    """Stop an active run now; False when it had already stopped."""
    return end_run(run, RunStatus.STOPPED, code)


def strategy_run_flatten(*, run: StrategyRun) -> bool:
    """Close the position at the next open, then stop; a run without a position stops now.
    False when the run had already stopped."""
    with transaction.atomic():
        locked = StrategyRun.objects.select_for_update().filter(pk=run.pk).first()
        if locked is None or not locked.active:
            return False
        if locked.position is None or locked.last_bar_ms is None:
            flat = True
        else:
            flat = False
            locked.flatten_bar_ms = locked.last_bar_ms
            locked.status = RunStatus.STOPPING
            locked.save(update_fields=["flatten_bar_ms", "status"])
    if flat:
        return end_run(run, RunStatus.STOPPED, messages.FLATTENED)
    run.refresh_from_db()
    return True


def strategy_runs_kill(*, owner: User | None = None, code: str) -> int:
    """Stop every active run of `owner` (everyone's when None); how many were stopped."""
    runs = StrategyRun.objects.active()
    if owner is not None:
        runs = runs.filter(owner=owner)
    return sum(end_run(run, RunStatus.STOPPED, code) for run in runs.select_related("owner"))


def end_run(run: StrategyRun, status: str, code: str, **params: object) -> bool:
    """Move an active run to `status` with its reason, then tell its owner by email."""
    changed = StrategyRun.objects.filter(pk=run.pk, status__in=ACTIVE_RUN).update(
        status=status, stop_code=code, stop_params=params, stopped_at=timezone.now()
    )
    if not changed:
        return False
    run.refresh_from_db()
    transaction.on_commit(lambda: run_emails.send_run_ended(run))
    return True


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
