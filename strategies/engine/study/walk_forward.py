"""A walk-forward test: in each fold, the parameters that scored best in-sample are traded on
the out-of-sample window that follows, which no trial saw. The out-of-sample windows stitched
together are what the strategy, re-optimised as a user would, would have made.

Every window starts and ends flat: each trial leaves its position at the open of its period's
last bar, with the fill model's slippage and fee (search.py), and the next window trades
what the last one left. A fold where no trial could be ranked in-sample trades nothing out
of sample: it counts as a fold that made nothing. An account wiped out trades no more.
"""

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from strategies.engine.decide import IndicatorStore
from strategies.engine.metrics import ANNUALISE, daily_returns
from strategies.engine.study.deflated import deflated_sharpe
from strategies.engine.study.folds import DAY_MS, Fold, walk_forward_folds
from strategies.engine.study.robustness import FoldOutcome, Robustness, robustness
from strategies.engine.study.search import Period, Setting, Trial, best_trial, run_trial, search
from strategies.engine.study.space import (
    Constraint,
    Dimension,
    combination_key,
    grid,
    seeded_sample,
)
from strategies.engine.study.tpe import EVERY_COMBINATION, GRID, Method, tpe_search

# A window that lost the whole account (or more, short) counts as losing 99.99 % of it: the
# robustness score takes logs of growth, and such a fold is what its "deep fold" doubt is for.
WIPED_OUT = -0.9999


@dataclass(frozen=True)
class Choice:
    """A fold's in-sample best, as a study keeps it between its tasks: the parameters, their
    score and what they made in-sample."""

    parameters: Mapping[str, float]
    score: float | None
    in_sample_return: float


@dataclass(frozen=True)
class FoldSearch:
    """What a fold's search found: its choice (None when no trial could be ranked) and the
    combinations it tried, in order."""

    chosen: Choice | None
    tried: Sequence[Mapping[str, float]]


@dataclass(frozen=True)
class FoldResult:
    fold: Fold
    trials: int
    chosen: Choice | None  # the in-sample best; None when no trial could be ranked
    out_of_sample: Trial | None  # the chosen parameters over the out-of-sample window

    @property
    def parameters(self) -> Mapping[str, float] | None:
        return self.chosen.parameters if self.chosen else None

    @property
    def in_sample_return(self) -> float:
        return self.chosen.in_sample_return if self.chosen else 0.0

    @property
    def out_of_sample_return(self) -> float:
        return self.out_of_sample.result.stats.total_return if self.out_of_sample else 0.0


@dataclass(frozen=True)
class WalkForward:
    folds: list[FoldResult]
    times: np.ndarray  # bar opens of the out-of-sample windows, one after another
    equity: np.ndarray  # the stitched out-of-sample equity at those bars' closes
    trial_sharpes: np.ndarray  # every combination's daily Sharpe ratio over the whole period
    # Every combination tried (the grid, or what TPE tried in any fold) and its objective over
    # the whole period (None: it cannot be ranked): the page's heatmap over two of the numbers.
    period_combinations: Sequence[Mapping[str, float]]
    period_scores: list[float | None]
    deflated_sharpe: float | None
    robustness: Robustness | None  # None without any fold


@dataclass(frozen=True)
class Plan:
    """What every step of a walk-forward shares: its folds (bar indices from `start`), the
    combinations a fold may search (the grid), the bar its history's trading starts at, how
    each fold searches, and each number's values ({path: values})."""

    folds: list[Fold]
    combinations: Sequence[Mapping[str, float]]
    start: int
    method: Method
    values: Mapping[str, Sequence[float]]

    @property
    def trials_per_fold(self) -> int:
        everything = len(self.combinations)
        return everything if self.method.name == GRID else min(self.method.trials, everything)


