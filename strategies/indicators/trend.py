"""Trend: ADX and its directional lines, an EMA trend state, SuperTrend, Trend Magic."""

import numpy as np
import talib

from strategies.i18n import gettext_lazy as _
from strategies.indicators.registry import IndicatorSpec, Params, multiplier, period, register
from strategies.indicators.windows import shifted, true_range
from strategies.series import Candles

_UP_DOWN = {1.0: _("up"), -1.0: _("down")}


def _adx(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    prices = (candles.high, candles.low, candles.close)
    count = params["period"]
    return {
        "adx": talib.ADX(*prices, timeperiod=count),
        "plus_di": talib.PLUS_DI(*prices, timeperiod=count),
        "minus_di": talib.MINUS_DI(*prices, timeperiod=count),
    }


def _trend(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    ema = talib.EMA(candles.close, timeperiod=params["period"])
    earlier = shifted(ema, params["slope_lookback"])
    up = (candles.close > ema) & (ema > earlier)
    down = (candles.close < ema) & (ema < earlier)
    state = np.where(up, 1.0, np.where(down, -1.0, 0.0))
    return {"value": np.where(np.isnan(earlier), np.nan, state)}


def _super_trend(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    atr = talib.ATR(candles.high, candles.low, candles.close, timeperiod=params["period"])
    middle = (candles.high + candles.low) / 2.0
    offset = params["multiplier"] * atr
    line, state = _super_trend_walk(middle + offset, middle - offset, candles.close)
    return {"line": line, "state": state}


def _super_trend_walk(
    upper_basic: np.ndarray, lower_basic: np.ndarray, close: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Bands that only tighten while price stays inside them, and the side price is on.

    A per-bar loop because each band depends on its own previous value; it runs over plain
    lists, which Python indexes several times faster than numpy arrays.
    """
    count = len(close)
    line, state = np.full(count, np.nan), np.full(count, np.nan)
    defined = np.flatnonzero(~np.isnan(upper_basic))
    if not len(defined):
        return line, state
    start = int(defined[0])
    ups, lows, closes = upper_basic.tolist(), lower_basic.tolist(), close.tolist()
    # The first defined bar starts on the down side, as TradingView's ta.supertrend does.
    upper, lower, side = ups[start], lows[start], -1.0
    for i in range(start, count):
        if i > start:
            upper = ups[i] if ups[i] < upper or closes[i - 1] > upper else upper
            lower = lows[i] if lows[i] > lower or closes[i - 1] < lower else lower
            if side < 0:
                side = 1.0 if closes[i] > upper else -1.0
            else:
                side = -1.0 if closes[i] < lower else 1.0
        line[i] = lower if side > 0 else upper
        state[i] = side
    return line, state


def _trend_magic(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    close = candles.close
    # As in the TradingView script: CCI of the close, and a simple average of true range.
    cci = talib.CCI(close, close, close, timeperiod=params["cci_period"])
    average_range = talib.SMA(
        true_range(candles.high, candles.low, close), timeperiod=params["atr_period"]
    )
    offset = params["multiplier"] * average_range
    bullish = np.where(np.isnan(cci), np.nan, np.where(cci >= 0, 1.0, -1.0))
    trail = _trend_magic_walk(bullish, candles.low - offset, candles.high + offset)
    return {"trail": trail, "state": np.where(np.isnan(trail), np.nan, bullish)}


def _trend_magic_walk(bullish: np.ndarray, below: np.ndarray, above: np.ndarray) -> np.ndarray:
    """The trail: on bullish bars it can only rise, on bearish bars only fall.

    A per-bar loop over plain lists: each value depends on the previous one.
    """
    trail = np.full(len(bullish), np.nan)
    defined = np.flatnonzero(~np.isnan(bullish) & ~np.isnan(below))
    if not len(defined):
        return trail
    start = int(defined[0])
    sides, lows, highs = bullish.tolist(), below.tolist(), above.tolist()
    # The script's first value compares with 0 (its nz()); starting from the band is the
    # same level it settles on, without a bearish start stuck at zero.
    level = lows[start] if sides[start] > 0 else highs[start]
    trail[start] = level
    for i in range(start + 1, len(sides)):
        level = max(lows[i], level) if sides[i] > 0 else min(highs[i], level)
        trail[i] = level
    return trail


register(
    IndicatorSpec(
        kind="adx",
        title=_("Average directional index"),
        description=_("Trend strength from 0 to 100, with the upward and downward pressure."),
        params=(period(default=14, minimum=2),),
        outputs=("adx", "plus_di", "minus_di"),
        pane_outputs=("adx", "plus_di", "minus_di"),
        output_labels={"adx": "ADX", "plus_di": "+DI", "minus_di": "-DI"},
        warmup=lambda p, bar_ms: 2 * int(p["period"]) - 1,
        output_warmups={
            "plus_di": lambda p, bar_ms: int(p["period"]),
            "minus_di": lambda p, bar_ms: int(p["period"]),
        },
        compute=_adx,
        label=_("ADX %(period)s"),
        definition=_(
            "+DM = this high - the previous high and -DM = the previous low - this low; the "
            "larger counts if positive, the other is 0. +DM, -DM and true range are smoothed the "
            "Wilder way: sum = previous sum - previous sum / N + this bar's value, starting from "
            "the sum of the first N - 1 bars (TA-Lib's start, which meets Wilder's own after a "
            "few periods). +DI and -DI = 100 x smoothed DM / smoothed true range. "
            "DX = 100 x |+DI - -DI| / (+DI + -DI); ADX starts as the average of the first N DX "
            "values, then ADX = (previous ADX x (N - 1) + DX) / N."
        ),
    )
)

register(
    IndicatorSpec(
        kind="trend",
        title=_("EMA trend"),
        description=_("Up when the close is above a rising EMA, down when below a falling one."),
        params=(
            period(default=50),
            period(
                "slope_lookback",
                default=3,
                help=_("The EMA rises when it is above its value this many bars ago."),
            ),
        ),
        outputs=("value",),
        warmup=lambda p, bar_ms: int(p["period"]) - 1 + int(p["slope_lookback"]),
        compute=_trend,
        label=_("trend of EMA %(period)s"),
        definition=_(
            "+1 when the close is above the EMA and the EMA is higher than slope_lookback bars "
            "ago; -1 when the close is below the EMA and the EMA is lower than then; 0 otherwise."
        ),
        states={"value": {**_UP_DOWN, 0.0: _("neither up nor down")}},
    )
)

register(
    IndicatorSpec(
        kind="super_trend",
        title=_("SuperTrend"),
        description=_("A trailing line a few ATRs from price that flips when price crosses it."),
        params=(
            period(default=10),
            multiplier(default=3.0, help=_("Average true ranges from the middle to each band.")),
        ),
        outputs=("line", "state"),
        price_outputs=("line",),
        output_labels={"line": _("line"), "state": _("state")},
        warmup=lambda p, bar_ms: int(p["period"]),
        compute=_super_trend,
        label=_("SuperTrend %(period)s, %(multiplier)s"),
        definition=_(
            "Bands = (high + low) / 2 plus or minus multiplier x ATR. The upper band only moves "
            "down, and the lower band only up, unless the previous close went past them. The "
            "state turns up when the close rises above the upper band and down when it falls "
            "below the lower band; the line is the lower band when up, the upper band when down. "
            "It starts down."
        ),
        states={"state": _UP_DOWN},
    )
)

register(
    IndicatorSpec(
        kind="trend_magic",
        title=_("Trend Magic"),
        description=_("A trail under price while CCI is positive, over it while negative."),
        params=(
            period("cci_period", default=20, minimum=2, help=_("Bars of the CCI of the close.")),
            period("atr_period", default=5, help=_("Bars of the average true range.")),
            multiplier(default=1.0, help=_("Average true ranges between price and the trail.")),
        ),
        outputs=("trail", "state"),
        price_outputs=("trail",),
        output_labels={"trail": _("trail"), "state": _("state")},
        warmup=lambda p, bar_ms: max(int(p["cci_period"]) - 1, int(p["atr_period"])),
        compute=_trend_magic,
        label=_("Trend Magic %(cci_period)s/%(atr_period)s"),
        definition=_(
            "ATR here is the simple average of true range over atr_period bars. When the CCI of "
            "the close is 0 or more, the trail is the higher of (low - multiplier x ATR) and its "
            "previous value; when it is negative, the lower of (high + multiplier x ATR) and its "
            "previous value. The state is up while CCI is 0 or more, down otherwise."
        ),
        states={"state": _UP_DOWN},
    )
)
