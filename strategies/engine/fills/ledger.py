"""Cash and holdings after each fill, and the mark-to-market equity curve they give."""

import numpy as np

from strategies.engine.fills.journal import Fill
from strategies.engine.fills.trades import Position


class Ledger:
    """The account: cash (quote currency) and the signed amount held (negative: short), noted
    after every fill with the bar it happened in; on a perpetual market, the funding each
    bar's rate (`funding`, the rates due during each bar, summed) charges on what was held at
    the previous close (the fill model's point 9)."""

    def __init__(
        self, capital: float, fee: float, slippage: float, funding: np.ndarray | None = None
    ) -> None:
        self.cash, self.fee, self.slippage = capital, fee, slippage
        self.capital = capital
        self.rates = funding
        self.funding_settled = 0.0  # closed positions' funding, in the cash they size from
        self._bars: list[int] = []
        self._cash: list[float] = []
        self._held: list[float] = []
        self._position_first = 0  # the first record of the position being filled

    @property
    def available(self) -> float:
        """The cash an entry is sized from: the fills' cash and the settled funding."""
        return self.cash + self.funding_settled

    def open_position(self) -> None:
        """The next fills are a new position's (its funding reads only its own records)."""
        self._position_first = len(self._bars)

    def funding(self, first: int, last: int, opens: np.ndarray) -> float:
        """The funding of the position being filled over bars first+1..last (its first fill in
        bar `first`): at each of those bars' opens (real prices), the rate times what it held
        at the previous close; negative when paid. Settled into the available cash."""
        if self.rates is None or last <= first:
            return 0.0
        bars = np.arange(first + 1, last + 1)
        recorded = np.asarray(self._bars[self._position_first :], dtype=np.int64)
        held = np.asarray(self._held[self._position_first :])
        before = np.searchsorted(recorded, bars - 1, side="right") - 1
        paid = -float((held[before] * opens[bars] * self.rates[bars]).sum())
        self.funding_settled += paid
        return paid

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

    def equity(self, close: np.ndarray, opens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Equity at each bar's close (cash plus the holding at that close, plus the funding
        paid or received so far) and the signed amount held at each close."""
        count = len(close)
        latest = np.full(count, -1, dtype=np.int64)
        bars = np.asarray(self._bars, dtype=np.int64)
        # Several fills in one bar: the last one describes the account at the close.
        last_of_bar = np.flatnonzero(np.r_[bars[1:] != bars[:-1], True]) if len(bars) else bars
        latest[bars[last_of_bar]] = last_of_bar
        np.maximum.accumulate(latest, out=latest)
        cash = np.append(np.asarray(self._cash), self.capital)[latest]
        held = np.append(np.asarray(self._held), 0.0)[latest]
        equity = cash + held * close
        if self.rates is not None and count > 1:
            flows = np.zeros(count)
            flows[1:] = -held[:-1] * opens[1:] * self.rates[1:]
            equity += np.cumsum(flows)
        return equity, held
