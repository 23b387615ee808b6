"""A walk-forward test: in each fold, the parameters that scored best in-sample are traded on
the out-of-sample window that follows, which no trial saw. The out-of-sample windows stitched
together are what the strategy, re-optimised as a user would, would have made.

Each window starts flat (a position open at the end of one is closed by its backtest's end,
marked at the last close, not carried into the next). A fold where no trial could be ranked
in-sample trades nothing out of sample: it counts as a fold that made nothing.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from strategies.engine.decide import IndicatorStore
from strategies.engine.metrics import ANNUALISE, daily_returns
from strategies.engine.study.deflated import deflated_sharpe
from strategies.engine.study.folds import DAY_MS, Fold, walk_forward_folds
from strategies.engine.study.robustness import FoldOutcome, Robustness, robustness
from strategies.engine.study.search import Period, Setting, Trial, best_trial, run_trial, search
from strategies.engine.study.space import Constraint, Dimension, grid


@dataclass(frozen=True)
class FoldResult:
    fold: Fold
    trials: int
    chosen: Trial | None  # the in-sample best; None when no trial could be ranked
    out_of_sample: Trial | None  # the chosen parameters over the out-of-sample window

    @property
    def parameters(self) -> Mapping[str, float] | None:
        return self.chosen.parameters if self.chosen else None

    @property
    def in_sample_return(self) -> float:
        return self.chosen.result.stats.total_return if self.chosen else 0.0

    @property
    def out_of_sample_return(self) -> float:
        return self.out_of_sample.result.stats.total_return if self.out_of_sample else 0.0


@dataclass(frozen=True)
class WalkForward:
    folds: list[FoldResult]
    times: np.ndarray  # bar opens of the out-of-sample windows, one after another
    equity: np.ndarray  # the stitched out-of-sample equity at those bars' closes
    trial_sharpes: np.ndarray  # every ranked in-sample trial's daily Sharpe ratio
    deflated_sharpe: float | None
    robustness: Robustness | None  # None without any fold


def walk_forward(
    setting: Setting,
    dimensions: Sequence[Dimension],
    constraints: Sequence[Constraint] = (),
    *,
    start: int,
    in_sample_days: int = 60,
    out_of_sample_days: int = 30,
    anchored: bool = False,
) -> WalkForward:
    """The folds over the history's bars from `start` (the bars before are warm-up for the
    slowest combination), each fold's search and out-of-sample trade, the stitched equity,
    the deflated Sharpe ratio of its daily returns and the robustness score."""
    candles = setting.candles
    bar_ms = candles.bar_ms
    folds = walk_forward_folds(
        candles.time[start:],
        bar_ms,
        in_sample_days=in_sample_days,
        out_of_sample_days=out_of_sample_days,
        anchored=anchored,
    )
    combinations = grid(setting.document, dimensions, constraints)
    store = IndicatorStore(candles)
    results, sharpes = [], []
    for fold in folds:
        in_sample = _shifted(fold.in_sample, start)
        out_of_sample = _shifted(fold.out_of_sample, start)
        trials = search(setting, store, combinations, in_sample)
        sharpes += [t.result.stats.sharpe for t in trials if t.result.stats.sharpe is not None]
        chosen = best_trial(trials)
        traded = run_trial(setting, store, chosen.parameters, out_of_sample) if chosen else None
        results.append(FoldResult(fold, len(trials), chosen, traded))
    times, equity = _stitched(results, setting, start)
    daily_sharpes = np.array(sharpes, dtype=np.float64) / ANNUALISE
    deflated = _deflated(equity, times, setting.capital, daily_sharpes, len(combinations))
    outcomes = _outcomes(results, dimensions, bar_ms)
    return WalkForward(
        folds=results,
        times=times,
        equity=equity,
        trial_sharpes=daily_sharpes,
        deflated_sharpe=deflated,
        robustness=robustness(outcomes, deflated) if outcomes else None,
    )


def _shifted(bars: slice, start: int) -> Period:
    return Period(bars.start + start, bars.stop + start)


def _stitched(
    results: Sequence[FoldResult], setting: Setting, start: int
) -> tuple[np.ndarray, np.ndarray]:
    """The out-of-sample windows' equity one after another, each window compounding on where
    the last one ended; a window without a choice holds its cash."""
    times, pieces, level = [], [], setting.capital
    for result in results:
        window = _shifted(result.fold.out_of_sample, start)
        times.append(setting.candles.time[window.start : window.stop])
        if result.out_of_sample is None:
            pieces.append(np.full(window.bars, level))
            continue
        curve = result.out_of_sample.result.equity * (level / setting.capital)
        pieces.append(curve)
        level = float(curve[-1]) if len(curve) else level
    if not pieces:
        return np.empty(0, dtype=np.int64), np.empty(0)
    return np.concatenate(times), np.concatenate(pieces)


def _deflated(
    equity: np.ndarray, times: np.ndarray, capital: float, sharpes: np.ndarray, trials: int
) -> float | None:
    """The deflated Sharpe ratio of the stitched daily returns: each fold chose among `trials`
    combinations, whose Sharpe ratios spread as every ranked in-sample trial's did."""
    if not len(equity) or len(sharpes) < 2:
        return None
    return deflated_sharpe(daily_returns(equity, times, capital), sharpes, trials=trials)


def _outcomes(
    results: Sequence[FoldResult], dimensions: Sequence[Dimension], bar_ms: int
) -> list[FoldOutcome]:
    """The folds as the robustness score reads them: returns, lengths in days, and the chosen
    parameters scaled to their ranges (a fold without a choice keeps the previous fold's)."""
    outcomes: list[FoldOutcome] = []
    previous = tuple(0.5 for _ in dimensions)
    for result in results:
        if result.parameters is not None:
            previous = tuple(d.scaled(result.parameters[d.path]) for d in dimensions)
        fold = result.fold
        outcomes.append(
            FoldOutcome(
                in_sample_return=result.in_sample_return,
                out_of_sample_return=result.out_of_sample_return,
                in_sample_days=_days(fold.in_sample, bar_ms),
                out_of_sample_days=_days(fold.out_of_sample, bar_ms),
                parameters=previous,
            )
        )
    return outcomes


def _days(bars: slice, bar_ms: int) -> float:
    return (bars.stop - bars.start) * bar_ms / DAY_MS
