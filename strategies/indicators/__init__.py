"""The indicator library: one registry (parameters, outputs, warm-up, descriptions) and the
functions, TA-Lib where it has them (so values match charting sites), vectorised numpy for the
rest. Importing the package registers every indicator: each module below calls `register`.

Families: `averages` (sma, ema, wma), `oscillators` (rsi, macd, stochastic, cci), `volatility`
(atr, bollinger, donchian), `trend` (adx, trend, super_trend, trend_magic), `volume`
(volume_ma, vwap), `levels` (highest, lowest, prior_period_levels, premium_discount_zones),
`structure` (swing_high, swing_low), `gaps` (fair_value_gap). `windows` holds shared array
helpers.

To add an indicator:
1. Write `compute(candles, params) -> {output: float64 array as long as the candles}` in the
   module of its family (or a new module imported below). The value at bar i may read bars
   0..i only; undefined values are NaN, never 0, states included. TA-Lib if it has the
   function, numpy otherwise; a per-bar loop only for a truly recursive definition, over plain
   lists, with a comment saying so.
2. `register(IndicatorSpec(...))` next to it: `kind` (the name strategy documents use),
   `title`, `description`, `definition` and `label` ("RSI %(period)s") through gettext_lazy;
   `params` with bounds that refuse nonsense (`period()` and `multiplier()` help); `outputs`
   (the first is the default one); `warmup(params, bar_ms)`, the exact count of leading NaN
   bars; `output_warmups` for outputs ready sooner, `sparse_outputs` for event levels that may
   stay NaN after warm-up, `states` for the words of discrete values, `constraints` for rules
   across parameters, `max_bar_ms` if long bars make no sense.
3. Add its kind to the list in tests/strategies/test_indicators_properties.py (no look-ahead,
   exact warm-up) and test its values against numbers worked out independently: by hand, from
   a published example, or from a plain per-bar loop in the test, never from TA-Lib.
4. Run makemessages and translate the new strings in locale/fr (informal "tu").
"""

from strategies.indicators import (
    averages,
    gaps,
    levels,
    oscillators,
    structure,
    trend,
    volatility,
    volume,
)
from strategies.indicators.registry import REGISTRY, Constraint, IndicatorSpec, Param, get

__all__ = [
    "REGISTRY",
    "Constraint",
    "IndicatorSpec",
    "Param",
    "averages",
    "gaps",
    "get",
    "levels",
    "oscillators",
    "structure",
    "trend",
    "volatility",
    "volume",
]
