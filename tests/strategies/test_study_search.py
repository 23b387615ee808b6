"""Parameter searches: the space of a document's numbers, the grid its constraints leave, the
documents each combination gives, a search's best on a series where it is worked out by hand,
and indicator values shared through a store giving exactly what each backtest computes alone."""

import importlib
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

# The module, not the function strategies.engine exports under the same name.
decide_module = importlib.import_module("strategies.engine.decide")
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


def test_a_grid_with_nothing_to_try_or_a_path_twice_is_refused():
    document = catalog("ema-crossover")
    fast = dimension(document, "ema_fast.period", 5, 10, 5)

    with pytest.raises(SpaceError) as twice:
        grid(document, [fast, fast])
    with pytest.raises(SpaceError) as nothing:
        grid(document, [fast], [constraint("ema_fast.period < ema_fast.period", [fast])])
    with pytest.raises(SpaceError) as endless:
        dimension(document, "risk.stop_loss_pct", 0.01, float("inf"), 0.01)

    assert (twice.value.code, nothing.value.code) == ("same_path_twice", "nothing_to_try")
    assert endless.value.code == "bad_range"


def test_an_integer_parameter_read_back_as_a_float_stays_an_integer():
    # Parameters read back from JSON or a form may say 12.0; an indicator slices by them.
    changed = with_parameters(catalog("ema-crossover"), {"ema_fast.period": 12.0})

    assert changed.indicators["ema_fast"].params["period"] == 12
    assert isinstance(changed.indicators["ema_fast"].params["period"], int)


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
    # a higher one loses the 0.5 % stop (study_helpers.py). Twelve cycles, compounded; but a
    # trial ends flat at the open of its last bar, and the last cycle's last bar opens at the
    # peak, 120.5: a target never reached leaves the twelfth trade there, +20.5 %.
    candles = regimes((60, 0.20))
    study = setting(candles)
    values = dimension(study.document, "risk.take_profit_pct", 0.1, 0.3, 0.05)
    cycles = 60 // CYCLE_DAYS

    trials = search(study, IndicatorStore(candles), grid(study.document, [values]), Period(0, 60))

    expected = {0.1: 1.1**cycles, 0.15: 1.15**cycles, 0.2: 1.2**cycles}
    never = 0.995 ** (cycles - 1) * 1.205
    expected |= {0.25: never, 0.3: never}
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
    # Eleven stops of 0.5 % bring it to 10,000 x 0.995^11, the lowest close, every later
    # peak lower; the twelfth trade ends flat at the last bar's open, the peak 110.5: +10.5 %.
    deepest = 1 - 10_000 * 0.995**11 / 11_050
    made = 0.995**11 * 1.105 - 1
    assert stats.max_drawdown == pytest.approx(deepest)
    assert objective_value(stats, "return") == pytest.approx(made)
    assert objective_value(stats, "return", drawdown_limit=0.14) is None
    assert objective_value(stats, "return", drawdown_limit=0.15) == pytest.approx(made)
    assert objective_value(stats, "calmar") == pytest.approx(stats.cagr / stats.max_drawdown)
    with pytest.raises(ValueError, match="objective"):
        objective_value(stats, "luck")


def hourly_walk(count: int, gap: slice | None = None) -> Candles:
    """`count` hourly candles from a Monday's second hour (a series starting inside a day and
    a week, as the look-ahead tests take it), less the bars of `gap`."""
    walk = random_walk(count)
    times = 1_704_070_800_000 + 3_600_000 * np.arange(count, dtype=np.int64)
    candles = Candles("1h", times, walk.open, walk.high, walk.low, walk.close, walk.volume * 1e3)
    if gap is None:
        return candles
    keep = np.ones(count, dtype=bool)
    keep[gap] = False
    return candles.slice_where(keep)


@pytest.mark.parametrize(
    "slug", ["ema-crossover", "multi-trend-confluence", "prior_period_levels", "super_trend"]
)
def test_a_store_gives_every_backtest_exactly_what_it_computes_alone(slug):
    # The store computes each indicator once over the whole history; a backtest over its first
    # bars (a warm-up, then a period) must see the same values, higher timeframes included.
    history = hourly_walk(6_000, gap=slice(3_100, 3_400))
    document = catalog(slug)
    store = IndicatorStore(history)
    costs = {"model": FillModel(fee=0.001, slippage_bps=2), "market": Market(allows_shorts=True)}
    for stop, warmup in ((2_917, 400), (5_700, 3_000)):  # ends inside a 4-hour bar and a day
        candles = history.slice(0, stop)

        alone = backtest(document, candles, capital=10_000, warmup=warmup, **costs)
        shared = backtest(document, candles, capital=10_000, warmup=warmup, store=store, **costs)

        assert shared.trades == alone.trades
        assert alone.trades or alone.open_trades, "a test that trades nothing checks nothing"
        assert shared.stats == alone.stats
        assert np.array_equal(shared.equity, alone.equity)
        for name, signal in vars(decide(document, candles, store=store)).items():
            assert np.array_equal(signal, getattr(decide(document, candles), name)), name


@pytest.mark.parametrize("start", [1, 57, 500, 999])
def test_deciding_from_a_bar_gives_what_deciding_everything_gives_from_there(start, monkeypatch):
    # A crossing at `start` itself compares with the bar before it, which is not decided; a
    # small window puts window edges around it too.
    monkeypatch.setattr(decide_module, "WINDOW", 37)
    candles = hourly_walk(1_200)
    for slug in ("ema-crossover", "multi-trend-confluence", "super_trend"):
        document = catalog(slug)
        whole, part = decide(document, candles), decide(document, candles, start=start)
        for name, signal in vars(whole).items():
            if signal is None:  # an entry trigger's expiries, for a document without one
                assert getattr(part, name) is None
                continue
            assert np.array_equal(getattr(part, name)[start:], signal[start:]), (slug, name)
            assert not getattr(part, name)[:start].any()


def test_a_store_refuses_candles_that_do_not_begin_its_history():
    history = hourly_walk(500)
    store = IndicatorStore(history)

    with pytest.raises(ValueError, match="begin"):
        decide(catalog("ema-crossover"), history.slice(10, 200), store=store)
    other = hourly_walk(500)  # the same times, another market's prices
    with pytest.raises(ValueError, match="begin"):
        decide(catalog("ema-crossover"), other.slice(0, 200), store=store)
