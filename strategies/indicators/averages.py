"""Moving averages."""

import numpy as np
import talib

from strategies.i18n import gettext_lazy as _
from strategies.indicators.registry import IndicatorSpec, Params, period, register
from strategies.series import Candles


def _sma(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    return {"value": talib.SMA(candles.close, timeperiod=params["period"])}


def _ema(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    return {"value": talib.EMA(candles.close, timeperiod=params["period"])}


register(
    IndicatorSpec(
        kind="sma",
        title=_("Simple moving average"),
        description=_("The average close of the last N bars."),
        params=(period(default=20),),
        outputs=("value",),
        warmup=lambda p, bar_ms: p["period"] - 1,
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
        warmup=lambda p, bar_ms: p["period"] - 1,
        compute=_ema,
        label=_("EMA %(period)s"),
        definition=_(
            "Seeded with the simple average of the first N closes, then "
            "EMA = EMA(previous) + 2 / (N + 1) x (close - EMA(previous))."
        ),
    )
)
