"""Monte Carlo on a report's closed trades: how deep the drawdown and how far the final return
could have gone had the same kind of trades come in another order or another mix.

Each trade becomes a return on the equity it was entered with (one position at a time), equity
starts at 1 and is multiplied by 1 + r trade after trade. Two methods:

reshuffle   every run takes all trades once, in a random order (a permutation test). The final
            return is the same in every run, up to rounding, because a product does not depend
            on its order: only the path, hence the drawdown, changes. That is the point: it asks
            whether the backtest's drawdown was a lucky ordering.
bootstrap   every run draws as many trades as there are, with replacement (Efron's bootstrap,
            B. Efron, "Bootstrap Methods: Another Look at the Jackknife", Annals of Statistics 7
            (1), 1979). Some trades repeat and others drop out, so it tests the final return and
            the drawdown both.

A run's maximum drawdown is the largest 1 - equity / running peak, the starting equity 1 counted
as a peak so that a first losing trade is a drawdown; its final return is the last equity - 1.
The 5th, 50th and 95th percentiles are numpy's linear interpolation between order statistics.

The draws follow a fixed protocol, so that a test can repeat them: rng =
np.random.default_rng(seed); reshuffle: order = argsort(rng.random((runs, n)), axis=1, stable);
bootstrap: order = rng.integers(0, n, size=(runs, n)); run k plays returns[order[k]]. Every run
is computed at once on runs x trades arrays.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

METHODS = ("reshuffle", "bootstrap")


@dataclass(frozen=True)
class Percentiles:
    p5: float
    p50: float
    p95: float


@dataclass(frozen=True)
class MonteCarlo:
    method: str  # "reshuffle" or "bootstrap"
    runs: int
    max_drawdown: Percentiles  # fractions: 0.25 is a 25 % fall from the running peak
    final_return: Percentiles  # fractions: 0.10 is +10 % on the starting equity
    drawdowns: np.ndarray  # every run's maximum drawdown, sorted ascending (for a histogram)
    returns: np.ndarray  # every run's final return, sorted ascending


def trade_returns(pnls: Sequence[float], capital: float) -> np.ndarray:
    """Each closed trade's return on the equity it was entered with, trades in the order they
    closed, one position at a time: r_k = pnl_k / (capital + sum of the pnls before k).

    Returns on the equity of the day, not on the capital, so that compounding them gives back the
    report's final equity: prod(1 + r_k) = (capital + sum of pnls) / capital."""
    if capital <= 0:
        raise ValueError(f"capital must be positive, got {capital}")
    pnl = np.asarray(pnls, dtype=np.float64)
    entered_with = np.full(len(pnl), float(capital))
    entered_with[1:] += np.cumsum(pnl[:-1])
    if np.any(entered_with <= 0):
        raise ValueError("equity before a trade is not positive: no return can be taken on it")
    return pnl / entered_with


def monte_carlo(returns: np.ndarray, *, method: str, runs: int = 1000, seed: int = 0) -> MonteCarlo:
    """`runs` runs of the trade `returns` (fractions, in the order they closed) by `method`,
    reshuffle or bootstrap (see the module docstring), seeded by `seed` so a study can be
    repeated. The reshuffle's final return is the same in every run: only its drawdowns say
    something."""
    trades = _validated_returns(returns)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: choose one of {', '.join(METHODS)}")
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    order = _draw_order(method, runs, len(trades), np.random.default_rng(seed))
    equity = np.cumprod(1.0 + trades[order], axis=1)
    drawdowns = np.sort(_max_drawdowns(equity))
    finals = np.sort(equity[:, -1] - 1.0)
    return MonteCarlo(
        method=method,
        runs=runs,
        max_drawdown=_percentiles(drawdowns),
        final_return=_percentiles(finals),
        drawdowns=drawdowns,
        returns=finals,
    )


def as_happened(returns: np.ndarray) -> tuple[float, float]:
    """(maximum drawdown, final return) of the trades in the order they closed: the same
    measures as every run's, for the run that actually happened."""
    equity = np.cumprod(1.0 + _validated_returns(returns))[np.newaxis, :]
    return float(_max_drawdowns(equity)[0]), float(equity[0, -1] - 1.0)


def _validated_returns(returns: np.ndarray) -> np.ndarray:
    trades = np.asarray(returns, dtype=np.float64)
    if trades.ndim != 1 or len(trades) == 0:
        raise ValueError("returns must be a non-empty one-dimensional list of trade returns")
    if not np.all(np.isfinite(trades)):
        raise ValueError("returns must all be finite")
    if np.any(trades <= -1):
        # Impossible for a spot long, yet a short or a bad input would make equity zero or
        # negative, where a fall from the peak means nothing.
        raise ValueError("a trade return of -1 (-100 %) or below leaves no equity to go on with")
    return trades


def _draw_order(method: str, runs: int, trades: int, rng: np.random.Generator) -> np.ndarray:
    """runs x trades indices into the returns. Random keys sorted stably rather than
    rng.permutation row by row: one call draws every run, and the protocol stays simple enough
    for a test to repeat."""
    if method == "reshuffle":
        return np.argsort(rng.random((runs, trades)), axis=1, kind="stable")
    return rng.integers(0, trades, size=(runs, trades))


def _max_drawdowns(equity: np.ndarray) -> np.ndarray:
    """Each row's largest 1 - equity / running peak, the starting equity 1 a peak too."""
    peaks = np.maximum(np.maximum.accumulate(equity, axis=1), 1.0)
    return np.max(1.0 - equity / peaks, axis=1)


def _percentiles(values: np.ndarray) -> Percentiles:
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return Percentiles(p5=float(p5), p50=float(p50), p95=float(p95))
