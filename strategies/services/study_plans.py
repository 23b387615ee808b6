"""What every task of a study starts from: its setting (the candles with the warm-up its
slowest combination needs, the account, the fill model, the objective, a perpetual's funding),
the numbers it varies and its plan, the same on every worker that asks (services/studies.py
runs the tasks).

planned(study)                       Planned(setting, dimensions, plan); StudyFailed with a code
space_of(document, dimensions, constraints)   the space the study's JSON describes
"""

import logging
from typing import NamedTuple

import ccxt
import numpy as np

from strategies import rules
from strategies.candles.funding import funding_fill, funding_per_bar
from strategies.candles.store import candles_read, series_for
from strategies.engine import history_bars
from strategies.engine.study.search import Setting
from strategies.engine.study.space import (
    Constraint,
    Dimension,
    constraint,
    dimension,
    with_parameters,
)
from strategies.engine.study.tpe import Method
from strategies.engine.study.walk_forward import Plan, walk_forward_plan
from strategies.models import CandleSeries, Study
from strategies.series import timeframe_ms
from strategies.services import study_errors as errors

logger = logging.getLogger(__name__)


class StudyFailed(Exception):
    """A study that cannot go on: `code` (study_errors) and its values."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


class Planned(NamedTuple):
    setting: Setting
    dimensions: list[Dimension]
    plan: Plan


def planned(study: Study) -> Planned:
    """The study's setting (its candles with the warm-up its slowest combination needs), the
    numbers it varies and its plan, the same on every worker that asks."""
    document = rules.parse(study.document, base_timeframe=study.timeframe)
    dimensions, constraints = space_of(document, study.dimensions, study.constraints)
    # The highest values are the slowest indicators' (periods): their warm-up covers all.
    slowest = with_parameters(document, {each.path: each.high for each in dimensions})
    first = study.start_ms - history_bars(slowest, study.timeframe) * timeframe_ms(study.timeframe)
    series = _series(study)
    candles = None if series is None else candles_read(series, start=first, end=study.end_ms)
    if candles is None or not len(candles):
        raise StudyFailed(errors.NO_CANDLES)
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
        raise StudyFailed(errors.NO_FUNDING) from None
    rates, _covered = funding_per_bar(series, candles.slice(start, len(candles)))
    return np.concatenate([np.zeros(start), rates])


def _series(study: Study) -> CandleSeries | None:
    """The candles the backtest read: the user's import, or the market's shared series."""
    if study.exchange is None:
        return study.series
    return series_for(exchange=study.exchange, symbol=study.symbol, timeframe=study.timeframe)


def space_of(
    document: rules.Document, dimensions: list[dict], constraints: list[str]
) -> tuple[list[Dimension], list[Constraint]]:
    varied = [
        dimension(document, each["path"], each["low"], each["high"], each["step"])
        for each in dimensions
    ]
    return varied, [constraint(text, varied) for text in constraints]
