"""Monte Carlo on trades against hand-worked paths and a plain second implementation (loops over
runs and trades, its own running peak and percentile) drawing by the same protocol."""

import math

import numpy as np
import pytest

from strategies.engine.study.montecarlo import monte_carlo, trade_returns

RETURNS = [0.04, -0.02, 0.013, -0.035, 0.021, 0.008, -0.012, 0.05, -0.027, 0.016, -0.004, 0.03]


def plain_orders(method: str, trades: int, runs: int, seed: int) -> list[list[int]]:
    """The module's documented draw protocol; the reshuffle's stable argsort done by Python's
    sort, stable too."""
    rng = np.random.default_rng(seed)
    if method == "bootstrap":
        return rng.integers(0, trades, size=(runs, trades)).tolist()
    orders = []
    for keys in rng.random((runs, trades)).tolist():
        orders.append(sorted(range(trades), key=keys.__getitem__))
    return orders


def plain_path(returns: list[float], order: list[int]) -> tuple[float, float]:
    """(maximum drawdown, final return) of one run, equity and peak both starting at 1."""
    equity = peak = 1.0
    deepest = 0.0
    for index in order:
        equity *= 1 + returns[index]
        peak = max(peak, equity)
        deepest = max(deepest, 1 - equity / peak)
    return deepest, equity - 1


def plain_percentile(ascending: list[float], percent: float) -> float:
    """Linear interpolation between the order statistics around rank p/100 * (n - 1)."""
    rank = percent / 100 * (len(ascending) - 1)
    below = math.floor(rank)
    above = min(below + 1, len(ascending) - 1)
    return ascending[below] + (ascending[above] - ascending[below]) * (rank - below)


@pytest.mark.parametrize("method", ["reshuffle", "bootstrap"])
def test_monte_carlo_matches_a_plain_implementation(method):
    runs, seed = 250, 7
    paths = [plain_path(RETURNS, order) for order in plain_orders(method, len(RETURNS), runs, seed)]
    drawdowns = sorted(depth for depth, _ in paths)
    finals = sorted(final for _, final in paths)

    result = monte_carlo(np.array(RETURNS), method=method, runs=runs, seed=seed)

    assert result.method == method
    assert result.runs == runs
    assert result.drawdowns.tolist() == pytest.approx(drawdowns, abs=1e-12)
    assert result.returns.tolist() == pytest.approx(finals, abs=1e-12)
    for field, percent in (("p5", 5), ("p50", 50), ("p95", 95)):
        expected_depth = plain_percentile(drawdowns, percent)
        expected_final = plain_percentile(finals, percent)
        assert getattr(result.max_drawdown, field) == pytest.approx(expected_depth, abs=1e-12)
        assert getattr(result.final_return, field) == pytest.approx(expected_final, abs=1e-12)


def test_reshuffling_keeps_the_final_return():
    product = 1.0
    for value in RETURNS:
        product *= 1 + value

    result = monte_carlo(np.array(RETURNS), method="reshuffle", runs=100, seed=3)

    assert result.returns.tolist() == pytest.approx([product - 1] * 100, abs=1e-12)
    # Paths differ though: not every order hits the same drawdown.
    assert result.drawdowns[0] < result.drawdowns[-1]


def test_one_losing_trade_is_the_same_drawdown_in_every_order():
    # Orders of +10 %, -20 %, +10 %, by where the loss falls (equity after each trade; peak):
    #   -20 first:  0.8, 0.88, 0.968; peak 1    -> 1 - 0.8 / 1 = 0.2
    #   -20 middle: 1.1, 0.88, 0.968; peak 1.1  -> 1 - 0.88 / 1.1 = 0.2
    #   -20 last:   1.1, 1.21, 0.968; peak 1.21 -> 1 - 0.968 / 1.21 = 0.2
    # final 1.1 * 0.8 * 1.1 - 1 = -0.032 every time.
    result = monte_carlo(np.array([0.1, -0.2, 0.1]), method="reshuffle", runs=60, seed=1)

    assert result.drawdowns.tolist() == pytest.approx([0.2] * 60)
    assert result.returns.tolist() == pytest.approx([-0.032] * 60)


