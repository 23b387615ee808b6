"""The TPE method: a budget of distinct trials proposed by a seeded sampler, each a value of the
user's grid, within the constraints; the same seed gives the same study. Scores are checked
against study_helpers' hand-worked market: over 30 cycles peaking 10.5 % up, a take-profit tp
at or below the peak makes exactly tp a cycle, so the whole period returns (1 + tp)^30 - 1. A
higher one is never reached: each cycle loses the 0.5 % stop, but the last, whose position the
period's end closes at the open of its last bar, the peak's 110.5: (0.995^29) 1.105 - 1."""

import pytest

from strategies.engine.decide import IndicatorStore
from strategies.engine.study.search import Period, search
from strategies.engine.study.space import constraint, dimension, grid
from strategies.engine.study.tpe import TPE, Method, tpe_search
from strategies.engine.study.walk_forward import fold_choice, walk_forward, walk_forward_plan
from tests.strategies.study_helpers import regimes, setting

CYCLES = 30
PEAK = 0.105


def by_hand(take_profit: float) -> float:
    """The whole period's return with this take-profit, worked out above."""
    if take_profit <= PEAK:
        return (1 + take_profit) ** CYCLES - 1
    return (1 - 0.005) ** (CYCLES - 1) * (1 + PEAK) - 1


@pytest.fixture(scope="module")
def market():
    return setting(regimes((CYCLES * 5, 0.10)))


def _search(market, dimensions, constraints=(), *, trials: int, seed: int):
    space = grid(market.document, dimensions, constraints)
    values = {each.path: each.values for each in dimensions}
    period = Period(0, len(market.candles))
    store = IndicatorStore(market.candles)
    return tpe_search(market, store, space, values, period, trials=trials, seed=seed)


def test_each_trial_is_a_distinct_value_of_the_grid_scored_as_by_hand(market):
    take_profit = dimension(market.document, "risk.take_profit_pct", 0.01, 0.30, 0.01)

    trials = _search(market, [take_profit], trials=12, seed=7)

    tried = [trial.parameters["risk.take_profit_pct"] for trial in trials]
    assert len(tried) == len(set(tried)) == 12
    assert set(tried) <= set(take_profit.values)
    for value, trial in zip(tried, trials, strict=True):
        assert trial.score == pytest.approx(by_hand(value), rel=1e-9)
    best = max(trials, key=lambda trial: trial.score or 0.0)
    assert best.parameters["risk.take_profit_pct"] == max(v for v in tried if v <= PEAK)


def test_the_same_seed_proposes_the_same_trials_and_another_seed_others(market):
    take_profit = dimension(market.document, "risk.take_profit_pct", 0.01, 0.30, 0.01)

    first, again, other = (
        [dict(trial.parameters) for trial in _search(market, [take_profit], trials=10, seed=s)]
        for s in (3, 3, 4)
    )

    assert first == again
    assert first != other


def test_no_trial_breaks_a_constraint_and_the_sampler_learns_where_the_space_is(market):
    stop = dimension(market.document, "risk.stop_loss_pct", 0.005, 0.1, 0.005)
    take_profit = dimension(market.document, "risk.take_profit_pct", 0.01, 0.2, 0.01)
    rule = constraint("risk.stop_loss_pct < risk.take_profit_pct", [stop, take_profit])

    trials = _search(market, [stop, take_profit], [rule], trials=40, seed=11)

    assert len(trials) == 40
    pairs = [
        (t.parameters["risk.stop_loss_pct"], t.parameters["risk.take_profit_pct"]) for t in trials
    ]
    assert len(set(pairs)) == 40
    assert all(stop_loss < target for stop_loss, target in pairs)


def test_a_budget_that_covers_the_grid_searches_the_grid(market):
    take_profit = dimension(market.document, "risk.take_profit_pct", 0.05, 0.25, 0.05)
    period = Period(0, len(market.candles))
    combinations = grid(market.document, [take_profit])

    trials = _search(market, [take_profit], trials=5, seed=1)

    every = search(market, IndicatorStore(market.candles), combinations, period)
    assert [t.parameters for t in trials] == [t.parameters for t in every]
    assert [t.score for t in trials] == [t.score for t in every]


def test_a_tpe_walk_forward_deflates_by_what_its_folds_tried_and_repeats_exactly():
    market = setting(regimes((150, 0.10), (150, 0.20)))
    take_profit = dimension(market.document, "risk.take_profit_pct", 0.01, 0.30, 0.01)
    method = Method(TPE, trials=6, seed=5)

    found, again = (
        walk_forward(market, [take_profit], start=0, method=method) for _repeat in range(2)
    )

    assert [fold.trials for fold in found.folds] == [6] * len(found.folds)
    # Each fold's search apart, as a study's fold task runs it: what the folds tried together,
    # once each, is what the deflated Sharpe ratio counts and the heatmap shows.
    plan = walk_forward_plan(market, [take_profit], start=0, method=method)
    store = IndicatorStore(market.candles)
    apart = [fold_choice(market, store, plan, fold).tried for fold in plan.folds]
    union = {each["risk.take_profit_pct"] for fold in apart for each in fold}
    tried = [each["risk.take_profit_pct"] for each in found.period_combinations]
    assert sorted(tried) == sorted(union)
    assert len(found.trial_sharpes) == len(union)  # a uniform sample of the grid as large
    for fold in found.folds:  # each fold's choice is a value it tried, below the fold's peak
        assert fold.parameters["risk.take_profit_pct"] in tried
        assert fold.parameters["risk.take_profit_pct"] <= 0.205
    assert [f.parameters for f in again.folds] == [f.parameters for f in found.folds]
    assert list(again.equity) == list(found.equity)


def test_a_budget_the_sampler_cannot_fill_is_made_up_and_each_trial_beats(market):
    take_profit = dimension(market.document, "risk.take_profit_pct", 0.01, 0.30, 0.01)
    space = grid(market.document, [take_profit])
    beats = []

    trials = tpe_search(
        market,
        IndicatorStore(market.candles),
        space,
        {take_profit.path: take_profit.values},
        Period(0, len(market.candles)),
        trials=29,
        seed=2,
        beat=lambda: beats.append(1),
    )

    # 29 of 30 values: TPE alone proposes values it has tried long before it finds them all.
    assert len({t.parameters["risk.take_profit_pct"] for t in trials}) == 29
    assert len(beats) == 29
