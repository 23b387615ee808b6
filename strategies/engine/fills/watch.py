"""The levels a held position watches, as a live run places them at the exchange.

The fill loop (kernel.py) checks them bar by bar; a live run asks here where they stand after
the bars completed so far, by the same rule (levels.py).
"""

from typing import NamedTuple

from strategies.engine.enums import Reason
from strategies.engine.fills.levels import levels_from, stop_level
from strategies.engine.fills.trades import REASONS


class Levels(NamedTuple):
    """A held position's levels for the next bar, in the candles' prices (None: not set)."""

    stop: float | None
    stop_reason: Reason
    target: float | None


def exchange_levels(
    risk, side: str, entry: float, best: float, anchored: float | None = None
) -> Levels:
    """The stop (or trailing stop) and target of a position on `side` entered at `entry`, after
    completed bars whose best price is `best` (a long's highest high, a short's lowest low),
    as the fill model would watch them on the next bar; `anchored`: an anchored stop's share
    for this trade (point 12). Live runs place them at the exchange."""
    sign = 1.0 if side == "long" else -1.0
    stop_loss = anchored if risk.stop_anchor is not None else risk.stop_loss_pct
    stop, target, trail_factor = levels_from(
        sign * entry,
        sign,
        stop_loss or 0.0,
        risk.target_share(anchored) or 0.0,
        risk.trailing_stop_pct or 0.0,
    )
    level, reason = stop_level(stop, trail_factor, max(sign * entry, sign * best))
    return Levels(
        None if level == -float("inf") else sign * level,
        REASONS[reason],
        # A short's target 100 % below or more is no price (validation refuses such a target).
        None if target == float("inf") or sign * target <= 0 else sign * target,
    )
