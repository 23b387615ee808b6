"""Stops anchored to the chart (risk.stop_anchor, the fill model's point 12): where each
close's entry would put its stop, and the stop's share of the entry price once the entry's
fill price is known, with what a too wide or invalid anchor turns into. The share is the one
rule the fill loop (compiled) and a live run's sizing and resting stop both use.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from strategies.compiled import njit
from strategies.rules.model import Risk, StopAnchor
from strategies.series import Candles

# What a too wide (or invalid) anchor turns into; NONE: the document has no anchor.
NONE, SKIP, CLAMP, PERCENT = range(4)
MODES = {"skip": SKIP, "clamp": CLAMP, "percent": PERCENT}


def anchor_prices(anchor: StopAnchor | None, candles: Candles) -> tuple[np.ndarray, np.ndarray]:
    """For each close, the level a long entered on its decision would stop at (the candle's
    low, or the lowest low of the `bars` candles ending with it) and a short's (the highs);
    NaN where a swing has fewer candles behind it. Two empty arrays without an anchor."""
    if anchor is None:
        return np.empty(0), np.empty(0)
    low = np.ascontiguousarray(candles.low, dtype=np.float64)
    high = np.ascontiguousarray(candles.high, dtype=np.float64)
    bars = anchor.bars_read()
    longs, shorts = np.full(len(low), np.nan), np.full(len(high), np.nan)
    if len(low) >= bars:
        longs[bars - 1 :] = sliding_window_view(low, bars).min(axis=1)
        shorts[bars - 1 :] = sliding_window_view(high, bars).max(axis=1)
    return longs, shorts


def anchor_terms(anchor: StopAnchor | None, stop_loss_pct: float | None) -> np.ndarray:
    """What the fill loop reads of the anchor: [mode, max share, the fallback share]."""
    if anchor is None:
        return np.array([NONE, 0.0, 0.0])
    return np.array([MODES[anchor.too_wide], anchor.max_pct, stop_loss_pct or 0.0])


@njit(cache=True)
def anchored_share(sign, price, anchor, mode, max_share, fallback):
    """The stop's share of the entry price `price` (a real price) for a position on `sign`'s
    side anchored at `anchor`: (price - anchor) / price for a long, (anchor - price) / price
    for a short. Above max_share, or not above zero (the price already beyond the anchor, or
    no anchor: NaN), `mode` decides: CLAMP gives max_share, PERCENT the fallback share, SKIP
    -1 (no entry)."""
    share = sign * (price - anchor) / price
    if share > 0.0 and share <= max_share:  # False for NaN
        return share
    if mode == CLAMP:
        return max_share
    if mode == PERCENT:
        return fallback
    return -1.0


def entry_stop_share(
    risk: Risk, side: str, price: float, candles: Candles, decision: int
) -> float | None:
    """The stop's share for an entry on `side` at `price` (a real price) decided at the close
    of candles[decision]: None without an anchor, -1 when too wide and skipped. What a live
    run sizes its entry with and places its stop from."""
    anchor = risk.stop_anchor
    if anchor is None:
        return None
    # The one level this entry needs, not every close's (anchor_prices): a tick asks twice.
    first = decision - anchor.bars_read() + 1
    level = np.nan
    if first >= 0 and decision < len(candles):
        window = (candles.low if side == "long" else candles.high)[first : decision + 1]
        level = float(window.min() if side == "long" else window.max())
    mode, max_share, fallback = anchor_terms(anchor, risk.stop_loss_pct).tolist()
    sign = 1.0 if side == "long" else -1.0
    return float(anchored_share(sign, price, level, int(mode), max_share, fallback))
