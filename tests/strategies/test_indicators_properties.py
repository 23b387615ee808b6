"""Properties every registered indicator keeps: no look-ahead, exact warm-up, sane declarations.

`random_walk` and `candles_of` are shared with the other indicator test modules.
"""

import numpy as np
import pytest

from strategies.indicators import REGISTRY, get
from strategies.series import FIELDS, Candles, timeframe_ms

KINDS = [
    "sma",
    "ema",
    "wma",
    "rsi",
    "atr",
    "macd",
    "bollinger",
    "donchian",
    "adx",
    "stochastic",
    "cci",
    "vwap",
    "volume_ma",
    "highest",
    "lowest",
    "trend",
    "super_trend",
    "trend_magic",
    "prior_period_levels",
    "premium_discount_zones",
    "swing_high",
    "swing_low",
    "fair_value_gap",
]

HOUR_MS = 3_600_000
# Monday 2024-01-01 00:00 UTC plus one hour: one bar into a day and a week, the start that
# makes calendar warm-ups longest (the worst case their `warmup` states).
ONE_BAR_INTO_A_WEEK_MS = 1_704_067_200_000 + HOUR_MS


def random_walk(count: int = 400, seed: int = 20240101, timeframe: str = "1h") -> Candles:
    """Bars of a geometric random walk: opens at the previous close, wicks on both sides."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, count)))
    open_ = np.concatenate(([100.0], close[:-1]))
    high = np.maximum(open_, close) * (1.0 + np.abs(rng.normal(0.0, 0.004, count)))
    low = np.minimum(open_, close) * (1.0 - np.abs(rng.normal(0.0, 0.004, count)))
    volume = np.exp(rng.normal(3.0, 1.0, count))
    bar_ms = timeframe_ms(timeframe)
    time = ONE_BAR_INTO_A_WEEK_MS + bar_ms * np.arange(count, dtype=np.int64)
    return Candles(timeframe, time, open_, high, low, close, volume)


def candles_of(rows: list[tuple[float, float, float, float]], volume=None) -> Candles:
    """1h candles from (open, high, low, close) rows, for hand-worked examples."""
    table = np.array(rows, dtype=np.float64).reshape(-1, 4)
    count = len(table)
    volumes = np.ones(count) if volume is None else np.array(volume, dtype=np.float64)
    time = ONE_BAR_INTO_A_WEEK_MS + HOUR_MS * np.arange(count, dtype=np.int64)
    opens, highs, lows, closes = (table[:, column].copy() for column in range(4))
    return Candles("1h", time, opens, highs, lows, closes, volumes)


def compute(kind: str, candles: Candles, **params) -> dict[str, np.ndarray]:
    spec = get(kind)
    return spec.compute(candles, spec.with_defaults(params))


def test_the_registry_holds_exactly_the_library():
    assert REGISTRY
    assert sorted(REGISTRY) == sorted(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_no_value_reads_a_later_bar(kind):
    candles = random_walk()
    full = compute(kind, candles)
    assert full
    for count in (0, 1, 2, 3, 11, 60, 200, 336, 399):
        partial = compute(kind, candles.head(count))
        for output, values in full.items():
            np.testing.assert_array_equal(partial[output], values[:count], err_msg=output)


@pytest.mark.parametrize("kind", KINDS)
def test_warmup_is_the_exact_count_of_leading_nan_bars(kind):
    spec, candles = get(kind), random_walk()
    params = spec.with_defaults({})
    values = spec.compute(candles, params)
    assert spec.outputs
    for output in spec.outputs:
        warmup = spec.warmup_of(output, params, candles.bar_ms)
        assert warmup < len(candles) - 20, output
        assert np.isnan(values[output][:warmup]).all(), output
        if output not in spec.sparse_outputs:
            assert np.isfinite(values[output][warmup:]).all(), output
    assert spec.warmup(params, candles.bar_ms) == max(
        spec.warmup_of(output, params, candles.bar_ms) for output in spec.outputs
    )


@pytest.mark.parametrize("kind", KINDS)
def test_outputs_are_float_arrays_as_long_as_the_candles(kind):
    spec, candles = get(kind), random_walk(count=90)
    values = compute(kind, candles)
    assert tuple(values) == spec.outputs
    for array in values.values():
        assert array.dtype == np.float64
        assert array.shape == (90,)


# Only the kinds with a discrete output: a case looping over an empty `states` proved nothing.
DISCRETE = [kind for kind in KINDS if get(kind).states]


def test_there_are_discrete_outputs_to_check():
    assert len(DISCRETE) >= 4, DISCRETE


@pytest.mark.parametrize("kind", DISCRETE)
def test_states_name_every_value_a_discrete_output_takes(kind):
    spec = get(kind)
    values = compute(kind, random_walk())
    assert spec.states
    for output, words in spec.states.items():
        seen = set(np.unique(values[output][~np.isnan(values[output])]).tolist())
        assert seen, output
        assert seen <= set(words), output


@pytest.mark.parametrize("kind", KINDS)
def test_declarations_are_complete_and_refuse_nonsense(kind):
    spec = get(kind)
    assert spec.kind == kind
    for text in (spec.title, spec.description, spec.definition, spec.label):
        assert str(text)
    str(spec.label) % spec.with_defaults({})  # every placeholder is a parameter
    for param in spec.params:
        if param.kind is str:
            assert param.default in param.choices
            continue
        assert param.minimum is not None, param.name
        assert param.maximum is not None, param.name
        assert param.minimum <= param.default <= param.maximum, param.name
        assert param.minimum >= 0, param.name
        if param.kind is int:
            assert param.minimum >= 1, param.name
    assert not spec.broken_constraints({})


def test_macd_refuses_a_fast_period_that_is_not_faster():
    assert get("macd").broken_constraints({"fast": 26, "slow": 26})
    assert not get("macd").broken_constraints({"fast": 5, "slow": 35})


def test_multipliers_refuse_zero_and_negative_values():
    multipliers = [
        param
        for spec in REGISTRY.values()
        for param in spec.params
        if param.name in ("multiplier", "stddev")
    ]
    assert len(multipliers) == 3
    assert all(param.kind is float and param.minimum > 0 for param in multipliers)


def test_highest_and_lowest_read_any_bar_field():
    for kind in ("highest", "lowest"):
        assert get(kind).param_index["source"].choices == FIELDS


def test_prior_period_levels_refuse_bars_longer_than_a_day():
    assert get("prior_period_levels").max_bar_ms == 86_400_000
    with pytest.raises(ValueError, match="one day or shorter"):
        compute("prior_period_levels", random_walk(count=30, timeframe="1w"))
