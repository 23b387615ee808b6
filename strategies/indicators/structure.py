"""Market structure: confirmed swing highs and lows, fair value gaps."""

import numpy as np

from strategies.i18n import Promise
from strategies.i18n import gettext_lazy as _
from strategies.indicators.registry import IndicatorSpec, Param, Params, register
from strategies.indicators.windows import forward_filled, rolling_max, shifted
from strategies.series import Candles


def _side(name: str, default: int, help: Promise | str) -> Param:
    return Param(name, int, default, minimum=1, maximum=500, help=help)


def _confirmed_peaks(values: np.ndarray, left: int, right: int) -> np.ndarray:
    """At each bar, the latest peak confirmed by then; a peak is known `right` bars after it.

    A peak is higher than each of the `left` values before it and not exceeded by any of the
    `right` values after it (on a flat top, the first bar is the peak). Everything is indexed
    by the confirming bar, so no value reads a later bar.
    """
    candidate = shifted(values, right)
    before = shifted(shifted(rolling_max(values, left), 1), right)
    after = rolling_max(values, right)
    confirmed = (candidate > before) & (candidate >= after)
    return forward_filled(np.where(confirmed, candidate, np.nan))


def _swing_high(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    return {"value": _confirmed_peaks(candles.high, params["left"], params["right"])}


def _swing_low(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    # A trough is a peak of the negated lows.
    return {"value": -_confirmed_peaks(-candles.low, params["left"], params["right"])}


_SWING_PARAMS = (
    _side("left", 5, _("Bars before the swing that must be beyond it.")),
    _side("right", 5, _("Bars after the swing that must not pass it; it is known only then.")),
)

register(
    IndicatorSpec(
        kind="swing_high",
        title=_("Swing high"),
        description=_("The level of the latest confirmed swing high."),
        params=_SWING_PARAMS,
        outputs=("value",),
        price_outputs=("value",),
        sparse_outputs=("value",),
        warmup=lambda p, bar_ms: int(p["left"]) + int(p["right"]),
        compute=_swing_high,
        label=_("swing high %(left)s/%(right)s"),
        definition=_(
            "A bar whose high is above the highs of the `left` bars before it and not below "
            "the highs of the `right` bars after it. It is only known once those `right` bars "
            "have closed, so from then on each bar reads the latest such high; undefined until "
            "there is one."
        ),
    )
)

register(
    IndicatorSpec(
        kind="swing_low",
        title=_("Swing low"),
        description=_("The level of the latest confirmed swing low."),
        params=_SWING_PARAMS,
        outputs=("value",),
        price_outputs=("value",),
        sparse_outputs=("value",),
        warmup=lambda p, bar_ms: int(p["left"]) + int(p["right"]),
        compute=_swing_low,
        label=_("swing low %(left)s/%(right)s"),
        definition=_(
            "A bar whose low is below the lows of the `left` bars before it and not above the "
            "lows of the `right` bars after it. It is only known once those `right` bars have "
            "closed, so from then on each bar reads the latest such low; undefined until there "
            "is one."
        ),
    )
)
