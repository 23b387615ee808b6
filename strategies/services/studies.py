"""Studies as long work (strategies/models/studies.py says how a study is split).

study_start(*, owner, backtest, dimensions, ...)   a finished backtest's strategy, market,
                                                   period and costs, searched fold by fold;
                                                   StudyRefused with a sentence when it cannot
study_turn(study_id, deadline)                     the plan (its folds, each fold's job), or
                                                   once every fold has chosen, the assembly
study_fold_turn(fold_id, deadline)                 one fold's in-sample choice; the last fold
                                                   to choose puts the study back in the line
study_cancel(*, study)                             no fold starts any more; the study ends
study_lost / study_fold_lost                       a worker lost twice: the study has failed
"""

import contextlib
import dataclasses
import logging
import secrets
from collections.abc import Iterator
from typing import NamedTuple

import ccxt
import numpy as np
from django.db import transaction
from django.utils import timezone
from django_q.exceptions import TimeoutException

from strategies import rules
from strategies.candles.funding import funding_fill, funding_per_bar
from strategies.candles.store import candles_read, series_for
from strategies.engine import history_bars
from strategies.engine.decide import IndicatorStore
from strategies.engine.study.heatmap import objective_grid
from strategies.engine.study.objective import OBJECTIVES
from strategies.engine.study.search import Setting
from strategies.engine.study.space import (
    Constraint,
    Dimension,
    SpaceError,
    constraint,
    dimension,
    grid,
    with_parameters,
)
from strategies.engine.study.tpe import GRID, METHODS, Method
from strategies.engine.study.walk_forward import (
    Choice,
    FoldSearch,
    Plan,
    fold_choice,
    walk_forward_assemble,
    walk_forward_plan,
)
from strategies.models import (
    ACTIVE_STUDY,
    Backtest,
    BacktestStatus,
    CandleSeries,
    LongJobKind,
    Study,
    StudyFold,
    StudyStatus,
)
from strategies.models.fill_columns import FillModelColumns, MarketColumns
from strategies.series import timeframe_ms
from strategies.services import backtest_results as results
from strategies.services import study_errors as errors
from strategies.services.long_jobs import Turn, long_job_drop, long_job_queue, long_jobs_drop

logger = logging.getLogger(__name__)


