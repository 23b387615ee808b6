"""Trials: one document's parameter combinations backtested over one period of a history and
ranked by the study's objective.

Every trial is a full backtest (decisions, the fill model, the statistics), the same code a
report runs, that leaves its position at the open of the period's last bar (as a paper run's
"close the position" does): a study's best parameters give the same trades as such a
backtest of the same bars alone. Indicator values come from one IndicatorStore per history:
trials that share an indicator's parameters (every trial varying only the slow EMA shares the
fast one) compute it once, and so do the folds of a walk-forward.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from strategies.engine.backtest import Backtest, backtest
from strategies.engine.decide import IndicatorStore
from strategies.engine.fills import FillModel, Market
from strategies.engine.study.objective import objective_value
from strategies.engine.study.space import with_parameters
from strategies.rules.document import Document
from strategies.series import Candles


@dataclass(frozen=True)
class Setting:
    """What every trial of a study shares: the document, the whole history (warm-up included),
    the account and the fill model, the objective and its drawdown limit, and on a perpetual
    the funding rates of each candle (None elsewhere)."""

    document: Document
    candles: Candles
    capital: float
    model: FillModel
    market: Market
    objective: str
    drawdown_limit: float | None = None
    funding: np.ndarray | None = None


@dataclass(frozen=True)
class Period:
    """Bars start..stop-1 of the history are traded and scored; the bars before only feed the
    indicators (start must leave them their warm-up)."""

    start: int
    stop: int

    @property
    def bars(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class Trial:
    parameters: Mapping[str, float]
    score: float | None  # None: it cannot be ranked (see objective.py)
    result: Backtest


def run_trial(
    setting: Setting, store: IndicatorStore, parameters: Mapping[str, float], period: Period
) -> Trial:
    """One combination's backtest over `period`, and its score."""
    candles = setting.candles.slice(0, period.stop)
    result = backtest(
        with_parameters(setting.document, parameters),
        candles,
        capital=setting.capital,
        model=setting.model,
        market=setting.market,
        warmup=period.start,
        # Flat at the end: the last bar's open closes what is held, its costs paid, so a
        # period's result is money in hand (and the next walk-forward window starts flat).
        flatten_at=period.bars - 2 if period.bars >= 2 else None,
        funding=None if setting.funding is None else setting.funding[: period.stop],
        store=store,
    )
    score = objective_value(result.stats, setting.objective, setting.drawdown_limit)
    return Trial(parameters, score, result)


def search(
    setting: Setting,
    store: IndicatorStore,
    combinations: Sequence[Mapping[str, float]],
    period: Period,
    beat: Callable[[], None] = lambda: None,
) -> list[Trial]:
    """Every combination's trial over `period`, in the combinations' order; `beat()` after
    each (a worker's sign of life: a long search is not a lost one)."""
    trials = []
    for parameters in combinations:
        trials.append(run_trial(setting, store, parameters, period))
        beat()
    return trials


def best_trial(trials: Sequence[Trial]) -> Trial | None:
    """The highest-scoring trial (the first of equals: a grid's order is the user's); None
    when none can be ranked."""
    ranked = [trial for trial in trials if trial.score is not None]
    return max(ranked, key=lambda trial: trial.score or 0.0) if ranked else None
