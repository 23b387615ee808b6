"""Volume: its moving average, and a rolling volume-weighted average price."""

import numpy as np
import talib

from strategies.i18n import gettext_lazy as _
from strategies.indicators.registry import IndicatorSpec, Params, full_window, period, register
from strategies.indicators.windows import rolling_sum
from strategies.series import Candles


def _volume_ma(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    return {"value": talib.SMA(candles.volume, timeperiod=params["period"])}


def _vwap(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    typical = (candles.high + candles.low + candles.close) / 3.0
    traded = rolling_sum(typical * candles.volume, params["period"])
    volume = rolling_sum(candles.volume, params["period"])
    # A window without any volume has no price to weigh: undefined, not zero.
    with np.errstate(divide="ignore", invalid="ignore"):
        return {"value": np.where(volume > 0, traded / volume, np.nan)}


register(
    IndicatorSpec(
        kind="volume_ma",
        title=_("Volume moving average"),
        description=_("The average volume of the last N bars."),
        params=(period(default=20),),
        outputs=("value",),
        pane_outputs=("value",),
        warmup=full_window,
        compute=_volume_ma,
        label=_("volume average %(period)s"),
        definition=_("The sum of the last N volumes divided by N."),
    )
)

register(
    IndicatorSpec(
        kind="vwap",
        title=_("Rolling volume-weighted average price"),
        description=_("The average typical price of the last N bars, weighted by their volume."),
        params=(period(default=20),),
        outputs=("value",),
        price_outputs=("value",),
        warmup=full_window,
        compute=_vwap,
        label=_("VWAP %(period)s"),
        definition=_(
            "The typical price is (high + low + close) / 3. Over the last N bars, the sum of "
            "typical price x volume divided by the sum of volumes; undefined when that volume "
            "is zero."
        ),
    )
)
