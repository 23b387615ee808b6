"""The fill loop: it visits only the bars where something can happen.

Flat, it jumps to the next entry signal (bisect on the signal bars); holding, it searches the
bars up to the next exit signal for a level reached (watch.py); only an order that fills over
several bars (the volume limit) is followed bar by bar.
"""

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from strategies.engine.decide import Signals
from strategies.engine.fills.ledger import Ledger
from strategies.engine.fills.model import FillModel, Market
from strategies.engine.fills.trades import SIGNAL, Position, Trade
from strategies.engine.fills.watch import SideView, Touch, Watch
from strategies.rules.model import EquityFraction, FixedQuote, Risk
from strategies.series import Candles

# A remainder this small next to its order is rounding, not an amount still to fill.
DUST = 1e-9


@dataclass(frozen=True)
class Fills:
    """What the fill loop produced: closed and open trades, the equity and signed holding at
    every close, costs paid, and the orders that filled partially or were below the minimum."""

    trades: list[Trade]
    open_trades: list[Trade]
    equity: np.ndarray
    held: np.ndarray
    fees: float
    slippage: float
    orders_partial: int
    orders_below_minimum: int


def simulate(
    signals: Signals,
    candles: Candles,
    *,
    risk: Risk,
    sizing: EquityFraction | FixedQuote,
    model: FillModel,
    market: Market,
    capital: float,
) -> Fills:
    """Fill `signals` over `candles` under the fill model (see the package docstring)."""
    run = Simulation(signals, candles, risk, sizing, model, market, capital)
    run.run()
    return run.result()


