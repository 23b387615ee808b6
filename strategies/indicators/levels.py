"""Price levels: rolling extremes, the previous day's and week's levels, premium and discount."""

import math

import numpy as np

from strategies.i18n import gettext_lazy as _
from strategies.indicators.registry import (
    IndicatorSpec,
    Param,
    Params,
    Warmup,
    full_window,
    period,
    register,
)
from strategies.indicators.windows import rolling_max, rolling_min, shifted
from strategies.series import DAY_MS, FIELDS, MONDAY_OFFSET_MS, WEEK_MS, Candles


def _highest(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    return {"value": rolling_max(candles.field(params["source"]), params["period"])}


def _lowest(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    return {"value": rolling_min(candles.field(params["source"]), params["period"])}


def _source(default: str) -> Param:
    return Param("source", str, default, choices=FIELDS, help=_("The bar field to read."))


def _prior_period_levels(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    if candles.bar_ms > DAY_MS:
        raise ValueError("prior-period levels need bars of one day or shorter")
    day = _previous_period(candles, DAY_MS, 0)
    week = _previous_period(candles, WEEK_MS, MONDAY_OFFSET_MS)
    return {
        **{f"day_{name}": values for name, values in day.items()},
        **{f"week_{name}": values for name, values in week.items()},
    }


def _previous_period(candles: Candles, length: int, origin: int) -> dict[str, np.ndarray]:
    """High, low, open, close of the period before each bar's (the latest earlier one with bars).

    The period the series starts in counts only if the series starts on its boundary: its
    earlier bars are missing otherwise.
    """
    count = len(candles)
    if not count:
        return {name: np.full(0, np.nan) for name in ("high", "low", "open", "close")}
    period_id = (candles.time - origin) // length
    opens_period = np.concatenate(([True], period_id[1:] != period_id[:-1]))
    starts = np.flatnonzero(opens_period)
    ends = np.append(starts[1:] - 1, count - 1)
    previous = np.cumsum(opens_period) - 2  # index of the period before each bar's
    first_complete = 0 if (candles.time[0] - origin) % length == 0 else 1
    known = previous >= first_complete
    rows = np.where(known, previous, 0)
    levels = {
        "high": np.maximum.reduceat(candles.high, starts),
        "low": np.minimum.reduceat(candles.low, starts),
        "open": candles.open[starts],
        "close": candles.close[ends],
    }
    return {name: np.where(known, values[rows], np.nan) for name, values in levels.items()}


def _worst_case_warmup(length: int) -> Warmup:
    """Bars until a whole period is behind, for a series that starts one bar into a period."""

    def warmup(params: Params, bar_ms: int) -> int:
        # The partial period runs length - bar_ms, then a whole one: the next bar is defined.
        return math.ceil(2 * length / bar_ms) - 1

    return warmup


def _premium_discount_zones(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    high = shifted(rolling_max(candles.high, params["period"]), 1)
    low = shifted(rolling_min(candles.low, params["period"]), 1)
    middle = (high + low) / 2.0
    band = params["band"] * (high - low)
    zone = np.where(
        candles.close > middle + band, 1.0, np.where(candles.close < middle - band, -1.0, 0.0)
    )
    zone[np.isnan(middle)] = np.nan
    return {"current_zone": zone, "range_high": high, "range_low": low, "equilibrium": middle}


register(
    IndicatorSpec(
        kind="highest",
        title=_("Highest value"),
        description=_("The highest value of a bar field over the last N bars, this one included."),
        params=(period(default=20), _source("high")),
        outputs=("value",),
        price_outputs=("value",),
        warmup=full_window,
        compute=_highest,
        label=_("highest %(source)s of %(period)s bars"),
        definition=_("The largest of the chosen field over the last N bars, this bar included."),
    )
)

register(
    IndicatorSpec(
        kind="lowest",
        title=_("Lowest value"),
        description=_("The lowest value of a bar field over the last N bars, this one included."),
        params=(period(default=20), _source("low")),
        outputs=("value",),
        price_outputs=("value",),
        warmup=full_window,
        compute=_lowest,
        label=_("lowest %(source)s of %(period)s bars"),
        definition=_("The smallest of the chosen field over the last N bars, this bar included."),
    )
)

_DAY_OUTPUTS = ("day_high", "day_low", "day_open", "day_close")

register(
    IndicatorSpec(
        kind="prior_period_levels",
        title=_("Previous day and week levels"),
        description=_("The high, low, open and close of the previous UTC day and week."),
        params=(),
        outputs=(*_DAY_OUTPUTS, "week_high", "week_low", "week_open", "week_close"),
        price_outputs=(
            "day_high",
            "day_low",
            "day_open",
            "day_close",
            "week_high",
            "week_low",
            "week_open",
            "week_close",
        ),
        output_labels={
            "day_high": _("previous day's high"),
            "day_low": _("previous day's low"),
            "day_open": _("previous day's open"),
            "day_close": _("previous day's close"),
            "week_high": _("previous week's high"),
            "week_low": _("previous week's low"),
            "week_open": _("previous week's open"),
            "week_close": _("previous week's close"),
        },
        warmup=_worst_case_warmup(WEEK_MS),
        output_warmups=dict.fromkeys(_DAY_OUTPUTS, _worst_case_warmup(DAY_MS)),
        max_bar_ms=DAY_MS,
        compute=_prior_period_levels,
        label=_("previous day and week"),
        definition=_(
            "Days run from 00:00 UTC, weeks from Monday 00:00 UTC. Each bar reads the high, low, "
            "open and close of the latest complete day and week before its own (a day without "
            "any bar is skipped). The day or week the history starts in counts only if the "
            "history starts at its beginning. For timeframes of one day or shorter."
        ),
    )
)

register(
    IndicatorSpec(
        kind="premium_discount_zones",
        title=_("Premium and discount zones"),
        description=_("Whether the close is in the upper or lower part of the recent range."),
        params=(
            period(default=50, help=_("Bars before this one that make the range.")),
            Param(
                "band",
                float,
                0.05,
                minimum=0.0,
                maximum=0.5,
                help=_("Half-width of the equilibrium zone, as a fraction of the range."),
            ),
        ),
        outputs=("current_zone", "range_high", "range_low", "equilibrium"),
        price_outputs=("range_high", "range_low", "equilibrium"),
        output_labels={
            "current_zone": _("zone"),
            "range_high": _("range high"),
            "range_low": _("range low"),
            "equilibrium": _("equilibrium price"),
        },
        warmup=lambda p, bar_ms: int(p["period"]),
        compute=_premium_discount_zones,
        label=_("premium/discount zone of %(period)s bars"),
        definition=_(
            "The range runs from the lowest low to the highest high of the N bars before this "
            "one; equilibrium is its middle. The zone is premium (+1) when the close is above "
            "equilibrium + band x range, discount (-1) when below equilibrium - band x range, "
            "equilibrium (0) in between."
        ),
        states={"current_zone": {1.0: _("premium"), -1.0: _("discount"), 0.0: _("equilibrium")}},
    )
)
