"""django-q2 tasks of the strategies app: ids in, services called. Long work (backtests,
candle fills, candle imports) runs on the long cluster in turns handed out by the line
(strategies/services/long_jobs.py), a run's preparation on the start cluster; the fan-out,
market fetches and ticks on the default one."""

from django.utils import timezone

from strategies import notices
from strategies.models import LongJobKind, RunNotice
from strategies.services import governor_flatten
from strategies.services.backtests import backtest_lost, backtest_run
from strategies.services.candle_fills import candle_fill_lost, candle_fill_turn
from strategies.services.candle_imports import candle_import_lost, candle_import_run
from strategies.services.daily_summaries import daily_summaries_send
from strategies.services.governor import governor_check_all
from strategies.services.live_start import live_keys_recheck
from strategies.services.live_upkeep import (
    live_cancel,
    live_cancels_requeue,
    live_flatten,
    live_reconcile,
    live_safety_cancel,
)
from strategies.services.long_jobs import LongWork, Turn, long_job_run, long_jobs_sweep
from strategies.services.run_history import run_history_backfill
from strategies.services.run_ticks import run_market_tick, run_tick, run_ticks, runs_fan_out
from strategies.services.runs import (
    paper_closes_requeue,
    paper_position_settle,
    run_preparations_requeue,
    strategy_run_prepare,
)
from strategies.services.studies import (
    study_fold_lost,
    study_fold_turn,
    study_lost,
    study_turn,
)
from strategies.services.warm_markets import warm_markets_extend

LONG_WORK: dict[str, LongWork] = {
    LongJobKind.BACKTEST: LongWork(
        run=lambda pk, deadline: backtest_run(backtest_id=pk, deadline=deadline),
        lost=backtest_lost,
    ),
    LongJobKind.CANDLE_FILL: LongWork(run=candle_fill_turn, lost=candle_fill_lost),
    LongJobKind.CANDLE_IMPORT: LongWork(
        run=lambda pk, deadline: _import(pk), lost=candle_import_lost
    ),
    LongJobKind.STUDY: LongWork(run=study_turn, lost=study_lost),
    LongJobKind.STUDY_FOLD: LongWork(run=study_fold_turn, lost=study_fold_lost),
}


def _import(import_id: int) -> Turn:
    candle_import_run(import_id=import_id)  # one turn: the whole file
    return Turn.DONE


def run_long_job(job_id: int, turn: int) -> None:
    long_job_run(job_id=job_id, turn=turn, work=LONG_WORK)


def prepare_run(run_id: int) -> None:
    strategy_run_prepare(run_id=run_id)


def fan_out_runs() -> int:
    """The minute schedule: the runs' ticks, then the duties a lost task may have left (runs
    still to prepare, the cancels of ended live runs, paper positions asked closed, the
    notices to their owners, the long work whose worker went silent) queued again when due."""
    queued = runs_fan_out()
    long_jobs_sweep(work=LONG_WORK)
    run_preparations_requeue()
    live_cancels_requeue()
    paper_closes_requeue()
    return queued


def warm_markets() -> int:
    """The hourly schedule: the latest candles of every market in use, before they age out."""
    return warm_markets_extend()


def tick_market(exchange_id: int, symbol: str, timeframe: str, bar_ms: int) -> None:
    run_market_tick(exchange_id=exchange_id, symbol=symbol, timeframe=timeframe, bar_ms=bar_ms)


def tick_runs(run_ids: list[int], bar_ms: int) -> None:
    run_ticks(run_ids=run_ids, bar_ms=bar_ms)


def tick_run(run_id: int, bar_ms: int) -> None:
    run_tick(run_id=run_id, bar_ms=bar_ms)


def close_paper_position(run_id: int) -> None:
    paper_position_settle(run_id=run_id)


def flatten_live_run(run_id: int) -> None:
    live_flatten(run_id=run_id)


def cancel_run_orders(run_id: int) -> None:
    live_cancel(run_id=run_id)


def reconcile_live_run(run_id: int) -> None:
    live_reconcile(run_id=run_id)


def recheck_live_keys() -> int:
    return live_keys_recheck()


def backfill_run_trades(run_id: int) -> None:
    run_history_backfill(run_id=run_id)


def check_risk_limits() -> int:
    return governor_check_all()


def flatten_for_breach(breach_id: int) -> int:
    return governor_flatten.flatten_for_breach(breach_id=breach_id)


def send_run_notice(notice_id: int) -> None:
    """A task the previous release queued (strategies.models.notices): its run's end is told
    through the notifications outbox instead, once."""
    notice = RunNotice.objects.select_related("run__owner").filter(pk=notice_id).first()
    if notice is not None and notice.sent_at is None:
        notices.run_ended(notice.run)
        RunNotice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())


def send_daily_summaries() -> int:
    return daily_summaries_send()


def cancel_safety_orders(run_id: int) -> int:
    return live_safety_cancel(run_id=run_id)