class Simulation:
    def __init__(self, signals, candles, risk, sizing, model, market, capital) -> None:
        self.candles, self.risk, self.sizing = candles, risk, sizing
        self.model, self.market, self.count = model, market, len(candles)
        self.share, self.slippage, self.fee = model.max_volume_share, model.slippage, model.fee
        self.ledger = Ledger(capital, model.fee, model.slippage)
        self.trades: list[Trade] = []
        self.open_trades: list[Trade] = []
        self.partial = self.below_minimum = 0
        self._index_signals(signals)
        long_view = SideView("long", 1, candles.open, candles.high, candles.low)
        self.views = {"long": long_view}
        if self.entries_short:
            self.views["short"] = SideView("short", -1, -candles.open, -candles.low, -candles.high)

    def _index_signals(self, signals: Signals) -> None:
        long_ = signals.enter_long & ~signals.exit_long
        short = signals.enter_short & ~signals.exit_short
        long_, short = long_ & ~short, short & ~long_
        self.entries: list[int] = np.flatnonzero(long_ | short).tolist()
        self.entries_short: set[int] = set(np.flatnonzero(short).tolist())
        self.exits = {
            "long": np.flatnonzero(signals.exit_long).tolist(),
            "short": np.flatnonzero(signals.exit_short).tolist(),
        }
        self.exit_flags = {"long": signals.exit_long, "short": signals.exit_short}

    def run(self) -> None:
        start: int | None = 0
        while start is not None and (index := bisect_left(self.entries, start)) < len(self.entries):
            decision = self.entries[index]
            if decision + 1 >= self.count:
                return
            side = "short" if decision in self.entries_short else "long"
            position = self._order(self.views[side], decision + 1)
            if position is None:
                self.below_minimum += 1
                start = decision + 1
            else:
                start = self._trade(position, decision + 1)

    def _order(self, view: SideView, bar: int) -> Position | None:
        """The entry order sized at `bar`'s fill price, or None when the market refuses it."""
        price = self._entry_price(view, bar)
        cash = self.ledger.cash
        if isinstance(self.sizing, EquityFraction):
            budget = self.sizing.fraction * cash
        else:
            budget = min(self.sizing.amount, cash)
        amount = self.market.amount_to_precision(budget / (price * (1 + self.fee)))
        if not self.market.accepts(amount, price):
            return None
        return Position(view.side, view.sign, bar, amount)

    def _entry_price(self, view: SideView, bar: int) -> float:
        """What one unit costs at `bar`'s open, slippage included (a short: what it fetches)."""
        return abs(float(view.open[bar]) * (1 + view.sign * self.slippage))

    def _trade(self, position: Position, bar: int) -> int | None:
        """Enter, hold and leave; the first bar whose close may decide the next entry (after
        the cooldown), or None when the data ends with the position open."""
        view = self.views[position.side]
        held_from, touch = self._enter(position, view, bar)
        if held_from is not None:
            touch = self._hold(position, view, held_from)
        if touch is None:
            if position.first_fill_bar is not None:
                close = float(self.candles.close[-1])
                self.open_trades.append(position.marked(self.candles.time, close))
            return None
        if position.first_fill_bar is None:  # cancelled before any fill: no trade, no cooldown
            return touch.bar - 1
        done = self._exit(position, view, touch)
        return None if done is None else done + self.risk.cooldown_bars

    def _enter(self, position: Position, view: SideView, bar: int):
        """Fill the entry bar by bar: (bar to hold from, None) once complete, else (None, the
        exit that cut it short, or None at the end of the data)."""
        for k in range(bar, self.count):
            self._fill_entry(position, view, k)
            if position.to_enter == 0:
                return k, None
            if k == bar:
                self.partial += 1
            if position.first_fill_bar is not None:
                touch = self.watch.touch(k)
                if touch is not None:
                    return None, touch
            if self.exit_flags[view.side][k]:
                return None, self._signal_exit(view, k)
            if position.first_fill_bar is not None:
                self.watch.close_bar(k)
        return None, None

    def _fill_entry(self, position: Position, view: SideView, bar: int) -> None:
        price = self._entry_price(view, bar)
        affordable = self.ledger.cash / (price * (1 + self.fee))
        cap = self._volume_cap(bar)
        limit = min(cap, affordable)
        wanted = position.to_enter
        chunk = wanted if limit >= wanted else self.market.amount_to_precision(limit)
        if chunk > 0:
            first = position.first_fill_bar is None
            self.ledger.fill(position, bar, chunk, float(view.open[bar]), entry=True)
            if first:
                self.watch = Watch(view, position.first_price, self.risk, self.model.stop_first)
        position.to_enter = wanted - chunk
        # When cash, not volume, is what stops the order, later bars cannot lift it: the
        # remainder is cancelled.
        if position.to_enter <= DUST * wanted or affordable < min(wanted, cap):
            position.to_enter = 0.0

    def _volume_cap(self, bar: int) -> float:
        share = self.share
        return share * float(self.candles.volume[bar]) if share else np.inf

    def _hold(self, position: Position, view: SideView, bar: int) -> Touch | None:
        """The exit of a fully entered position: a level reached from `bar` on, or the exit
        rule's next firing (filled at the following open), or None when the data ends first."""
        exits = self.exits[view.side]
        index = bisect_left(exits, bar)
        decision = exits[index] if index < len(exits) else self.count
        touch = self.watch.search(bar, min(decision, self.count - 1))
        if touch is not None or decision >= self.count:
            return touch
        return self._signal_exit(view, decision)

    def _signal_exit(self, view: SideView, decision: int) -> Touch | None:
        bar = decision + 1
        return Touch(bar, float(view.open[bar]), SIGNAL) if bar < self.count else None

    def _exit(self, position: Position, view: SideView, touch: Touch) -> int | None:
        """Sell (a short: buy back) everything held, from the touch on; the completing bar."""
        remaining, reference = position.held, touch.price
        for bar in range(touch.bar, self.count):
            chunk = min(remaining, self._volume_cap(bar))
            if chunk < remaining:
                chunk = self.market.amount_to_precision(chunk)
                self.partial += bar == touch.bar
            final = chunk >= remaining or remaining - chunk <= DUST * position.bought
            if chunk > 0:
                self.ledger.fill(position, bar, chunk, reference, entry=False, final=final)
                remaining -= chunk
            if final:
                self.trades.append(position.closed(self.candles.time, bar, touch.reason))
                return bar
            reference = float(view.open[bar + 1]) if bar + 1 < self.count else reference
        close = float(self.candles.close[-1])
        self.open_trades.append(position.marked(self.candles.time, close))
        return None

    def result(self) -> Fills:
        equity, held = self.ledger.equity(self.candles.close)
        return Fills(
            trades=self.trades,
            open_trades=self.open_trades,
            equity=equity,
            held=held,
            fees=sum(trade.fees for trade in self.trades + self.open_trades),
            slippage=sum(trade.slippage for trade in self.trades + self.open_trades),
            orders_partial=self.partial,
            orders_below_minimum=self.below_minimum,
        )
