"""The orders the fill loop placed and the fills they got, as a broker would record them.

A backtest only needs trades and the equity; paper runs store these (and live runs compare
the exchange's fills with them), so the loop notes each order when it decides it and each
fill as it happens. Prices here are real prices (a short's are not negated).
"""

from dataclasses import dataclass, field

from strategies.engine.enums import Action, Kind, Leg, Reason, Side, Status, action_of


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
    """An order: the bar it is sent at (its fills start there), entry or exit, the side of
    the position it opens or closes, the amount asked, and why (a rule or a level). Its kind
    says how it executes: at the market, as a stop-market or take-profit-market order whose
    `trigger` is the level (a real price) the bar's range reached, or as a safety order's
    limit order resting at `trigger`, `rung` its place in the ladder (1 the nearest)."""

    bar: int
    leg: Leg
    side: Side
    amount: float
    reason: Reason
    kind: Kind = Kind.MARKET
    trigger: float | None = None
    status: Status = Status.WORKING
    fills: list[Fill] = field(default_factory=list)
    rung: int = 0

    @property
    def action(self) -> Action:
        return action_of(self.leg, self.side)

    @property
    def filled(self) -> float:
        return sum(fill.amount for fill in self.fills)

    def finish(self, remainder_cancelled: bool) -> None:
        """The loop is done with the order: filled, or its remainder cancelled."""
        if not remainder_cancelled:
            self.status = Status.FILLED
        else:
            self.status = Status.PARTIAL if self.fills else Status.CANCELLED
