"""Parameter searches: the space of a document's numbers, the grid its constraints leave, the
documents each combination gives, a search's best on a series where it is worked out by hand,
and indicator values shared through a store giving exactly what each backtest computes alone."""

from pathlib import Path

import numpy as np
import pytest

from bench.signals import random_walk
from strategies import rules
from strategies.engine import FillModel, Market, backtest
from strategies.engine.decide import IndicatorStore, decide
from strategies.engine.study.objective import objective_value
from strategies.engine.study.search import Period, best_trial, search
from strategies.engine.study.space import (
    SpaceError,
    constraint,
    dimension,
    grid,
    with_parameters,
)
from strategies.series import Candles
from tests.strategies.study_helpers import CYCLE_DAYS, regimes, setting

CONTENT = Path(rules.__file__).resolve().parent.parent / "content"


def catalog(slug: str):
    return rules.parse((CONTENT / slug / "strategy.yaml").read_text())


def test_a_dimension_runs_from_low_to_high_by_its_step_without_float_drift():
    document = catalog("ema-crossover")

    take_profit = dimension(document, "risk.take_profit_pct", 0.1, 0.4, 0.1)
    period = dimension(document, "ema_fast.period", 5, 20, 5)

    # 0.1 + 0.1 + 0.1 is 0.30000000000000004 in floats; the values are the decimals written.
    assert take_profit.values == (0.1, 0.2, 0.3, 0.4)
    assert period.values == (5, 10, 15, 20)
    assert all(isinstance(value, int) for value in period.values)
    assert period.scaled(10) == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("path", "low", "high", "step", "code"),
    [
        ("ema_fast.period", 0, 20, 5, "out_of_range"),  # EMA periods start at 1
        ("ema_fast.period", 5, 20, 2.5, "not_integer"),
        ("ema_fast.period", 20, 5, 5, "bad_range"),
        ("ema_fast.period", 5, 20, 0, "bad_range"),
        ("ema_fast.colour", 1, 2, 1, "unknown_path"),
        ("nothing.period", 1, 2, 1, "unknown_path"),
        ("risk.leverage", 1, 2, 1, "unknown_path"),
        ("risk.stop_loss_pct", 0.0, 0.5, 0.1, "out_of_range"),  # a stop of 0 is no stop
        ("risk.cooldown_bars", 0, 10_000_000, 1, "out_of_range"),
    ],
)
def test_a_dimension_the_document_could_not_hold_is_refused_with_its_reason(
    path, low, high, step, code
):
    with pytest.raises(SpaceError) as refused:
        dimension(catalog("ema-crossover"), path, low, high, step)

    assert refused.value.code == code


def test_the_grid_keeps_the_combinations_the_constraints_allow():
    document = catalog("ema-crossover")
    fast = dimension(document, "ema_fast.period", 10, 30, 10)
    slow = dimension(document, "ema_slow.period", 20, 40, 10)

    kept = grid(
        document, [fast, slow], [constraint("ema_fast.period < ema_slow.period", [fast, slow])]
    )

    # By hand: fast 10 with slow 20, 30, 40; fast 20 with 30, 40; fast 30 with 40.
    assert kept == [
        {"ema_fast.period": 10, "ema_slow.period": 20},
        {"ema_fast.period": 10, "ema_slow.period": 30},
        {"ema_fast.period": 10, "ema_slow.period": 40},
        {"ema_fast.period": 20, "ema_slow.period": 30},
        {"ema_fast.period": 20, "ema_slow.period": 40},
        {"ema_fast.period": 30, "ema_slow.period": 40},
    ]


def test_an_indicators_own_rule_removes_combinations_without_being_asked():
    document = rules.parse(
        """
name: macd-grid
indicators:
  macd: {kind: macd, fast: 12, slow: 26, signal: 9}
entry: {lhs: {indicator: macd, field: line}, op: crosses_up, rhs: {indicator: macd, field: signal}}
risk: {stop_loss_pct: 0.05}
"""
    )
    fast = dimension(document, "macd.fast", 10, 30, 10)
    slow = dimension(document, "macd.slow", 20, 20, 1)

    # MACD's fast period must stay below its slow one: 10 stays, 20 and 30 go.
    assert grid(document, [fast, slow]) == [{"macd.fast": 10, "macd.slow": 20}]


@pytest.mark.parametrize("text", ["ema_fast.period << ema_slow.period", "a < b", "x <"])
def test_a_constraint_that_cannot_be_read_is_refused(text):
    document = catalog("ema-crossover")
    dims = [dimension(document, "ema_fast.period", 5, 10, 5)]

    with pytest.raises(SpaceError):
        constraint(text, dims)


