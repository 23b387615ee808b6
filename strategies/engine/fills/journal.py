"""The orders the fill loop placed and the fills they got, as a broker would record them.

A backtest only needs trades and the equity; paper runs store these (and live runs compare
the exchange's fills with them), so the loop notes each order when it decides it and each
fill as it happens. Prices here are real prices (a short's are not negated).
"""

from dataclasses import dataclass, field

ENTRY, EXIT = "entry", "exit"
BUY, SELL = "buy", "sell"

# An order's state once the loop is done with it, or still working at the end of the data.
FILLED = "filled"
PARTIAL = "partial"  # filled in part, the remainder cancelled (a stop, an exit rule, no cash)
CANCELLED = "cancelled"  # cancelled before any fill
SKIPPED = "skipped"  # below the market's minimum: never sent
WORKING = "working"  # still filling (the volume limit) when the data ends


def action_of(leg: str, side: str) -> str:
    """What an order does at the exchange: a long's entry buys, a short's sells."""
    return BUY if (leg == ENTRY) == (side == "long") else SELL


@dataclass(frozen=True)
class Fill:
    """One fill: its bar, the amount, the price paid or received (slippage included), the
    price before slippage, and the fee (quote currency)."""

    bar: int
    amount: float
    price: float
    reference: float
    fee: float


@dataclass
class Order:
    """A market order: the bar it is sent at (its fills start there), entry or exit, the side
    of the position it opens or closes, the amount asked, and why (signal or a level)."""

    bar: int
    leg: str
    side: str
    amount: float
    reason: str
    status: str = WORKING
    fills: list[Fill] = field(default_factory=list)

    @property
    def action(self) -> str:
        return action_of(self.leg, self.side)

    @property
    def filled(self) -> float:
        return sum(fill.amount for fill in self.fills)

    def finish(self, remainder_cancelled: bool) -> None:
        """The loop is done with the order: filled, or its remainder cancelled."""
        if not remainder_cancelled:
            self.status = FILLED
        else:
            self.status = PARTIAL if self.fills else CANCELLED
