"""Trades as the ledger lists them, and the running position they are built from."""

from typing import NamedTuple

from strategies.engine.fills.sizing import profit


class Trade(NamedTuple):
    """One position, entry to exit. Prices are as filled (slippage included), averaged over the
    fills of each leg; `pnl` is net of both legs' fees and of the funding paid (received:
    `funding` > 0) while it was held; bars index the run's candles and times are those bars'
    opens (ms UTC). An open trade has no exit: its pnl is marked at the last close (after the
    fees and funding so far) and `mark_price` is that close."""

    side: str
    entry_bar: int
    entry_time: int
    entry_price: float
    size: float
    pnl: float
    fees: float
    slippage: float
    exit_bar: int | None = None
    exit_time: int | None = None
    exit_price: float | None = None
    exit_reason: str | None = None
    mark_price: float | None = None
    funding: float = 0.0

    @property
    def is_open(self) -> bool:
        return self.exit_bar is None


class Position:
    """A position in the making, in its side's price space (a short's prices negated, so one
    code path serves both sides): amounts bought and sold, their values, fees and slippage."""

    def __init__(self, side: str, sign: int, entry_bar: int, ordered: float) -> None:
        self.side, self.sign, self.entry_bar = side, sign, entry_bar
        self.to_enter = ordered
        self.first_fill_bar: int | None = None
        self.first_price = 0.0
        self.bought = self.bought_value = 0.0
        self.sold = self.sold_value = 0.0
        self.fees = self.slippage = 0.0
        self.funding = 0.0  # paid (negative) or received while held: perpetual markets
        self.closed_out = False

    @property
    def held(self) -> float:
        # Exactly zero once closed: a float remainder of the exit's chunks is not a holding.
        return 0.0 if self.closed_out else self.bought - self.sold

    def add_fill(
        self,
        bar: int,
        amount: float,
        price: float,
        costs: tuple[float, float],
        *,
        entry: bool,
        final: bool = False,
    ) -> None:
        """Book a fill of `amount` at `price` (its side's space); costs: (fee, slippage);
        `final`: the exit's last fill."""
        if entry:
            if self.first_fill_bar is None:
                self.first_fill_bar, self.first_price = bar, price
            self.bought += amount
            self.bought_value += amount * price
        else:
            self.sold += amount
            self.sold_value += amount * price
            self.closed_out = final
        self.fees += costs[0]
        self.slippage += costs[1]

    def _entry_bar(self) -> int:
        if self.first_fill_bar is None:
            raise ValueError("a position without a fill is no trade")
        return self.first_fill_bar

    def closed(self, times, exit_bar: int, reason: str) -> Trade:
        entry_bar = self._entry_bar()
        return Trade(
            self.side,
            entry_bar,
            int(times[entry_bar]),
            self.sign * self.bought_value / self.bought,
            self.bought,
            profit(self.sign, self.sign * self.bought_value, self.sign * self.sold_value, self.fees)
            + self.funding,
            self.fees,
            self.slippage,
            exit_bar,
            int(times[exit_bar]),
            self.sign * self.sold_value / self.sold,
            reason,
            funding=self.funding,
        )

    def marked(self, times, close: float) -> Trade:
        """The open remainder, marked at `close` (a real, not negated, price)."""
        entry_bar = self._entry_bar()
        exit_value = self.sign * self.sold_value + self.held * close
        return Trade(
            self.side,
            entry_bar,
            int(times[entry_bar]),
            self.sign * self.bought_value / self.bought,
            self.held,
            profit(self.sign, self.sign * self.bought_value, exit_value, self.fees) + self.funding,
            self.fees,
            self.slippage,
            mark_price=close,
            funding=self.funding,
        )
