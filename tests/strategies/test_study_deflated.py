"""The deflated Sharpe ratio against the paper's worked example, hand-worked values and a plain
second implementation (loops, math.erf) of the same formulas."""

import math
from statistics import NormalDist

import numpy as np
import pytest

from strategies.engine.study.deflated import (
    deflated_sharpe,
    expected_max_sharpe,
    probabilistic_sharpe,
)

DAYS_A_YEAR = 250  # the paper's conversion between daily and annualized Sharpe ratios


def test_the_papers_numerical_example():
    """Bailey & López de Prado (2014), section "A numerical example": N = 100 trials whose
    annualized Sharpe ratios have variance 1/2, the best at 2.5 annualized over T = 1250 daily
    returns with skewness -3 and kurtosis 10, converted to daily values with 250 days a year.
    The paper prints SR0 ≈ 0.1132 (daily) and DSR ≈ 0.9004: not significant at 95 %. (Those
    two figures are the paper's as widely quoted; the paper's own text was not at hand when this
    test was written, and the hand computation below reproduces both to every digit printed.
    The annualized SR0, 1.79, is the hand computation's.)

    By hand (Z⁻¹ and Z from statistics.NormalDist, g = 0.5772156649):
      Z⁻¹(1 - 1/100) = Z⁻¹(0.99) = 2.3263479
      Z⁻¹(1 - 1/(100 e)) = Z⁻¹(0.9963212) = 2.6802104
      (1 - g) 2.3263479 + g 2.6802104 = 0.9835434 + 1.5470595 = 2.5306029
      sqrt(V) = sqrt(0.5 / 250) = sqrt(0.002) = 0.0447214
      SR0 = 0.0447214 * 2.5306029 = 0.1131720            (x sqrt(250): 1.7894 annualized)
      SR = 2.5 / sqrt(250) = 0.1581139
      1 - skew SR + (kurt - 1)/4 SR² = 1 + 3 * 0.1581139 + 9/4 * 0.025 = 1.5305916, root 1.2371708
      z = (0.1581139 - 0.1131720) * sqrt(1249) / 1.2371708
        = 0.0449419 * 35.3411941 / 1.2371708 = 1.5882997 / 1.2371708 = 1.2838160
      DSR = Z(1.2838160) = 0.9003968
    Both agree with the printed figures to the 4 decimals printed.
    """
    daily_variance = 0.5 / DAYS_A_YEAR
    daily_sharpe = 2.5 / math.sqrt(DAYS_A_YEAR)

    benchmark = expected_max_sharpe(100, daily_variance)
    dsr = probabilistic_sharpe(daily_sharpe, benchmark, 1250, skew=-3.0, kurtosis=10.0)

    assert round(benchmark, 4) == 0.1132
    assert round(benchmark * math.sqrt(DAYS_A_YEAR), 2) == 1.79
    assert round(dsr, 4) == 0.9004
    # The hand computation's further digits, a closer check than the printed rounding.
    assert benchmark == pytest.approx(0.1131720, abs=1e-7)
    assert dsr == pytest.approx(0.9003968, abs=1e-7)


def test_psr_against_its_own_estimate_is_one_half():
    # The z-score's numerator is 0 whatever the moments, and Z(0) = 1/2 exactly.
    assert probabilistic_sharpe(0.12, 0.12, 500, skew=-1.5, kurtosis=7.0) == 0.5


def test_expected_max_sharpe_of_two_trials():
    # N = 2, V = 1, by hand:
    #   Z⁻¹(1 - 1/2) = Z⁻¹(0.5) = 0
    #   Z⁻¹(1 - 1/(2 e)) = Z⁻¹(0.8160603) = 0.9004526
    #   SR0 = 1 * ((1 - g) * 0 + g * 0.9004526) = 0.5772157 * 0.9004526 = 0.5197553
    # (The formula is an approximation for large N: two standard normals' expected maximum is
    # exactly 1/sqrt(pi) = 0.5642.)
    assert expected_max_sharpe(2, 1.0) == pytest.approx(0.5197553, abs=1e-7)
    # sqrt(V) scales it: V = 4 doubles it.
    assert expected_max_sharpe(2, 4.0) == pytest.approx(2 * 0.5197553, abs=1e-7)


def test_one_trial_or_identical_trials_leave_nothing_to_deflate():
    assert expected_max_sharpe(1, 3.0) == 0.0
    assert expected_max_sharpe(50, 0.0) == 0.0