def test_reshuffled_drawdowns_of_three_trades():
    # The six orders of +50 %, -20 %, -50 % (equity after each trade; deepest fall from the
    # peak, the start at 1 a peak):
    #   +50 -20 -50: 1.5, 1.2, 0.6   -> 1 - 0.6 / 1.5 = 0.6
    #   +50 -50 -20: 1.5, 0.75, 0.6  -> 1 - 0.6 / 1.5 = 0.6
    #   -20 +50 -50: 0.8, 1.2, 0.6   -> 1 - 0.6 / 1.2 = 0.5
    #   -20 -50 +50: 0.8, 0.4, 0.6   -> 1 - 0.4 / 1 = 0.6
    #   -50 +50 -20: 0.5, 0.75, 0.6  -> 1 - 0.5 / 1 = 0.5
    #   -50 -20 +50: 0.5, 0.4, 0.6   -> 1 - 0.4 / 1 = 0.6
    # so {0.5, 0.6}, 0.5 when the gain comes between the losses (a third of the orders), and
    # a final return of 1.5 * 0.8 * 0.5 - 1 = -0.4 always.
    result = monte_carlo(np.array([0.5, -0.2, -0.5]), method="reshuffle", runs=300, seed=5)

    depths = {round(depth, 12) for depth in result.drawdowns.tolist()}
    assert depths == {0.5, 0.6}
    assert result.returns.tolist() == pytest.approx([-0.4] * 300)
    assert result.max_drawdown.p5 == pytest.approx(0.5)
    assert result.max_drawdown.p95 == pytest.approx(0.6)


def test_bootstrapped_paths_of_two_trades():
    # Two draws with replacement from +50 %, -50 % (equity after each; deepest fall):
    #   +50 +50: 1.5, 2.25  -> drawdown 0,   final +1.25
    #   +50 -50: 1.5, 0.75  -> drawdown 0.5, final -0.25
    #   -50 +50: 0.5, 0.75  -> drawdown 0.5, final -0.25
    #   -50 -50: 0.5, 0.25  -> drawdown 0.75, final -0.75
    result = monte_carlo(np.array([0.5, -0.5]), method="bootstrap", runs=200, seed=11)

    assert {round(depth, 12) for depth in result.drawdowns.tolist()} == {0.0, 0.5, 0.75}
    assert {round(final, 12) for final in result.returns.tolist()} == {1.25, -0.25, -0.75}


def test_the_same_seed_repeats_the_study():
    first = monte_carlo(np.array(RETURNS), method="bootstrap", runs=50, seed=42)
    again = monte_carlo(np.array(RETURNS), method="bootstrap", runs=50, seed=42)
    other = monte_carlo(np.array(RETURNS), method="bootstrap", runs=50, seed=43)

    assert np.array_equal(first.returns, again.returns)
    assert np.array_equal(first.drawdowns, again.drawdowns)
    assert not np.array_equal(first.returns, other.returns)


def test_trade_returns_are_on_the_equity_each_trade_was_entered_with():
    # Capital 1000. Trade 1: +100 on 1000 = +0.1; equity 1100. Trade 2: -220 on 1100 = -0.2;
    # equity 880. Trade 3: +44 on 880 = +0.05; equity 924, and 1.1 * 0.8 * 1.05 = 0.924.
    returns = trade_returns([100.0, -220.0, 44.0], 1000.0)

    assert returns.tolist() == pytest.approx([0.1, -0.2, 0.05])
    assert trade_returns([], 1000.0).tolist() == []


@pytest.mark.parametrize(
    ("pnls", "capital", "message"),
    [
        ([10.0], 0.0, "capital"),
        ([-1000.0, 5.0], 1000.0, "not positive"),  # the first trade lost everything
    ],
)
def test_trade_returns_refuse_equity_that_is_not_positive(pnls, capital, message):
    with pytest.raises(ValueError, match=message):
        trade_returns(pnls, capital)


@pytest.mark.parametrize(
    ("returns", "method", "runs", "message"),
    [
        (RETURNS, "jackknife", 100, "unknown method"),
        (RETURNS, "reshuffle", 0, "runs"),
        ([0.1, -1.0], "bootstrap", 100, "-100 %"),
        ([0.1, -1.5], "reshuffle", 100, "-100 %"),
        ([0.1, math.nan], "reshuffle", 100, "finite"),
        ([], "bootstrap", 100, "non-empty"),
    ],
)
def test_monte_carlo_refuses_what_it_cannot_run(returns, method, runs, message):
    with pytest.raises(ValueError, match=message):
        monte_carlo(np.array(returns), method=method, runs=runs)
