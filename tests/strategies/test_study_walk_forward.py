"""A walk-forward test on a series with a planted regime change (study_helpers.py): 150 days
whose cycles peak 10 % up, then 150 days whose cycles peak 20 % up. Every fold's choice, every
out-of-sample return and the stitched equity are worked out by hand below."""

import numpy as np
import pytest

from strategies import rules
from strategies.engine import Market
from strategies.engine.decide import IndicatorStore
from strategies.engine.study.search import Setting
from strategies.engine.study.space import dimension
from strategies.engine.study.walk_forward import (
    better_choice,
    fold_choice,
    fold_grid_part,
    walk_forward,
    walk_forward_assemble,
    walk_forward_plan,
)
from strategies.series import Candles
from tests.strategies.study_helpers import (
    CAPITAL,
    DAY_MS,
    NO_COSTS,
    START_MS,
    regimes,
    setting,
)

WINDOW_CYCLES = 30 // 5  # a 30-day out-of-sample window holds six five-day cycles


@pytest.fixture(scope="module")
def found():
    study = setting(regimes((150, 0.10), (150, 0.20)))
    take_profit = dimension(study.document, "risk.take_profit_pct", 0.05, 0.25, 0.05)
    return walk_forward(study, [take_profit], start=0, in_sample_days=60, out_of_sample_days=30)


def test_each_fold_chooses_what_its_in_sample_window_rewarded(found):
    # Out-of-sample windows start at day 60 and every 30 days after, up to [270, 300): 8 folds.
    # Folds 1-4 learn on regime A alone: 10 % wins (a higher target meets the 0.5 % stop).
    # Fold 5 learns on [120, 180), six cycles of each regime, and compares by hand:
    #   10 %: 1.1^12 = 3.138;  20 %: 0.995^6 x 1.2^6 = 2.898;  15 %: 0.995^6 x 1.15^6 = 2.245.
    # Folds 6-8 learn on regime B alone: 20 % wins.
    chosen = [fold.parameters["risk.take_profit_pct"] for fold in found.folds]

    assert chosen == [0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2]
    assert [fold.fold.number for fold in found.folds] == list(range(1, 9))
    assert all(fold.trials == 5 for fold in found.folds)


def test_out_of_sample_returns_and_the_stitched_equity_are_the_hand_worked_ones(found):
    # Folds 4 and 5 trade regime B with regime A's 10 %: still +10 % a cycle, not +20 %.
    ten, twenty = 1.1**WINDOW_CYCLES - 1, 1.2**WINDOW_CYCLES - 1
    expected = [ten, ten, ten, ten, ten, twenty, twenty, twenty]

    returns = [fold.out_of_sample_return for fold in found.folds]

    assert returns == pytest.approx(expected, rel=1e-9)
    assert len(found.equity) == len(found.times) == 8 * 30
    assert np.all(np.diff(found.times) == 86_400_000)
    assert found.equity[-1] == pytest.approx(CAPITAL * 1.1**30 * 1.2**18, rel=1e-9)


def test_the_robustness_of_a_strategy_that_won_every_fold(found):
    score = found.robustness

    assert score.folds == 8
    assert score.consistency == 1.0
    assert score.worst_fold_return == pytest.approx(1.1**WINDOW_CYCLES - 1)
    # The choice moved once, from 0.1 to 0.2 in a range 0.05-0.25, i.e. from 0.25 to 0.75 of
    # it: a move of 0.5, averaged over the seven steps between folds.
    assert score.stability == pytest.approx(1 - 0.5 / 7)
    assert score.trusted
    assert 0 <= score.score <= 1
    # Five combinations, each with a Sharpe ratio over the whole period.
    assert len(found.trial_sharpes) == 5
    assert found.deflated_sharpe is not None


def test_an_account_wiped_out_out_of_sample_ends_the_stitched_equity_and_doubts_the_fold():
    # Short from the first bar of every window (no stop). In-sample the price halves (the
    # short wins); out of sample it quadruples: the short loses three times the account.
    # The stitched equity stops at 0 and the fold counts as a 99.99 % loss, not a crash.
    document = rules.parse(
        """
name: always-short
long_only: false
entry:
  combine: AND
  direction: short
  rules:
    - {lhs: {bar: close}, op: lt, rhs: {value: 1000000}}
exit: {lhs: {bar: close}, op: gt, rhs: {value: 1000000}}
"""
    )
    prices = np.concatenate([np.linspace(100, 50, 60), np.linspace(50, 200, 30)])
    times = START_MS + DAY_MS * np.arange(len(prices), dtype=np.int64)
    candles = Candles("1d", times, prices, prices, prices, prices, np.full(len(prices), 1e9))
    study = Setting(document, candles, CAPITAL, NO_COSTS, Market(allows_shorts=True), "return")
    cooldown = dimension(document, "risk.cooldown_bars", 0, 1, 1)

    found = walk_forward(study, [cooldown], start=0)

    assert len(found.folds) == 1
    assert found.folds[0].out_of_sample_return < -1
    assert found.equity[-1] == 0.0
    assert found.robustness.worst_fold_return == pytest.approx(-0.9999)
    assert "deep_fold" in found.robustness.doubts


def test_the_folds_chosen_apart_in_any_order_give_the_same_walk_forward(found):
    # As a study runs them: each fold's choice its own task, on workers that finish in any
    # order, each with its own indicator store; then the assembly.
    study = setting(regimes((150, 0.10), (150, 0.20)))
    take_profit = dimension(study.document, "risk.take_profit_pct", 0.05, 0.25, 0.05)
    plan = walk_forward_plan(study, [take_profit], start=0)
    by_fold = {
        fold.number: fold_choice(study, IndicatorStore(study.candles), plan, fold).chosen
        for fold in reversed(plan.folds)
    }

    apart = walk_forward_assemble(
        study,
        IndicatorStore(study.candles),
        [take_profit],
        plan,
        [by_fold[fold.number] for fold in plan.folds],
    )

    assert [fold.parameters for fold in apart.folds] == [fold.parameters for fold in found.folds]
    assert np.array_equal(apart.equity, found.equity)
    assert apart.robustness == found.robustness


def test_a_grid_searched_in_parts_chooses_as_the_whole_grid_does_the_first_of_equals():
    study = setting(regimes((150, 0.10), (150, 0.20)))
    take_profit = dimension(study.document, "risk.take_profit_pct", 0.05, 0.25, 0.05)
    # A cooldown of 0 to 2 bars changes nothing here (an entry comes every five days): each
    # take-profit scores the same three times, and the parts (two combinations each) split
    # those equals; the whole grid keeps the first, cooldown 0.
    cooldown = dimension(study.document, "risk.cooldown_bars", 0, 2, 1)
    plan = walk_forward_plan(study, [take_profit, cooldown], start=0)
    store = IndicatorStore(study.candles)

    for fold in plan.folds:
        chosen = None
        for start in range(0, len(plan.combinations), 2):
            part = fold_grid_part(study, store, plan, fold, slice(start, start + 2))
            chosen = better_choice(chosen, part)
        assert chosen == fold_choice(study, store, plan, fold).chosen
        assert chosen is not None
        assert chosen.parameters["risk.cooldown_bars"] == 0