class StudyRefused(ValueError):
    """A study that cannot start, and the sentence that says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Failed(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


@transaction.atomic
def study_start(
    *,
    owner,
    backtest: Backtest,
    dimensions: list[dict],
    constraints: list[str],
    objective: str,
    drawdown_limit: float | None = None,
    in_sample_days: int = 60,
    out_of_sample_days: int = 30,
    anchored: bool = False,
    method: str = GRID,
    trials: int | None = None,
    seed: int | None = None,
) -> Study:
    """A study of `backtest` (the owner's, finished), in the line of long work. With the TPE
    method, each fold tries `trials` combinations; without a `seed`, one is drawn and kept,
    so the study can be repeated exactly."""
    if backtest.status != BacktestStatus.DONE:
        raise StudyRefused(errors.error_message(errors.NOT_FINISHED, {}))
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}")
    if method not in METHODS or (method != GRID and not trials):
        raise ValueError(f"unknown method {method!r} or no trials")
    if method == GRID:
        trials = seed = None
    elif seed is None:
        seed = secrets.randbelow(2**31)
    document = rules.parse(backtest.document, base_timeframe=backtest.timeframe)
    try:
        combinations = grid(document, *_space(document, dimensions, constraints))
    except SpaceError as refused:
        raise StudyRefused(errors.error_message(refused.code, refused.values)) from None
    columns = (*FillModelColumns.FILL_MODEL_FIELDS, "fee_source", *MarketColumns.MARKET_FIELDS)
    study = Study.objects.create(
        owner=owner,
        backtest=backtest,
        **{name: getattr(backtest, name) for name in _copied + columns},
        objective=objective,
        drawdown_limit=drawdown_limit,
        dimensions=dimensions,
        constraints=constraints,
        in_sample_days=in_sample_days,
        out_of_sample_days=out_of_sample_days,
        anchored=anchored,
        method=method,
        trials=trials,
        seed=seed,
        status=StudyStatus.QUEUED,
        combinations=len(combinations),
    )
    long_job_queue(kind=LongJobKind.STUDY, target_id=study.pk, owner_id=owner.pk)
    return study


# What a study takes from its backtest as it is.
_copied = (
    "catalog_entry",
    "strategy_version",
    "strategy_name",
    "document",
    "exchange",
    "series",
    "symbol",
    "timeframe",
    "start_ms",
    "end_ms",
    "capital",
)


def study_turn(study_id: int, deadline: float = 0.0) -> Turn:
    """The plan of a queued study, or the assembly of one whose folds have all chosen."""
    study = Study.objects.filter(pk=study_id).first()
    if study is None or study.status not in (StudyStatus.QUEUED, StudyStatus.ASSEMBLING):
        return Turn.DONE
    with _failures_told(study):
        if study.status == StudyStatus.QUEUED:
            return _plan(study)
        _assemble(study)
    return Turn.DONE


def study_fold_turn(fold_id: int, deadline: float = 0.0) -> Turn:
    """One fold's in-sample choice (a fold is one search: its turn is not cut at `deadline`)."""
    fold = StudyFold.objects.select_related("study").filter(pk=fold_id).first()
    if fold is None or fold.done or fold.study.status != StudyStatus.CHOOSING:
        return Turn.DONE
    with _failures_told(fold.study):
        planned = _planned(fold.study)
        found = planned.plan.folds[fold.number - 1]
        store = IndicatorStore(planned.setting.candles)
        _fold_chosen(fold, fold_choice(planned.setting, store, planned.plan, found))
    return Turn.DONE


@contextlib.contextmanager
def _failures_told(study: Study) -> Iterator[None]:
    """A turn's failure ends the study with a sentence: ours (the log gets the traceback), or
    the cluster's time limit, which is let through to stop the worker."""
    try:
        yield
    except _Failed as failed:
        _fail(study, failed.code, **failed.params)
    except TimeoutException:
        _fail(study, errors.INTERRUPTED)
        raise
    except Exception:
        logger.exception("Study %s failed in our code", study.pk)
        _fail(study, errors.OURS)


def study_cancel(*, study: Study) -> bool:
    """Stop a study: its waiting jobs leave the line, a running one ends by itself. False when
    it had already ended."""
    with transaction.atomic():
        ended = Study.objects.filter(pk=study.pk, status__in=ACTIVE_STUDY).update(
            status=StudyStatus.CANCELLED, finished_at=timezone.now()
        )
        _drop_jobs(study.pk)
    return bool(ended)


def study_lost(study_id: int) -> None:
    study = Study.objects.filter(pk=study_id).first()
    if study is not None:
        _fail(study, errors.INTERRUPTED)


def study_fold_lost(fold_id: int) -> None:
    fold = StudyFold.objects.select_related("study").filter(pk=fold_id).first()
    if fold is not None:
        _fail(fold.study, errors.INTERRUPTED)


def _plan(study: Study) -> Turn:
    """The folds, a job each; the study waits on them (the last puts it back in the line)."""
    plan = _planned(study).plan
    if not plan.folds:
        raise _Failed(errors.NO_FOLDS, in_sample=study.in_sample_days, out=study.out_of_sample_days)
    with transaction.atomic():
        if not Study.objects.filter(pk=study.pk, status=StudyStatus.QUEUED).update(
            status=StudyStatus.CHOOSING, started_at=timezone.now()
        ):
            return Turn.DONE  # cancelled meanwhile
        folds = StudyFold.objects.bulk_create(
            StudyFold(study=study, number=fold.number) for fold in plan.folds
        )
        for fold in folds:
            long_job_queue(kind=LongJobKind.STUDY_FOLD, target_id=fold.pk, owner_id=study.owner_id)
    # Waiting: a fold that ends while this turn is still closing wakes it for one more turn.
    return Turn.WAIT


@transaction.atomic
def _fold_chosen(fold: StudyFold, found: FoldSearch) -> None:
    """Keep the fold's choice (and what a TPE search tried: a grid's is the plan); the last
    fold to choose puts the study back in the line."""
    study = Study.objects.select_for_update().get(pk=fold.study_id)
    if study.status != StudyStatus.CHOOSING:
        return  # cancelled, or failed by another fold
    chosen = None if found.chosen is None else dataclasses.asdict(found.chosen)
    tried = None if study.method == GRID else [dict(each) for each in found.tried]
    StudyFold.objects.filter(pk=fold.pk).update(done=True, chosen=chosen, tried=tried)
    if not StudyFold.objects.filter(study=study, done=False).exists():
        Study.objects.filter(pk=study.pk).update(status=StudyStatus.ASSEMBLING)
        long_job_queue(kind=LongJobKind.STUDY, target_id=study.pk, owner_id=study.owner_id)


def _assemble(study: Study) -> None:
    setting, dimensions, plan = _planned(study)
    rows = {fold.number: fold for fold in study.folds.all()}
    choices = [_choice(rows[fold.number].chosen) for fold in plan.folds]
    tried = [] if study.method == GRID else [rows[fold.number].tried or [] for fold in plan.folds]
    found = walk_forward_assemble(
        setting, IndicatorStore(setting.candles), dimensions, plan, choices, tried
    )
    bar_ms = setting.candles.bar_ms
    times = setting.candles.time[plan.start :]
    result = {
        "folds": [
            {
                "number": fold.fold.number,
                "in_sample": _span(times, fold.fold.in_sample, bar_ms),
                "out_of_sample": _span(times, fold.fold.out_of_sample, bar_ms),
                "parameters": dict(fold.parameters) if fold.parameters else None,
                "in_sample_return": fold.in_sample_return,
                "out_of_sample_return": fold.out_of_sample_return,
            }
            for fold in found.folds
        ],
        "equity": results.equity_points(found.times + bar_ms, found.equity),
        "deflated_sharpe": found.deflated_sharpe,
        "robustness": _robustness(found.robustness),
        "heatmap": objective_grid(dimensions, found.period_combinations, found.period_scores),
        "period_trials": len(found.period_combinations),
    }
    Study.objects.filter(pk=study.pk, status=StudyStatus.ASSEMBLING).update(
        status=StudyStatus.DONE, result=result, finished_at=timezone.now()
    )


class Planned(NamedTuple):
    setting: Setting
    dimensions: list[Dimension]
    plan: Plan


def _planned(study: Study) -> Planned:
    """The study's setting (its candles with the warm-up its slowest combination needs), the
    numbers it varies and its plan, the same on every worker that asks."""
    document = rules.parse(study.document, base_timeframe=study.timeframe)
    dimensions, constraints = _space(document, study.dimensions, study.constraints)
    # The highest values are the slowest indicators' (periods): their warm-up covers all.
    slowest = with_parameters(document, {each.path: each.high for each in dimensions})
    first = study.start_ms - history_bars(slowest, study.timeframe) * timeframe_ms(study.timeframe)
    series = _series(study)
    candles = None if series is None else candles_read(series, start=first, end=study.end_ms)
    if candles is None or not len(candles):
        raise _Failed(errors.NO_CANDLES)
    start = int(np.searchsorted(candles.time, study.start_ms, "left"))
    setting = Setting(
        document=document,
        candles=candles,
        capital=float(study.capital),
        model=study.fill_model(),
        market=study.market_rules(),
        objective=study.objective,
        drawdown_limit=study.drawdown_limit,
        funding=_funding(study, candles, start),
    )
    plan = walk_forward_plan(
        setting,
        dimensions,
        constraints,
        start=start,
        in_sample_days=study.in_sample_days,
        out_of_sample_days=study.out_of_sample_days,
        anchored=study.anchored,
        method=Method(study.method, study.trials or 0, study.seed or 0),
    )
    return Planned(setting, dimensions, plan)


def _funding(study: Study, candles, start: int) -> np.ndarray | None:
    """On a perpetual, the published rates due during each bar from the period's start (the
    fill model's point 9), as the backtest studied paid them: its fill left them in the store,
    so nothing is fetched again. None elsewhere."""
    if not study.perpetual or study.exchange is None:
        return None
    try:
        series = funding_fill(
            exchange=study.exchange, symbol=study.symbol, start=study.start_ms, end=study.end_ms
        )
    except ccxt.BaseError as error:
        logger.warning("Study %s: %s %s", study.pk, type(error).__name__, error)
        raise _Failed(errors.NO_FUNDING) from None
    rates, _covered = funding_per_bar(series, candles.slice(start, len(candles)))
    return np.concatenate([np.zeros(start), rates])


def _series(study: Study) -> CandleSeries | None:
    """The candles the backtest read: the user's import, or the market's shared series."""
    if study.exchange is None:
        return study.series
    return series_for(exchange=study.exchange, symbol=study.symbol, timeframe=study.timeframe)


def _space(
    document: rules.Document, dimensions: list[dict], constraints: list[str]
) -> tuple[list[Dimension], list[Constraint]]:
    varied = [
        dimension(document, each["path"], each["low"], each["high"], each["step"])
        for each in dimensions
    ]
    return varied, [constraint(text, varied) for text in constraints]


def _choice(stored: dict | None) -> Choice | None:
    return None if stored is None else Choice(**stored)


def _span(times: np.ndarray, bars: slice, bar_ms: int) -> list[int]:
    """[first bar's open, last bar's close] of a window, in ms."""
    return [int(times[bars.start]), int(times[bars.stop - 1]) + bar_ms]


def _robustness(found) -> dict | None:
    if found is None:
        return None
    shown = dataclasses.asdict(found)
    shown["doubts"] = list(found.doubts)
    return shown


def _fail(study: Study, code: str, **params: object) -> None:
    with transaction.atomic():
        Study.objects.filter(pk=study.pk, status__in=ACTIVE_STUDY).update(
            status=StudyStatus.FAILED,
            error_code=code,
            error_params=params,
            finished_at=timezone.now(),
        )
        _drop_jobs(study.pk)


def _drop_jobs(study_id: int) -> None:
    long_job_drop(kind=LongJobKind.STUDY, target_id=study_id)
    folds = StudyFold.objects.filter(study_id=study_id).values("pk")
    long_jobs_drop(kind=LongJobKind.STUDY_FOLD, target_ids=folds)
