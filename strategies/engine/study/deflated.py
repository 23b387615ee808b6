"""The deflated Sharpe ratio (DSR): the probability that a strategy's true Sharpe ratio beats the
best one that luck alone would have shown, given how many configurations were tried.

Source: D. H. Bailey and M. López de Prado, "The Deflated Sharpe Ratio: Correcting for Selection
Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40 (5), 2014,
pp. 94-107 (https://ssrn.com/abstract=2460551).

Method, with every Sharpe ratio per period (daily, say), never annualized, g the
Euler-Mascheroni constant, Z the standard normal distribution function and Z⁻¹ its quantile:

SR0    the expected maximum of N estimated Sharpe ratios whose true value is 0 and whose variance
       across trials is V: sqrt(V) ((1 - g) Z⁻¹(1 - 1/N) + g Z⁻¹(1 - 1/(N e))) (the paper's
       approximation of E[max SR_n], after extreme value theory). One trial: 0 (nothing was
       selected, so there is no luck of the draw to remove).
PSR    the probabilistic Sharpe ratio, the probability that the true Sharpe beats a benchmark SR*
       given an estimate SR over T returns of skewness "skew" and kurtosis "kurt" (3 for a
       normal, not the excess; both population moments, as in the paper):
       Z[(SR - SR*) sqrt(T - 1) / sqrt(1 - skew SR + (kurt - 1)/4 SR²)].
DSR    PSR with SR* = SR0, N the number of trials and V the sample variance of their Sharpe
       ratios.

The normal distribution comes from the standard library (statistics.NormalDist): production
installs numpy only.
"""

import math
from statistics import NormalDist

import numpy as np

EULER_GAMMA = 0.5772156649015329

_NORMAL = NormalDist()


def expected_max_sharpe(trials: int, variance: float) -> float:
    """SR0: the Sharpe ratio the best of `trials` independent trials would show by luck alone when
    each trial's true Sharpe is 0 and their estimated Sharpe ratios have `variance` (per period,
    not annualized): sqrt(V) * ((1 - g) Z⁻¹(1 - 1/N) + g Z⁻¹(1 - 1/(N e))). One trial: 0."""
    if trials < 1:
        raise ValueError(f"trials must be at least 1, got {trials}")
    if variance < 0:
        raise ValueError(f"variance must not be negative, got {variance}")
    if trials == 1:
        # Z⁻¹(0) is minus infinity: with one trial there was no selection, so no luck to remove.
        return 0.0
    # The maximum of N standard normals tends to a Gumbel law with location a = Z⁻¹(1 - 1/N)
    # and a + scale = Z⁻¹(1 - 1/(N e)); its mean, a + g scale, is the weighted sum below.
    location = _NORMAL.inv_cdf(1 - 1 / trials)
    location_plus_scale = _NORMAL.inv_cdf(1 - 1 / (trials * math.e))
    mean_max = (1 - EULER_GAMMA) * location + EULER_GAMMA * location_plus_scale
    return math.sqrt(variance) * mean_max


def probabilistic_sharpe(
    sharpe: float, benchmark: float, observations: int, skew: float, kurtosis: float
) -> float:
    """PSR: the probability that the true Sharpe exceeds `benchmark`, given an estimated
    per-period `sharpe` over `observations` returns with that skewness and (non-excess: 3 for a
    normal) kurtosis: Z[(SR - SR*) sqrt(T - 1) / sqrt(1 - skew SR + (kurt - 1)/4 SR²)]."""
    if observations < 2:
        raise ValueError(f"observations must be at least 2, got {observations}")
    spread = _sharpe_spread(sharpe, skew, kurtosis)
    if spread <= 0:
        raise ValueError(
            f"1 - skew * sharpe + (kurtosis - 1) / 4 * sharpe² is {spread}, not positive: "
            "those moments cannot come from one series"
        )
    return _NORMAL.cdf((sharpe - benchmark) * math.sqrt(observations - 1) / math.sqrt(spread))


def deflated_sharpe(
    returns: np.ndarray, trial_sharpes: np.ndarray, trials: int | None = None
) -> float | None:
    """DSR of the chosen strategy's per-period `returns` (daily, say) given every trial's
    per-period Sharpe ratio (the chosen one included): PSR against SR0 with N = `trials`
    (by default len(trial_sharpes)) and V = their variance (ddof=1). A walk-forward gives the
    Sharpe ratios of every fold's trials but chose among one fold's combinations at a time:
    N is that count, V the spread of them all. None when it cannot be said: fewer than 2
    returns, returns not finite, zero spread, or the denominator under the root not positive.

    Trial Sharpe ratios that are missing or not finite raise ValueError rather than give None:
    they are the caller's bookkeeping, and a DSR over a silently shorter list of trials would
    overstate the strategy."""
    series = np.asarray(returns, dtype=np.float64)
    sharpes = np.asarray(trial_sharpes, dtype=np.float64)
    if series.ndim != 1 or sharpes.ndim != 1:
        raise ValueError("returns and trial_sharpes must be one-dimensional")
    if len(sharpes) == 0 or not np.all(np.isfinite(sharpes)):
        raise ValueError("trial_sharpes must hold at least the chosen trial, all finite")
    if len(series) < 2 or not np.all(np.isfinite(series)) or np.all(series == series[0]):
        return None
    sharpe = float(np.mean(series) / np.std(series, ddof=1))
    skew, kurtosis = _population_skew_kurtosis(series)
    if _sharpe_spread(sharpe, skew, kurtosis) <= 0:
        return None
    variance = float(np.var(sharpes, ddof=1)) if len(sharpes) > 1 else 0.0
    benchmark = expected_max_sharpe(len(sharpes) if trials is None else trials, variance)
    return probabilistic_sharpe(sharpe, benchmark, len(series), skew, kurtosis)


def _sharpe_spread(sharpe: float, skew: float, kurtosis: float) -> float:
    """1 - skew SR + (kurt - 1)/4 SR²: (T - 1) times the variance of the estimated Sharpe ratio.

    Population moments obey kurt >= 1 + skew² (Pearson), which makes this at least
    (1 - skew SR / 2)² >= 0: a series' own moments reach 0 only when it takes two values and
    SR = 2 / skew, or by rounding. Moments typed in by hand can go below."""
    return 1 - skew * sharpe + (kurtosis - 1) / 4 * sharpe**2


def _population_skew_kurtosis(series: np.ndarray) -> tuple[float, float]:
    """Skewness and kurtosis (not excess) as the paper defines them: central moments divided by
    the population variance, no small-sample correction."""
    deviations = series - np.mean(series)
    variance = float(np.mean(deviations**2))
    skew = float(np.mean(deviations**3)) / variance**1.5
    kurtosis = float(np.mean(deviations**4)) / variance**2
    return skew, kurtosis
