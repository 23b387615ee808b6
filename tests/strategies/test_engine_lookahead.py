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

from strategies.engine import decide, indicator_values
from strategies.rules import parse
from strategies.series import Candles, timeframe_ms
from tests.strategies.test_indicators_properties import random_walk

CATALOG = sorted(path for path in Path("strategies/content").iterdir() if path.is_dir())
BARS = 3000
SIGNALS = ("enter_long", "enter_short", "exit_long", "exit_short")


# The catalog's higher-timeframe indicators are trend states, which a partial higher bar
# seldom flips: this document reads continuous values on higher timeframes, where any peek
# at a bar that has not closed shows at once.
PROBE = """
name: look-ahead-probe
long_only: false
indicators:
  close_4h: {kind: sma, period: 1, timeframe: 4h}
  ema_1d: {kind: ema, period: 3, timeframe: 1d}
  rsi_4h: {kind: rsi, period: 5, timeframe: 4h}
  range_4h: {kind: donchian, period: 3, timeframe: 4h}
  levels: {kind: prior_period_levels}
entry:
  combine: OR
  rules:
    - {lhs: {bar: close}, op: crosses_up, rhs: {indicator: close_4h}}
    - {lhs: {indicator: rsi_4h}, op: crosses_up, rhs: {value: 50}}
    - {lhs: {bar: close}, op: gt, rhs: {indicator: range_4h, field: upper}}
    - {lhs: {bar: high}, op: gt, rhs: {indicator: levels, field: day_high}}
exit:
  combine: OR
  rules:
    - {lhs: {bar: close}, op: crosses_down, rhs: {indicator: ema_1d}}
"""


def base_timeframe(folder: Path) -> str:
    """The longest suggested timeframe: the most history per bar for the same test cost."""
    suggested = tomllib.loads((folder / "meta.toml").read_text())["timeframes"]
    return max(suggested, key=timeframe_ms)


def with_gaps(candles: Candles, missing: list[int]) -> Candles:
    keep = np.ones(len(candles), dtype=bool)
    keep[[i for i in missing if i < len(candles)]] = False
    return Candles(
        candles.timeframe,
        *(
            getattr(candles, name)[keep]
            for name in ("time", "open", "high", "low", "close", "volume")
        ),
    )


def document_and_timeframe(folder: Path | None):
    if folder is None:
        return parse(PROBE), "1h"
    return parse((folder / "strategy.yaml").read_text()), base_timeframe(folder)


@pytest.mark.parametrize(
    "folder", [*CATALOG, None], ids=lambda folder: folder.name if folder else "probe"
)
@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    cut=st.integers(min_value=1, max_value=BARS),
    missing=st.lists(st.integers(min_value=1, max_value=BARS - 1), max_size=20),
)
def test_signals_up_to_a_bar_ignore_the_bars_after_it(folder, seed, cut, missing):
    doc, timeframe = document_and_timeframe(folder)
    candles = with_gaps(random_walk(BARS, seed=seed, timeframe=timeframe), missing)
    cut = min(cut, len(candles))

    full, truncated = decide(doc, candles), decide(doc, candles.head(cut))
    seen, seen_then = indicator_values(doc, candles), indicator_values(doc, candles.head(cut))

    for name in SIGNALS:
        np.testing.assert_array_equal(getattr(truncated, name), getattr(full, name)[:cut], name)
    # The values the rules read, not only the decisions: a difference there is look-ahead even
    # on a bar where no signal happens to fire.
    assert seen.keys() == seen_then.keys()
    for name, values in seen.items():
        np.testing.assert_array_equal(seen_then[name], values[:cut], name)


@pytest.mark.parametrize("folder", CATALOG, ids=lambda folder: folder.name)
def test_every_catalog_strategy_enters_somewhere_on_a_long_walk(folder):
    """The property above is not vacuous: each document takes decisions on such candles."""
    doc = parse((folder / "strategy.yaml").read_text())
    signals = decide(doc, random_walk(BARS, seed=7, timeframe=base_timeframe(folder)))

    assert signals.enter_long.any() or signals.enter_short.any()
    # A document may leave every exit to its stop and target (the liquidity sweep reversal).
    assert doc.exit is None or signals.exit_long.any() or signals.exit_short.any()
