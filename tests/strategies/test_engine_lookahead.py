"""No look-ahead: a decision at bar t is the same whether the candles stop at t or go on.

A property test over every catalog document, multi-timeframe ones included, on random walks
with missing bars (gaps in the series, as the candle store records them).
"""

import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.engine import decide
from strategies.rules import parse
from strategies.series import Candles, timeframe_ms
from tests.strategies.test_indicators_properties import random_walk

CATALOG = sorted(Path("strategies/content").glob("*"))
BARS = 1500
SIGNALS = ("enter_long", "enter_short", "exit_long", "exit_short")


def base_timeframe(folder: Path) -> str:
    """The longest suggested timeframe: the most history per bar for the same test cost."""
    suggested = tomllib.loads((folder / "meta.toml").read_text())["timeframes"]
    return max(suggested, key=timeframe_ms)


def with_gaps(candles: Candles, missing: list[int]) -> Candles:
    keep = np.ones(len(candles), dtype=bool)
    keep[[i for i in missing if i < len(candles)]] = False
    return Candles(
        candles.timeframe,
        *(getattr(candles, name)[keep] for name in ("time", "open", "high", "low", "close", "volume")),
    )


@pytest.mark.parametrize("folder", CATALOG, ids=lambda folder: folder.name)
@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    cut=st.integers(min_value=1, max_value=BARS),
    missing=st.lists(st.integers(min_value=1, max_value=BARS - 1), max_size=20),
)
def test_signals_up_to_a_bar_ignore_the_bars_after_it(folder, seed, cut, missing):
    doc = parse((folder / "strategy.yaml").read_text())
    candles = with_gaps(random_walk(BARS, seed=seed, timeframe=base_timeframe(folder)), missing)
    cut = min(cut, len(candles))

    full, truncated = decide(doc, candles), decide(doc, candles.head(cut))

    for name in SIGNALS:
        np.testing.assert_array_equal(getattr(truncated, name), getattr(full, name)[:cut], name)


@pytest.mark.parametrize("folder", CATALOG, ids=lambda folder: folder.name)
def test_every_catalog_strategy_enters_somewhere_on_a_long_walk(folder):
    """The property above is not vacuous: each document takes decisions on such candles."""
    doc = parse((folder / "strategy.yaml").read_text())
    signals = decide(doc, random_walk(BARS, seed=7, timeframe=base_timeframe(folder)))

    assert signals.enter_long.any() or signals.enter_short.any()
    assert signals.exit_long.any() or signals.exit_short.any()
