"""Shared by the rules tests (no test here): test-only indicator specs and a base document.

The specs are put in the registry for one test and taken out after, so the library's own
indicators (another module fills them) are never needed nor shadowed for long.
"""

import numpy as np
import pytest
from django.utils.functional import lazy
from django.utils.translation import get_language

from strategies.indicators import REGISTRY, IndicatorSpec, Param


def in_language(**texts: str):
    """A lazy string chosen by the active language, standing in for a translated one."""
    return lazy(lambda: texts.get((get_language() or "en")[:2], texts["en"]), str)()


def _nothing(candles, params):
    return {"value": np.array([])}


TREND = IndicatorSpec(
    kind="trend",
    title=in_language(en="Trend", fr="Tendance"),
    description="",
    params=(
        Param("period", int, 50, minimum=2, maximum=1000),
        Param("slope_lookback", int, 5, minimum=1, maximum=100),
    ),
    outputs=("value",),
    warmup=lambda params, bar_ms: params["period"],
    compute=_nothing,
    label=in_language(en="Trend %(period)s", fr="Tendance %(period)s"),
    states={
        "value": {
            1: in_language(en="up", fr="haussière"),
            -1: in_language(en="down", fr="baissière"),
            0: in_language(en="flat", fr="plate"),
        }
    },
)

BANDS = IndicatorSpec(
    kind="bands",
    title="Bands",
    description="",
    params=(
        Param("period", int, 20, minimum=1, maximum=500),
        Param("width", float, 2.0, minimum=0.5, maximum=5.0),
        Param("source", str, "close", choices=("close", "hl2")),
    ),
    outputs=("middle", "upper", "lower"),
    warmup=lambda params, bar_ms: params["period"] - 1,
    compute=_nothing,
    label="Bands %(period)s %(width)s",
)


@pytest.fixture
def test_indicators(monkeypatch):
    """trend and bands in the registry for this test only (whatever the library holds)."""
    monkeypatch.setitem(REGISTRY, "trend", TREND)
    monkeypatch.setitem(REGISTRY, "bands", BANDS)


# The example, verbatim: it is also the canonical form dump() must write.
EXAMPLE = """\
name: ema_crossover
long_only: true
indicators:
  ema_fast: {kind: ema, period: 12}
  ema_slow: {kind: ema, period: 26}
  trend_4h: {kind: trend, period: 100, slope_lookback: 8, timeframe: 4h}
entry:
  combine: OR
  rules:
    - combine: AND
      direction: long
      rules:
        - {lhs: {indicator: ema_fast}, op: crosses_up, rhs: {indicator: ema_slow}}
        - {lhs: {indicator: trend_4h}, op: eq, rhs: {value: 1}}
exit:
  combine: OR
  rules:
    - {lhs: {indicator: ema_fast}, op: crosses_down, rhs: {indicator: ema_slow}}
risk: {stop_loss_pct: 0.03, take_profit_pct: 0.05, trailing_stop_pct: 0.04, cooldown_bars: 5}
sizing: {kind: equity_fraction, fraction: 1.0}
"""

# A small valid document; broken ones replace one numbered line (line numbers in comments).
BASE = [
    "name: base",  # 1
    "indicators:",  # 2
    "  fast: {kind: ema, period: 12}",  # 3
    "  slow: {kind: ema, period: 26}",  # 4
    "entry:",  # 5
    "  combine: AND",  # 6
    "  rules:",  # 7
    "    - {lhs: {indicator: fast}, op: gt, rhs: {indicator: slow}}",  # 8
    "exit:",  # 9
    "  combine: OR",  # 10
    "  rules:",  # 11
    "    - {lhs: {bar: close}, op: lt, rhs: {indicator: slow}}",  # 12
    "risk: {stop_loss_pct: 0.02}",  # 13
    "sizing: {kind: equity_fraction, fraction: 0.5}",  # 14
]


def base_with(**lines: str) -> str:
    """BASE with some lines replaced: base_with(l8="...") replaces line 8."""
    text = list(BASE)
    for key, line in lines.items():
        text[int(key[1:]) - 1] = line
    return "\n".join(text) + "\n"