def walk_forward(
    setting: Setting,
    dimensions: Sequence[Dimension],
    constraints: Sequence[Constraint] = (),
    *,
    start: int,
    in_sample_days: int = 60,
    out_of_sample_days: int = 30,
    anchored: bool = False,
    method: Method = EVERY_COMBINATION,
) -> WalkForward:
    """The folds over the history's bars from `start` (the bars before are warm-up for the
    slowest combination), each fold's search and out-of-sample trade, the stitched equity,
    the deflated Sharpe ratio of its daily returns and the robustness score. The same three
    steps a study runs as separate tasks: the plan, each fold's choice (independent of the
    others), and the assembly."""
    plan = walk_forward_plan(
        setting,
        dimensions,
        constraints,
        start=start,
        in_sample_days=in_sample_days,
        out_of_sample_days=out_of_sample_days,
        anchored=anchored,
        method=method,
    )
    store = IndicatorStore(setting.candles)
    searches = [fold_choice(setting, store, plan, fold) for fold in plan.folds]
    choices = [each.chosen for each in searches]
    tried = [each.tried for each in searches]
    return walk_forward_assemble(setting, store, dimensions, plan, choices, tried)


def walk_forward_plan(
    setting: Setting,
    dimensions: Sequence[Dimension],
    constraints: Sequence[Constraint] = (),
    *,
    start: int,
    in_sample_days: int = 60,
    out_of_sample_days: int = 30,
    anchored: bool = False,
    method: Method = EVERY_COMBINATION,
) -> Plan:
    """The folds over the history's bars from `start`, and the combinations to search."""
    folds = walk_forward_folds(
        setting.candles.time[start:],
        setting.candles.bar_ms,
        in_sample_days=in_sample_days,
        out_of_sample_days=out_of_sample_days,
        anchored=anchored,
    )
    combinations = grid(setting.document, dimensions, constraints)
    values = {each.path: each.values for each in dimensions}
    return Plan(folds, combinations, start, method, values)


def fold_choice(
    setting: Setting,
    store: IndicatorStore,
    plan: Plan,
    fold: Fold,
    beat: Callable[[], None] = lambda: None,
) -> FoldSearch:
    """The fold's in-sample search (every combination, or the TPE sampler's, seeded with the
    plan's seed plus the fold's number) and its best; `beat()` after each trial."""
    period = _shifted(fold.in_sample, plan.start)
    if plan.method.name == GRID:
        trials = search(setting, store, plan.combinations, period, beat)
    else:
        trials = tpe_search(
            setting,
            store,
            plan.combinations,
            plan.values,
            period,
            trials=plan.method.trials,
            seed=plan.method.seed + fold.number,
            beat=beat,
        )
    tried = [trial.parameters for trial in trials]
    chosen = best_trial(trials)
    if chosen is None:
        return FoldSearch(None, tried)
    return FoldSearch(
        Choice(chosen.parameters, chosen.score, chosen.result.stats.total_return), tried
    )


def fold_grid_part(
    setting: Setting,
    store: IndicatorStore,
    plan: Plan,
    fold: Fold,
    parts: slice,
    beat: Callable[[], None] = lambda: None,
) -> Choice | None:
    """The in-sample best of the grid's combinations `parts` (a grid fold searched in turns);
    None when none of them can be ranked. `better_choice` of the parts in order is the whole
    grid's choice."""
    period = _shifted(fold.in_sample, plan.start)
    chosen = best_trial(search(setting, store, plan.combinations[parts], period, beat))
    if chosen is None:
        return None
    return Choice(chosen.parameters, chosen.score, chosen.result.stats.total_return)


def better_choice(first: Choice | None, later: Choice | None) -> Choice | None:
    """The better of a choice and one from combinations later in the grid: the first of
    equals, as a whole search chooses."""
    if later is None or later.score is None:
        return first
    if first is None or first.score is None or later.score > first.score:
        return later
    return first


