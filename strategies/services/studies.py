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
import time
from collections.abc import Iterator

import numpy as np
from django.db import transaction
from django.utils import timezone
from django_q.exceptions import TimeoutException

from strategies import rules
from strategies.engine.decide import IndicatorStore
from strategies.engine.study.heatmap import objective_grid
from strategies.engine.study.objective import OBJECTIVES
from strategies.engine.study.space import (
    SpaceError,
    grid,
)
from strategies.engine.study.tpe import GRID, METHODS
from strategies.engine.study.walk_forward import (
    Choice,
    FoldSearch,
    better_choice,
    fold_choice,
    fold_grid_part,
    walk_forward_assemble,
)
from strategies.models import (
    ACTIVE_STUDY,
    Backtest,
    BacktestStatus,
    LongJobKind,
    Study,
    StudyFold,
    StudyStatus,
)
from strategies.models.fill_columns import FillModelColumns, MarketColumns
from strategies.services import backtest_results as results
from strategies.services import study_errors as errors
from strategies.services.long_jobs import (
    Turn,
    long_job_beat,
    long_job_drop,
    long_job_queue,
    long_jobs_drop,
    long_jobs_queue_new,
)
from strategies.services.study_plans import StudyFailed, planned, space_of

logger = logging.getLogger(__name__)
BEAT_S = 10.0  # well inside the line's silence (strategies/services/long_jobs.py silent_after)
FOLD_TURN_S = 60.0  # a grid fold's turn at the least (study_fold_turn)
FOLD_PART = 100  # combinations searched between two looks at the clock


class StudyRefused(ValueError):
    """A study that cannot start, and the sentence that says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
        combinations = grid(document, *space_of(document, dimensions, constraints))
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
    """One fold's in-sample choice. A grid's search stops at the first part past `deadline`
    (or FOLD_TURN_S into the turn, whichever is later), keeps where it got to and its best so
    far, and goes on in its next turn; a TPE search (300 trials at most) is one turn."""
    fold = StudyFold.objects.select_related("study").filter(pk=fold_id).first()
    if fold is None or fold.done or fold.study.status != StudyStatus.CHOOSING:
        return Turn.DONE
    with _failures_told(fold.study):
        setting, _dimensions, plan = planned(fold.study)
        found = plan.folds[fold.number - 1]
        store, beat = IndicatorStore(setting.candles), _Heartbeat(fold.pk)
        if plan.method.name != GRID:
            _fold_chosen(fold, fold_choice(setting, store, plan, found, beat))
            return Turn.DONE
        # A turn starts again from the candles, the grid and the indicators: one much shorter
        # than FOLD_TURN_S would spend much of itself on that.
        stop_at = max(deadline, time.monotonic() + FOLD_TURN_S)
        progress = fold.progress or {"next": 0, "chosen": None}
        start, chosen = progress["next"], _choice(progress["chosen"])
        while start < len(plan.combinations):
            parts = slice(start, start + FOLD_PART)
            part = fold_grid_part(setting, store, plan, found, parts, beat)
            chosen, start = better_choice(chosen, part), parts.stop
            if start < len(plan.combinations) and time.monotonic() >= stop_at:
                kept = {"next": start, "chosen": chosen and dataclasses.asdict(chosen)}
                StudyFold.objects.filter(pk=fold.pk, done=False).update(progress=kept)
                return Turn.AGAIN
        _fold_chosen(fold, FoldSearch(chosen, []))
    return Turn.DONE


class _Heartbeat:
    """A fold's sign of life, written every BEAT_S seconds of its search at most: a search
    longer than the line's silence is not taken for a lost worker and handed out again."""

    def __init__(self, fold_id: int) -> None:
        self.fold_id, self.last = fold_id, time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self.last >= BEAT_S:
            long_job_beat(kind=LongJobKind.STUDY_FOLD, target_id=self.fold_id)
            self.last = time.monotonic()


@contextlib.contextmanager
def _failures_told(study: Study) -> Iterator[None]:
    """A turn's failure ends the study with a sentence: ours (the log gets the traceback), or
    the cluster's time limit, which is let through to stop the worker."""
    try:
        yield
    except StudyFailed as failed:
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
    plan = planned(study).plan
    if not plan.folds:
        raise StudyFailed(
            errors.NO_FOLDS, in_sample=study.in_sample_days, out=study.out_of_sample_days
        )
    with transaction.atomic():
        if not Study.objects.filter(pk=study.pk, status=StudyStatus.QUEUED).update(
            status=StudyStatus.CHOOSING, started_at=timezone.now()
        ):
            return Turn.DONE  # cancelled meanwhile
        folds = StudyFold.objects.bulk_create(
            StudyFold(study=study, number=fold.number) for fold in plan.folds
        )
        fold_ids = [fold.pk for fold in folds]
        long_jobs_queue_new(
            kind=LongJobKind.STUDY_FOLD, target_ids=fold_ids, owner_id=study.owner_id
        )
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
    setting, dimensions, plan = planned(study)
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
                "trials": fold.trials,
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
