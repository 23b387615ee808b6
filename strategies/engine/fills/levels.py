"""Where a held position's stop, trailing stop and target stand, and whether a bar reaches
them: the fill model's points 3 and 4, compiled, for the fill loop and for the levels a live
run places at the exchange (watch.py).

Prices are in the position's side space: a short's are negated and its highs and lows swapped,
so a stop is always below and reached by a low, a target above and reached by a high.
"""

import numpy as np

from strategies.compiled import njit
from strategies.engine.fills.tables import STOP_LOSS, TAKE_PROFIT, TRAILING_STOP


@njit(cache=True)
def stop_level(stop: float, trail_factor: float, best: float) -> tuple[float, int]:
    """The live stop when the best completed price is `best`, and the reason it names: the
    higher of the stop-loss and the trailing stop (stop_loss when they are equal). A
    `trail_factor` of 0 means no trailing stop."""
    if trail_factor == 0.0:
        return stop, STOP_LOSS
    trail = best * trail_factor
    if trail > stop:
        return trail, TRAILING_STOP
    return stop, STOP_LOSS


@njit(cache=True)
def levels_from(entry: float, sign: float, stop_loss: float, take_profit: float, trailing: float):
    """(stop, target, trailing factor) of a position entered at `entry` (side space) under
    stop-loss, take-profit and trailing-stop shares (0: none); the factor is 0 without a
    trailing stop, the stop -inf and the target inf when not set (points 3 and 4)."""
    # A short's levels mirror a long's: E x (1 + pct) above, in negated prices.
    stop = entry * (1 - sign * stop_loss) if stop_loss else -np.inf
    target = entry * (1 + sign * take_profit) if take_profit else np.inf
    trail_factor = (1 - sign * trailing) if trailing else 0.0
    return stop, target, trail_factor


@njit(cache=True)
def touch(side_open, side_high, side_low, stop, trail_factor, target, best, stop_first):
    """The exit in a bar whose range reaches a level (`best`: the bars before it):
    (price before slippage, reason, trigger), or a reason of -1 when none is reached."""
    level, reason = stop_level(stop, trail_factor, best)
    stopped, targeted = side_low <= level, side_high >= target
    if stopped and (not targeted or side_open <= level or (stop_first and side_open < target)):
        return min(side_open, level), reason, level
    if targeted:
        return max(side_open, target), TAKE_PROFIT, target
    return 0.0, -1, 0.0


@njit(cache=True, nogil=True)
def touch_at(bar, sign, open_, high, low, stop, trail_factor, target, best, stop_first):
    """`touch` on `bar` of the candles (real prices) seen from the side `sign`, and that bar's
    high in the side's space (what a trailing stop follows once the bar has closed)."""
    side_high = high[bar] if sign > 0 else -low[bar]
    side_low = low[bar] if sign > 0 else -high[bar]
    price, reason, trigger = touch(
        sign * open_[bar], side_high, side_low, stop, trail_factor, target, best, stop_first
    )
    return price, reason, trigger, side_high
