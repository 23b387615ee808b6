"""Moving averages of the close: simple, exponential, weighted."""

import numpy as np
import talib

from strategies.i18n import gettext_lazy as _
from strategies.indicators.registry import IndicatorSpec, Params, full_window, period, register
from strategies.series import Candles


def _sma(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    return {"value": talib.SMA(candles.close, timeperiod=params["period"])}


def _ema(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    return {"value": talib.EMA(candles.close, timeperiod=params["period"])}


def _wma(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    return {"value": talib.WMA(candles.close, timeperiod=params["period"])}


register(
    IndicatorSpec(
        kind="sma",
        title=_("Simple moving average"),
        description=_("The average close of the last N bars."),
        params=(period(default=20),),
        outputs=("value",),
        price_outputs=("value",),
        warmup=full_window,
        compute=_sma,
        label=_("SMA %(period)s"),
        definition=_("The sum of the last N closes divided by N."),
    )
)

register(
    IndicatorSpec(
        kind="ema",
        title=_("Exponential moving average"),
        description=_("An average of closes that weighs recent bars more."),
        params=(period(default=20),),
        outputs=("value",),
        price_outputs=("value",),
        warmup=full_window,
        compute=_ema,
        label=_("EMA %(period)s"),
        definition=_(
            "Seeded with the simple average of the first N closes, then "
            "EMA = EMA(previous) + 2 / (N + 1) x (close - EMA(previous))."
        ),
    )
)

register(
    IndicatorSpec(
        kind="wma",
        title=_("Weighted moving average"),
        description=_("An average of the last N closes, weighted N for the latest down to 1."),
        params=(period(default=20),),
        outputs=("value",),
        price_outputs=("value",),
        warmup=full_window,
        compute=_wma,
        label=_("WMA %(period)s"),
        definition=_(
            "The latest close times N, plus the one before times N - 1, and so on down to 1, "
            "divided by N x (N + 1) / 2."
        ),
    )
)