def walk_forward_assemble(
    setting: Setting,
    store: IndicatorStore,
    dimensions: Sequence[Dimension],
    plan: Plan,
    choices: Sequence[Choice | None],
    tried: Sequence[Sequence[Mapping[str, float]]] = (),
) -> WalkForward:
    """Each fold's choice traded out of sample with what the windows before left, the stitched
    equity, the deflated Sharpe ratio and the robustness score. The deflated Sharpe ratio's
    trials are what the folds `tried` together (each fold's combinations, TPE's; the plan's
    grid when not given). Its spread of Sharpe ratios is the grid's, or for TPE a seeded
    uniform sample of the grid as large: TPE's trials crowd near the best, and their spread
    alone would make luck look rarer than it is."""
    candles = setting.candles
    results, pieces, times, level = [], [], [], setting.capital
    counts = [len(each) for each in tried] if tried else [plan.trials_per_fold] * len(choices)
    for fold, chosen, count in zip(plan.folds, choices, counts, strict=True):
        out_of_sample = _shifted(fold.out_of_sample, plan.start)
        times.append(candles.time[out_of_sample.start : out_of_sample.stop])
        traded = None
        if chosen is not None and level > 0:
            # Traded with what the windows before left (sizing need not scale with capital).
            account = dataclasses.replace(setting, capital=level)
            traded = run_trial(account, store, chosen.parameters, out_of_sample)
        results.append(FoldResult(fold, count, chosen, traded))
        curve = traded.result.equity if traded else np.full(out_of_sample.bars, level)
        pieces.append(np.maximum(curve, 0.0))  # a wiped-out account trades no more
        level = float(pieces[-1][-1]) if len(curve) else level
    opens = np.concatenate(times) if times else np.empty(0, dtype=np.int64)
    equity = np.concatenate(pieces) if pieces else np.empty(0)
    combinations = _together(tried) if tried else plan.combinations
    period = Period(plan.start, len(candles))
    whole = search(setting, store, combinations, period)
    spread = whole
    if tried:
        sample = seeded_sample(plan.combinations, len(combinations), plan.method.seed)
        spread = search(setting, store, sample, period)
    sharpes = _period_sharpes(spread)
    deflated = _deflated(equity, opens, setting.capital, sharpes, len(combinations))
    outcomes = _outcomes(results, dimensions, candles.bar_ms)
    return WalkForward(
        folds=results,
        times=opens,
        equity=equity,
        trial_sharpes=sharpes,
        period_combinations=combinations,
        period_scores=[trial.score for trial in whole],
        deflated_sharpe=deflated,
        robustness=robustness(outcomes, deflated) if outcomes else None,
    )


def _together(tried: Sequence[Sequence[Mapping[str, float]]]) -> list[Mapping[str, float]]:
    """Every combination some fold tried, once each, in the order they were first tried."""
    seen: dict[tuple, Mapping[str, float]] = {}
    for each in tried:
        for parameters in each:
            seen.setdefault(combination_key(parameters), parameters)
    return list(seen.values())


def _shifted(bars: slice, start: int) -> Period:
    return Period(bars.start + start, bars.stop + start)


def _period_sharpes(trials: Sequence[Trial]) -> np.ndarray:
    """Every combination's daily Sharpe ratio over the whole study period: the trials the
    choices were made among, measured over a horizon like the stitched windows' (a Sharpe
    ratio over 60 days spreads far wider than one over the whole period, and would deflate
    any result). A combination whose Sharpe ratio cannot be computed (it never traded)
    counts as 0."""
    sharpes = [t.result.stats.sharpe or 0.0 for t in trials]
    return np.array(sharpes, dtype=np.float64) / ANNUALISE


def _deflated(
    equity: np.ndarray, times: np.ndarray, capital: float, sharpes: np.ndarray, trials: int
) -> float | None:
    """The deflated Sharpe ratio of the stitched daily returns: the folds chose among `trials`
    combinations tried in all, whose Sharpe ratios spread as `sharpes` do."""
    if not len(equity) or not len(sharpes):
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
                in_sample_return=max(result.in_sample_return, WIPED_OUT),
                out_of_sample_return=max(result.out_of_sample_return, WIPED_OUT),
                in_sample_days=_days(fold.in_sample, bar_ms),
                out_of_sample_days=_days(fold.out_of_sample, bar_ms),
                parameters=previous,
            )
        )
    return outcomes


def _days(bars: slice, bar_ms: int) -> float:
    return (bars.stop - bars.start) * bar_ms / DAY_MS
