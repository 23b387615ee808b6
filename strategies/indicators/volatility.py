"""Volatility and channels: ATR, Bollinger bands, Donchian channel."""

import numpy as np
import talib

from strategies.i18n import gettext_lazy as _
from strategies.indicators.registry import (
    IndicatorSpec,
    Params,
    full_window,
    multiplier,
    period,
    register,
)
from strategies.indicators.windows import rolling_max, rolling_min, shifted
from strategies.series import Candles


def _atr(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    values = talib.ATR(candles.high, candles.low, candles.close, timeperiod=params["period"])
    return {"value": values}


def _bollinger(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    upper, mid, lower = talib.BBANDS(
        candles.close,
        timeperiod=params["period"],
        nbdevup=params["stddev"],
        nbdevdn=params["stddev"],
        matype=talib.MA_Type.SMA,
    )
    return {"mid": mid, "upper": upper, "lower": lower}


def _donchian(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    # Of the previous N bars: a close above `upper` is then a breakout, which it never
    # could be if the current bar's own high were part of the channel.
    upper = shifted(rolling_max(candles.high, params["period"]), 1)
    lower = shifted(rolling_min(candles.low, params["period"]), 1)
    return {"upper": upper, "lower": lower, "mid": (upper + lower) / 2.0}


register(
    IndicatorSpec(
        kind="atr",
        title=_("Average true range"),
        description=_("How far price travels in a bar, on average, gaps included."),
        params=(period(default=14),),
        outputs=("value",),
        pane_outputs=("value",),
        warmup=lambda p, bar_ms: int(p["period"]),
        compute=_atr,
        label=_("ATR %(period)s"),
        definition=_(
            "True range = the largest of high - low, |high - previous close| and "
            "|low - previous close|. ATR starts as the simple average of the first N true "
            "ranges, then ATR = (previous ATR x (N - 1) + true range) / N (Wilder)."
        ),
    )
)

register(
    IndicatorSpec(
        kind="bollinger",
        title=_("Bollinger bands"),
        description=_("A simple moving average with bands a number of standard deviations away."),
        params=(
            period(default=20, minimum=2),
            multiplier("stddev", default=2.0, help=_("Standard deviations to each band.")),
        ),
        outputs=("mid", "upper", "lower"),
        price_outputs=("mid", "upper", "lower"),
        output_labels={"mid": _("middle band"), "upper": _("upper band"), "lower": _("lower band")},
        warmup=full_window,
        compute=_bollinger,
        label=_("Bollinger %(period)s, %(stddev)s"),
        definition=_(
            "Middle = simple average of the last N closes; upper and lower = middle plus or "
            "minus the multiplier x the population standard deviation of those N closes."
        ),
    )
)

register(
    IndicatorSpec(
        kind="donchian",
        title=_("Donchian channel"),
        description=_("The highest high and lowest low of the previous N bars."),
        params=(period(default=20),),
        outputs=("upper", "lower", "mid"),
        price_outputs=("upper", "lower", "mid"),
        output_labels={
            "upper": _("upper channel"),
            "lower": _("lower channel"),
            "mid": _("middle of the channel"),
        },
        warmup=lambda p, bar_ms: int(p["period"]),
        compute=_donchian,
        label=_("Donchian %(period)s"),
        definition=_(
            "Upper = highest high and lower = lowest low of the N bars before this one (this "
            "bar left out, so a close above the upper line is a breakout); middle = their "
            "average."
        ),
    )
)
