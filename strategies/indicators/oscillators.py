"""Oscillators: RSI, MACD, stochastic, CCI (TA-Lib, so values match what traders see)."""

import numpy as np
import talib

from strategies.i18n import gettext_lazy as _
from strategies.indicators.registry import (
    Constraint,
    IndicatorSpec,
    Params,
    full_window,
    period,
    register,
)
from strategies.series import Candles


def _rsi(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    return {"value": talib.RSI(candles.close, timeperiod=params["period"])}


def _macd(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    # Each EMA seeded with the simple average of its own first bars, as charting sites do;
    # TA-Lib's MACD function starts the fast EMA late instead, which changes early values.
    line = talib.EMA(candles.close, timeperiod=params["fast"]) - talib.EMA(
        candles.close, timeperiod=params["slow"]
    )
    # TA-Lib skips the line's leading NaNs: the signal EMA starts where the line does.
    signal = talib.EMA(line, timeperiod=params["signal"])
    return {"line": line, "signal": signal, "hist": line - signal}


def _stochastic(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    k, d = talib.STOCH(
        candles.high,
        candles.low,
        candles.close,
        fastk_period=params["k_period"],
        slowk_period=params["k_smoothing"],
        slowk_matype=talib.MA_Type.SMA,
        slowd_period=params["d_period"],
        slowd_matype=talib.MA_Type.SMA,
    )
    return {"k": k, "d": d}


def _cci(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    values = talib.CCI(candles.high, candles.low, candles.close, timeperiod=params["period"])
    return {"value": values}


register(
    IndicatorSpec(
        kind="rsi",
        title=_("Relative strength index"),
        description=_("Momentum from 0 to 100: the share of recent moves that went up."),
        params=(period(default=14, minimum=2),),
        outputs=("value",),
        pane_outputs=("value",),
        warmup=lambda p, bar_ms: int(p["period"]),
        compute=_rsi,
        label=_("RSI %(period)s"),
        definition=_(
            "Average gain and average loss of the close over N bars, started as simple averages "
            "of the first N changes and then smoothed the Wilder way: "
            "average = (previous average x (N - 1) + this change) / N. "
            "RSI = 100 x average gain / (average gain + average loss), 0 when nothing moved."
        ),
    )
)

register(
    IndicatorSpec(
        kind="macd",
        title=_("MACD"),
        description=_("The gap between a fast and a slow EMA of the close, and its own EMA."),
        params=(
            period("fast", default=12, help=_("Bars of the fast EMA.")),
            period("slow", default=26, minimum=2, help=_("Bars of the slow EMA.")),
            period("signal", default=9, help=_("Bars of the signal line's EMA.")),
        ),
        outputs=("line", "signal", "hist"),
        pane_outputs=("line", "signal", "hist"),
        output_labels={"line": _("line"), "signal": _("signal line"), "hist": _("histogram")},
        warmup=lambda p, bar_ms: int(p["slow"]) + int(p["signal"]) - 2,
        output_warmups={"line": lambda p, bar_ms: int(p["slow"]) - 1},
        constraints=(
            Constraint(
                lambda p: p["fast"] < p["slow"],
                _("The fast period must be shorter than the slow period."),
            ),
        ),
        compute=_macd,
        label=_("MACD %(fast)s/%(slow)s/%(signal)s"),
        definition=_(
            "Line = EMA(fast) - EMA(slow) of the close; signal = EMA of the line over the signal "
            "period; histogram = line - signal. Each EMA starts from the simple average of its "
            "first bars."
        ),
    )
)

register(
    IndicatorSpec(
        kind="stochastic",
        title=_("Stochastic oscillator"),
        description=_("Where the close sits in the recent high-low range, from 0 to 100."),
        params=(
            period("k_period", default=14, help=_("Bars of the high-low range.")),
            period("k_smoothing", default=3, help=_("Bars of the average that smooths K.")),
            period("d_period", default=3, help=_("Bars of the average of K that gives D.")),
        ),
        outputs=("k", "d"),
        pane_outputs=("k", "d"),
        output_labels={"k": "%K", "d": "%D"},
        warmup=lambda p, bar_ms: int(p["k_period"] + p["k_smoothing"] + p["d_period"]) - 3,
        compute=_stochastic,
        label=_("stochastic %(k_period)s/%(k_smoothing)s/%(d_period)s"),
        definition=_(
            "Raw K = 100 x (close - lowest low) / (highest high - lowest low) over the last "
            "k_period bars (0 when that range is flat); K is its simple average over "
            "k_smoothing bars and D the simple average of K over d_period bars."
        ),
    )
)

register(
    IndicatorSpec(
        kind="cci",
        title=_("Commodity channel index"),
        description=_("How far the typical price strays from its average, in mean deviations."),
        params=(period(default=20, minimum=2),),
        outputs=("value",),
        pane_outputs=("value",),
        warmup=full_window,
        compute=_cci,
        label=_("CCI %(period)s"),
        definition=_(
            "Typical price = (high + low + close) / 3. CCI = (typical price - its N-bar simple "
            "average) / (0.015 x the mean absolute deviation from that average), 0 when the "
            "deviation is zero."
        ),
    )
)
