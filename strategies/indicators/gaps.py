"""Fair value gaps: three-bar imbalances, and the latest one price has not filled yet."""

import numpy as np

from strategies.i18n import gettext_lazy as _
from strategies.indicators.registry import IndicatorSpec, Params, register
from strategies.indicators.windows import shifted
from strategies.series import Candles


def _fair_value_gap(candles: Candles, params: Params) -> dict[str, np.ndarray]:
    two_back_high, two_back_low = shifted(candles.high, 2), shifted(candles.low, 2)
    bullish = candles.low > two_back_high
    bearish = candles.high < two_back_low
    state = np.where(bullish, 1.0, np.where(bearish, -1.0, 0.0))
    state[:2] = np.nan
    # Bullish gap: from the high two bars back up to this low; bearish: from this high up to
    # the low two bars back.
    top = np.where(bullish, candles.low, two_back_low)
    bottom = np.where(bullish, two_back_high, candles.high)
    formed = np.flatnonzero(bullish | bearish)
    filled = _fill_bars(candles, formed, bullish[formed], top[formed], bottom[formed])
    latest = _latest_open_gap(len(candles), formed, filled)
    # "No gap" (-1) reads a placeholder bar, masked right after.
    gap_bar = np.append(formed, 0)[latest]
    has_gap = latest >= 0
    return {
        "state": state,
        "top": np.where(has_gap, top[gap_bar], np.nan),
        "bottom": np.where(has_gap, bottom[gap_bar], np.nan),
    }


def _fill_bars(
    candles: Candles, formed: np.ndarray, bullish: np.ndarray, top: np.ndarray, bottom: np.ndarray
) -> np.ndarray:
    """The bar that fills each gap (trades through its far side), or len(candles) if none yet.

    Bullish gaps fill when a later low reaches their bottom; bearish ones when a later high
    reaches their top (negated, so both are a search for a value at or below a level).
    """
    after = formed + 1
    by_low = _first_at_or_below(candles.low, after, bottom)
    by_high = _first_at_or_below(-candles.high, after, -top)
    return np.where(bullish, by_low, by_high)


def _first_at_or_below(values: np.ndarray, starts: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """For each (start, level), the first index >= start where values <= level, else len.

    Binary lifting over a table of window minimums: every gap is searched at once, in
    log2(len) numpy steps, instead of scanning bar by bar.
    """
    count = len(values)
    minimums = [values]
    while 2 ** len(minimums) <= count:
        previous, width = minimums[-1], 2 ** (len(minimums) - 1)
        minimums.append(np.minimum(previous[:-width], previous[width:]))
    position = starts.copy()
    # Skip every window (largest first) that lies within the series and holds no hit.
    for power in reversed(range(len(minimums))):
        table = minimums[power]
        fits = position < len(table)
        window_min = table[np.minimum(position, len(table) - 1)]
        position = np.where(fits & (window_min > levels), position + 2**power, position)
    return np.minimum(position, count)


def _latest_open_gap(count: int, formed: np.ndarray, filled: np.ndarray) -> np.ndarray:
    """At each bar, the index (into `formed`) of the latest gap not filled yet, -1 if none.

    A per-bar loop over plain lists with a stack of gaps: when the latest gap fills, the one
    before it is the answer again if it is still open, which no running max expresses.
    """
    latest = np.full(count, -1, dtype=np.int64)
    formed_at, filled_at = formed.tolist(), filled.tolist()
    open_gaps: list[int] = []
    upcoming = 0
    for bar in range(count):
        if upcoming < len(formed_at) and formed_at[upcoming] == bar:
            open_gaps.append(upcoming)
            upcoming += 1
        while open_gaps and filled_at[open_gaps[-1]] <= bar:
            open_gaps.pop()
        if open_gaps:
            latest[bar] = open_gaps[-1]
    return latest


register(
    IndicatorSpec(
        kind="fair_value_gap",
        title=_("Fair value gap"),
        description=_("A three-bar gap price left behind, and the latest one it has not filled."),
        params=(),
        outputs=("state", "top", "bottom"),
        price_outputs=("top", "bottom"),
        output_labels={
            "state": _("state"),
            "top": _("top of the gap"),
            "bottom": _("bottom of the gap"),
        },
        sparse_outputs=("top", "bottom"),
        warmup=lambda p, bar_ms: 2,
        compute=_fair_value_gap,
        label=_("fair value gap"),
        definition=_(
            "A bullish gap forms on a bar whose low is above the high of the bar two before; a "
            "bearish gap on a bar whose high is below the low of the bar two before. The state "
            "is +1 or -1 on the bar a gap forms, 0 otherwise. Top and bottom are the edges of "
            "the latest gap not filled yet: a bullish gap is filled once a later low reaches its "
            "bottom, a bearish one once a later high reaches its top. Undefined while there is "
            "no open gap."
        ),
        states={"state": {1.0: _("bullish"), -1.0: _("bearish"), 0.0: _("none")}},
    )
)
