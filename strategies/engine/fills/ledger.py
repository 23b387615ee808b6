"""Cash and holdings after each fill, and the mark-to-market equity curve they give."""

import numpy as np

from strategies.engine.fills.journal import Fill
from strategies.engine.fills.trades import Position


class Ledger:
    """The account: cash (quote currency) and the signed amount held (negative: short), noted
    after every fill with the bar it happened in."""

    def __init__(self, capital: float, fee: float, slippage: float) -> None:
        self.cash, self.fee, self.slippage = capital, fee, slippage
        self.capital = capital
        self._bars: list[int] = []
        self._cash: list[float] = []
        self._held: list[float] = []

    def fill(
        self,
        position: Position,
        bar: int,
        amount: float,
        reference: float,
        *,
        entry: bool,
        final: bool = False,
    ) -> Fill:
        """Fill `amount` at `reference` (side space, before slippage) for `position`;
        `final`: the exit's last fill. Returns the fill in real prices."""
        adverse = 1 if entry else -1
        price = reference * (1 + adverse * position.sign * self.slippage)
        fee = self.fee * amount * abs(price)
        slipped = amount * abs(price - reference)
        position.add_fill(bar, amount, price, (fee, slipped), entry=entry, final=final)
        self.cash += (-amount * price if entry else amount * price) - fee
        self._bars.append(bar)
        self._cash.append(self.cash)
        self._held.append(position.sign * position.held)
        sign = position.sign
        return Fill(bar, amount, sign * price, sign * reference, fee)

    def equity(self, close: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Equity at each bar's close (cash plus the holding at that close) and the signed
        amount held at each close."""
        count = len(close)
        latest = np.full(count, -1, dtype=np.int64)
        bars = np.asarray(self._bars, dtype=np.int64)
        # Several fills in one bar: the last one describes the account at the close.
        last_of_bar = np.flatnonzero(np.r_[bars[1:] != bars[:-1], True]) if len(bars) else bars
        latest[bars[last_of_bar]] = last_of_bar
        np.maximum.accumulate(latest, out=latest)
        cash = np.append(np.asarray(self._cash), self.capital)[latest]
        held = np.append(np.asarray(self._held), 0.0)[latest]
        return cash + held * close, held