def test_a_combination_gives_the_document_with_those_numbers_and_nothing_else_changed():
    document = catalog("ema-crossover")

    changed = with_parameters(
        document, {"ema_fast.period": 12, "risk.trailing_stop_pct": 0.05, "risk.cooldown_bars": 0}
    )

    assert changed.indicators["ema_fast"].params["period"] == 12
    assert changed.indicators["ema_slow"] == document.indicators["ema_slow"]
    assert changed.risk.trailing_stop_pct == 0.05
    assert changed.risk.cooldown_bars == 0
    assert changed.risk.stop_loss_pct == document.risk.stop_loss_pct
    assert changed.entry == document.entry
    assert document.indicators["ema_fast"].params["period"] == 20  # the original is untouched


def test_the_search_finds_the_take_profit_worked_out_by_hand():
    # 60 days of cycles whose peak rises 20 %: a take-profit up to 20 % makes it each cycle,
    # a higher one loses the 0.5 % stop (study_helpers.py). Twelve cycles, compounded.
    candles = regimes((60, 0.20))
    study = setting(candles)
    values = dimension(study.document, "risk.take_profit_pct", 0.1, 0.3, 0.05)
    cycles = 60 // CYCLE_DAYS

    trials = search(study, IndicatorStore(candles), grid(study.document, [values]), Period(0, 60))

    expected = {0.1: 1.1**cycles, 0.15: 1.15**cycles, 0.2: 1.2**cycles}
    expected |= {0.25: 0.995**cycles, 0.3: 0.995**cycles}
    for trial in trials:
        take_profit = trial.parameters["risk.take_profit_pct"]
        assert trial.score == pytest.approx(expected[take_profit] - 1, rel=1e-9)
        assert trial.result.stats.trades == cycles
    assert best_trial(trials).parameters == {"risk.take_profit_pct": 0.2}


def test_the_first_of_equal_trials_is_the_best_and_unrankable_trials_never_are():
    candles = regimes((60, 0.20))
    study = setting(candles, objective="profit_factor")  # no losing trade: no profit factor
    values = dimension(study.document, "risk.take_profit_pct", 0.1, 0.2, 0.05)

    trials = search(study, IndicatorStore(candles), grid(study.document, [values]), Period(0, 60))

    assert [trial.score for trial in trials] == [None, None, None]
    assert best_trial(trials) is None


def test_objectives_read_the_statistics_and_the_drawdown_limit_refuses():
    candles = regimes((60, 0.10))
    study = setting(candles)
    store = IndicatorStore(candles)
    losing = search(study, store, [{"risk.take_profit_pct": 0.15}], Period(0, 60))[0]
    stats = losing.result.stats

    # The first cycle's peak close (110.5, the position held) is the highest equity: 11,050.
    # Twelve stops of 0.5 % end at 10,000 x 0.995^12, and every later peak is lower.
    deepest = 1 - 10_000 * 0.995**12 / 11_050
    assert stats.max_drawdown == pytest.approx(deepest)
    assert objective_value(stats, "return") == pytest.approx(0.995**12 - 1)
    assert objective_value(stats, "return", drawdown_limit=0.14) is None
    assert objective_value(stats, "return", drawdown_limit=0.15) == pytest.approx(0.995**12 - 1)
    assert objective_value(stats, "calmar") == pytest.approx(stats.cagr / stats.max_drawdown)
    with pytest.raises(ValueError, match="objective"):
        objective_value(stats, "luck")


def hourly_walk(count: int) -> Candles:
    walk = random_walk(count)
    return Candles("1h", walk.time, walk.open, walk.high, walk.low, walk.close, walk.volume * 1e3)


@pytest.mark.parametrize(
    "slug", ["ema-crossover", "multi-trend-confluence", "prior_period_levels", "super_trend"]
)
def test_a_store_gives_every_backtest_exactly_what_it_computes_alone(slug):
    # The store computes each indicator once over the whole history; a backtest over its first
    # bars (a warm-up, then a period) must see the same values, higher timeframes included.
    history = hourly_walk(6_000)
    document = catalog(slug)
    store = IndicatorStore(history)
    costs = {"model": FillModel(fee=0.001, slippage_bps=2), "market": Market(allows_shorts=True)}
    for stop, warmup in ((2_500, 400), (6_000, 3_000)):
        candles = history.slice(0, stop)

        alone = backtest(document, candles, capital=10_000, warmup=warmup, **costs)
        shared = backtest(document, candles, capital=10_000, warmup=warmup, store=store, **costs)

        assert shared.trades == alone.trades
        assert shared.stats == alone.stats
        assert np.array_equal(shared.equity, alone.equity)
        for name, signal in vars(decide(document, candles, store=store)).items():
            assert np.array_equal(signal, getattr(decide(document, candles), name)), name


def test_a_store_refuses_candles_that_do_not_begin_its_history():
    history = hourly_walk(500)
    store = IndicatorStore(history)

    with pytest.raises(ValueError, match="begin"):
        decide(catalog("ema-crossover"), history.slice(10, 200), store=store)