RETURNS = [0.012, -0.008, 0.021, -0.015, 0.004, 0.009, -0.002, 0.017, -0.011, 0.006, 0.025, -0.019]
OTHER_TRIALS = [0.05, 0.12, -0.03, 0.2, 0.08]


def plain_moments(returns: list[float]) -> tuple[float, float, float]:
    """(Sharpe with the sample standard deviation, population skewness, population kurtosis),
    one loop at a time."""
    count = len(returns)
    mean = 0.0
    for value in returns:
        mean += value
    mean /= count
    squares = cubes = fourths = 0.0
    for value in returns:
        deviation = value - mean
        squares += deviation * deviation
        cubes += deviation * deviation * deviation
        fourths += deviation * deviation * deviation * deviation
    sample_std = math.sqrt(squares / (count - 1))
    population_variance = squares / count
    skew = (cubes / count) / population_variance**1.5
    kurtosis = (fourths / count) / (population_variance * population_variance)
    return mean / sample_std, skew, kurtosis


def plain_sample_variance(values: list[float]) -> float:
    mean = sum(values) / len(values)
    total = 0.0
    for value in values:
        total += (value - mean) ** 2
    return total / (len(values) - 1)


def plain_dsr(returns: list[float], trial_sharpes: list[float]) -> float:
    sharpe, skew, kurtosis = plain_moments(returns)
    trials = len(trial_sharpes)
    gamma = 0.5772156649015329
    quantile = NormalDist().inv_cdf
    benchmark = 0.0
    if trials > 1:
        benchmark = math.sqrt(plain_sample_variance(trial_sharpes)) * (
            (1 - gamma) * quantile(1 - 1 / trials) + gamma * quantile(1 - 1 / (trials * math.e))
        )
    spread = 1 - skew * sharpe + (kurtosis - 1) / 4 * sharpe * sharpe
    z = (sharpe - benchmark) * math.sqrt(len(returns) - 1) / math.sqrt(spread)
    return (1 + math.erf(z / math.sqrt(2))) / 2


def test_deflated_sharpe_matches_a_plain_computation():
    chosen, _, _ = plain_moments(RETURNS)
    trial_sharpes = [*OTHER_TRIALS, chosen]

    dsr = deflated_sharpe(np.array(RETURNS), np.array(trial_sharpes))

    assert dsr == pytest.approx(plain_dsr(RETURNS, trial_sharpes), rel=1e-12)
    # The selection costs something: six trials ask more than the strategy's PSR against 0.
    assert dsr < plain_dsr(RETURNS, [chosen])


def test_one_trial_or_identical_trials_give_the_psr_against_zero():
    chosen, _, _ = plain_moments(RETURNS)
    against_zero = plain_dsr(RETURNS, [chosen])

    assert deflated_sharpe(np.array(RETURNS), np.array([chosen])) == pytest.approx(against_zero)
    assert deflated_sharpe(np.array(RETURNS), np.array([chosen] * 4)) == pytest.approx(against_zero)


@pytest.mark.parametrize(
    "returns",
    [
        [],
        [0.01],
        [0.01, math.nan, 0.02],
        [0.01, math.inf, 0.02],
        [0.1, 0.1, 0.1],  # no spread: the Sharpe ratio divides by 0
        [0.0] * 5,
    ],
)
def test_deflated_sharpe_cannot_be_said(returns):
    assert deflated_sharpe(np.array(returns), np.array([0.1, 0.2])) is None


@pytest.mark.parametrize("trial_sharpes", [[], [0.1, math.nan]])
def test_deflated_sharpe_refuses_missing_trials(trial_sharpes):
    with pytest.raises(ValueError, match="trial_sharpes"):
        deflated_sharpe(np.array(RETURNS), np.array(trial_sharpes))


def test_impossible_inputs_are_refused():
    with pytest.raises(ValueError, match="trials"):
        expected_max_sharpe(0, 1.0)
    with pytest.raises(ValueError, match="variance"):
        expected_max_sharpe(10, -0.1)
    with pytest.raises(ValueError, match="observations"):
        probabilistic_sharpe(0.1, 0.0, 1, skew=0.0, kurtosis=3.0)
    # 1 - 3 * 1 + (1 - 1)/4 * 1 = -2: moments no series has (kurtosis >= 1 + skew²).
    with pytest.raises(ValueError, match="not positive"):
        probabilistic_sharpe(1.0, 0.0, 100, skew=3.0, kurtosis=1.0)
