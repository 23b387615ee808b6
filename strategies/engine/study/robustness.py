"""The robustness score: is a strategy's walk-forward result real or curve-fit?

Each fold's parameters are the best of its in-sample window, then run unchanged over the
out-of-sample window right after it. Returns are total returns (0.1 is +10 %), growth is
log(1 + return), and parameters are scaled to [0, 1] over the range searched.

efficiency       walk-forward efficiency: the out-of-sample growth per day over the in-sample
                 growth per day, each the mean over folds of log(1 + return) / days; clamped
                 to [0, 1]; 0 when the in-sample growth per day is 0 or negative (a strategy
                 that does not even win in-sample is not efficient).
consistency      out-of-sample robustness: the share of folds whose out-of-sample return is
                 above 0.
stability        1 minus the mean, over consecutive pairs of folds, of the mean absolute change
                 of the scaled parameters; 1 with a single fold or no parameters.
deflated_sharpe  the deflated Sharpe ratio of the stitched out-of-sample returns: the
                 probability that their true Sharpe ratio is above the best that the number of
                 parameter sets tried would reach by luck alone; left out of the score when not
                 computed.
score            the plain mean of efficiency, consistency, stability and (when computed)
                 deflated_sharpe: 0 to 1.
verdict          "robust" above 0.6, "curve_fit" below 0.4, else "uncertain".
trusted          at least 6 folds, consistency above 0.5, and no fold's out-of-sample return
                 below -10 %. Each condition that fails is listed as a doubt, in that order:
                 "few_folds", "inconsistent", "deep_fold".
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import fmean

ROBUST_ABOVE, CURVE_FIT_BELOW = 0.6, 0.4
MIN_FOLDS, MIN_CONSISTENCY, WORST_FOLD = 6, 0.5, -0.10


@dataclass(frozen=True)
class FoldOutcome:
    in_sample_return: float  # total return (0.1 = +10 %) of the best parameters, in-sample
    out_of_sample_return: float  # the same parameters' total return over the out-of-sample
    in_sample_days: float
    out_of_sample_days: float
    parameters: tuple[float, ...]  # the best parameters, each scaled to [0, 1] over its range


@dataclass(frozen=True)
class Robustness:
    score: float  # 0 to 1
    efficiency: float  # 0 to 1
    consistency: float  # 0 to 1: "out-of-sample robustness"
    stability: float  # 0 to 1
    deflated_sharpe: float | None
    folds: int
    worst_fold_return: float
    verdict: str  # "robust", "uncertain" or "curve_fit"
    trusted: bool
    doubts: tuple[str, ...]  # why it is not trusted: "few_folds", "inconsistent", "deep_fold"


def robustness(folds: Sequence[FoldOutcome], deflated_sharpe: float | None = None) -> Robustness:
    """The robustness of a walk-forward study's folds (the module's docstring is the formula)."""
    _check(folds, deflated_sharpe)
    components = [efficiency(folds), consistency(folds), stability(folds)]
    if deflated_sharpe is not None:
        components.append(deflated_sharpe)
    # fmean sums exactly (math.fsum), so a score on a threshold reads as that threshold.
    score = fmean(components)
    doubts = _doubts(folds)
    return Robustness(
        score=score,
        efficiency=components[0],
        consistency=components[1],
        stability=components[2],
        deflated_sharpe=deflated_sharpe,
        folds=len(folds),
        worst_fold_return=min(fold.out_of_sample_return for fold in folds),
        verdict=verdict(score),
        trusted=not doubts,
        doubts=doubts,
    )


def efficiency(folds: Sequence[FoldOutcome]) -> float:
    """Out-of-sample growth per day over in-sample growth per day, clamped to [0, 1]."""
    in_sample = fmean(_growth_per_day(f.in_sample_return, f.in_sample_days) for f in folds)
    if in_sample <= 0:
        # Dividing by a loss would turn two losses into a high efficiency.
        return 0.0
    out_of_sample = fmean(
        _growth_per_day(f.out_of_sample_return, f.out_of_sample_days) for f in folds
    )
    return min(1.0, max(0.0, out_of_sample / in_sample))


def consistency(folds: Sequence[FoldOutcome]) -> float:
    """The share of folds that made money out of sample."""
    return sum(fold.out_of_sample_return > 0 for fold in folds) / len(folds)


def stability(folds: Sequence[FoldOutcome]) -> float:
    """1 minus the mean change of the scaled parameters from one fold to the next: parameters
    that jump around the range from fold to fold were fitted to noise."""
    changes = [
        fmean(abs(after - before) for before, after in zip(earlier, later, strict=True))
        for earlier, later in _consecutive_parameters(folds)
    ]
    return 1.0 - fmean(changes) if changes else 1.0


def verdict(score: float) -> str:
    if score > ROBUST_ABOVE:
        return "robust"
    if score < CURVE_FIT_BELOW:
        return "curve_fit"
    return "uncertain"


def _growth_per_day(total_return: float, days: float) -> float:
    # Log growth adds up over time, so a fold's growth divided by its days compares folds (and
    # in-sample with out-of-sample windows) of different lengths.
    return math.log1p(total_return) / days


def _consecutive_parameters(
    folds: Sequence[FoldOutcome],
) -> list[tuple[tuple[float, ...], tuple[float, ...]]]:
    """Each pair of consecutive folds' parameters; none when there are no parameters."""
    if not folds[0].parameters:
        return []
    return [(earlier.parameters, later.parameters) for earlier, later in pairwise(folds)]


def _doubts(folds: Sequence[FoldOutcome]) -> tuple[str, ...]:
    failed = {
        "few_folds": len(folds) < MIN_FOLDS,
        "inconsistent": not consistency(folds) > MIN_CONSISTENCY,
        "deep_fold": any(fold.out_of_sample_return < WORST_FOLD for fold in folds),
    }
    return tuple(code for code, fails in failed.items() if fails)


def _check(folds: Sequence[FoldOutcome], deflated_sharpe: float | None) -> None:
    if not folds:
        raise ValueError("no folds: a robustness score needs at least one walk-forward fold")
    for number, fold in enumerate(folds, start=1):
        _check_fold(number, fold, len(folds[0].parameters))
    if deflated_sharpe is not None and not 0 <= deflated_sharpe <= 1:
        raise ValueError(f"the deflated Sharpe ratio is a probability, got {deflated_sharpe}")


def _check_fold(number: int, fold: FoldOutcome, parameter_count: int) -> None:
    windows = {
        "in-sample": (fold.in_sample_return, fold.in_sample_days),
        "out-of-sample": (fold.out_of_sample_return, fold.out_of_sample_days),
    }
    for window, (total_return, days) in windows.items():
        if not math.isfinite(total_return) or not math.isfinite(days):
            raise ValueError(f"fold {number}: the {window} return and days must be numbers")
        if total_return <= -1:
            raise ValueError(
                f"fold {number}: an {window} return of {total_return} means the account was "
                "wiped out (-100 % or worse); its log growth is undefined"
            )
        if days <= 0:
            raise ValueError(f"fold {number}: the {window} window must last more than 0 days")
    if len(fold.parameters) != parameter_count:
        raise ValueError(
            f"fold {number}: {len(fold.parameters)} parameters where fold 1 has {parameter_count}"
        )
    if not all(0 <= value <= 1 for value in fold.parameters):
        raise ValueError(
            f"fold {number}: parameters must be scaled to [0, 1], got {fold.parameters}"
        )
