"""Where a held position's stop, trailing stop or target is reached, found with array searches.

Prices are in the position's side space (a short's negated, its highs and lows swapped), so a
stop is always below and is reached by a low, a target above and reached by a high.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from strategies.engine.enums import Reason

FIRST_WINDOW = 256


@dataclass(frozen=True)
class SideView:
    """One side's price space: sign 1 (long, the candles' prices) or -1 (short, negated)."""

    side: str
    sign: int
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray


class Touch(NamedTuple):
    """An exit: its bar, the price before slippage, why, and the level that triggered it
    (None for an exit rule's order at the open); prices in the side's space."""

    bar: int
    price: float
    reason: Reason
    trigger: float | None = None


class Levels(NamedTuple):
    """A held position's levels for the next bar, in the candles' prices (None: not set)."""

    stop: float | None
    stop_reason: Reason
    target: float | None


def exchange_levels(risk, side: str, entry: float, best: float) -> Levels:
    """The stop (or trailing stop) and target of a position on `side` entered at `entry`, after
    completed bars whose best price is `best` (a long's highest high, a short's lowest low),
    as the fill model would watch them on the next bar. Live runs place them at the exchange."""
    sign = 1 if side == "long" else -1
    nothing = np.empty(0)
    view = SideView(side, sign, nothing, nothing, nothing)
    watch = Watch(view, sign * entry, risk, stop_first=True)
    stop, reason = watch.stop_at(max(sign * entry, sign * best))
    return Levels(
        None if stop == -np.inf else sign * stop,
        reason,
        None if watch.target == np.inf else sign * watch.target,
    )


class Watch:
    """A position's levels from its entry fill price, and the best price of completed bars."""

    def __init__(self, view: SideView, entry: float, risk, stop_first: bool) -> None:
        self.view, self.stop_first = view, stop_first
        # A short's levels mirror a long's: E x (1 + pct) above, in negated prices.
        sign = view.sign
        self.stop = entry * (1 - sign * risk.stop_loss_pct) if risk.stop_loss_pct else -np.inf
        self.target = entry * (1 + sign * risk.take_profit_pct) if risk.take_profit_pct else np.inf
        pct = risk.trailing_stop_pct
        self.trail_factor = (1 - sign * pct) if pct else None
        self.best = entry  # the trailing stop starts from the entry fill price

    def stop_at(self, best: float) -> tuple[float, Reason]:
        """The live stop when the best completed price is `best`, and the reason it names."""
        if self.trail_factor is None:
            return self.stop, Reason.STOP_LOSS
        trail = best * self.trail_factor
        if trail > self.stop:
            return trail, Reason.TRAILING_STOP
        return self.stop, Reason.STOP_LOSS

    def close_bar(self, bar: int) -> None:
        """The bar has closed: its high may raise the trailing stop for the following bars."""
        self.best = max(self.best, float(self.view.high[bar]))

    def search(self, start: int, last: int) -> Touch | None:
        """The first bar in start..last whose range reaches a level; None leaves every bar
        closed (the trailing stop raised by all of them)."""
        a, width = start, FIRST_WINDOW
        while a <= last:
            b = min(a + width, last + 1)
            touched = self._first_in(a, b)
            if touched is not None:
                return self.touch(touched)
            a, width = b, width * 2
        return None

    def _first_in(self, a: int, b: int) -> int | None:
        """The first bar of a..b-1 reaching a level; when none, self.best takes their highs."""
        lows, highs = self.view.low[a:b], self.view.high[a:b]
        watching_highs = self.trail_factor is not None or self.target < np.inf
        top = float(highs.max()) if watching_highs else self.best
        # Cheap test first: the highest stop the window can reach is set by its highest high.
        highest_stop, _ = self.stop_at(max(self.best, top))
        if float(lows.min()) > highest_stop and top < self.target:
            self.best = max(self.best, top)
            return None
        reached = highs >= self.target
        if self.trail_factor is None:
            reached |= lows <= self.stop
        else:
            before = np.empty(b - a)
            before[0] = self.best
            np.maximum.accumulate(highs[:-1], out=before[1:])
            np.maximum(before, self.best, out=before)
            reached |= lows <= np.maximum(before * self.trail_factor, self.stop)
        first = int(np.argmax(reached))
        if not reached[first]:
            self.best = max(self.best, top)
            return None
        if first:
            self.best = max(self.best, float(highs[:first].max()))
        return a + first

    def touch(self, bar: int) -> Touch | None:
        """The exit in `bar` when its range reaches a level (self.best: bars before it)."""
        view = self.view
        open_, high, low = float(view.open[bar]), float(view.high[bar]), float(view.low[bar])
        stop, reason = self.stop_at(self.best)
        stopped, targeted = low <= stop, high >= self.target
        if stopped and (not targeted or open_ <= stop or (self.stop_first and open_ < self.target)):
            return Touch(bar, min(open_, stop), reason, stop)
        if targeted:
            return Touch(bar, max(open_, self.target), Reason.TAKE_PROFIT, self.target)
        return None
