"""The fill loop: it visits only the bars where something can happen.

Flat, it jumps to the next entry signal (bisect on the signal bars); holding, it searches the
bars up to the next exit signal for a level reached (watch.py); only an order that fills over
several bars (the volume limit) is followed bar by bar.
"""

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from strategies.engine.decide import Signals
from strategies.engine.enums import Kind, Leg, Reason, Side, Status
from strategies.engine.fills.journal import Order
from strategies.engine.fills.ledger import Ledger
from strategies.engine.fills.model import FillModel, Market
from strategies.engine.fills.sizing import entry_amount
from strategies.engine.fills.trades import Position, Trade
from strategies.engine.fills.watch import SideView, Touch, Watch
from strategies.rules.model import EquityFraction, FixedQuote, Risk
from strategies.series import Candles

# A remainder this small next to its order is rounding, not an amount still to fill.
DUST = 1e-9


@dataclass(frozen=True)
class Fills:
    """What the fill loop produced: closed and open trades, the equity and signed holding at
    every close, costs paid, the orders that filled partially or were below the minimum, and
    every order with its fills (the journal a broker records)."""

    trades: list[Trade]
    open_trades: list[Trade]
    equity: np.ndarray
    held: np.ndarray
    fees: float
    slippage: float
    funding: float
    orders_partial: int
    orders_below_minimum: int
    orders: list[Order]


def simulate(
    signals: Signals,
    candles: Candles,
    *,
    risk: Risk,
    sizing: EquityFraction | FixedQuote,
    model: FillModel,
    market: Market,
    capital: float,
    flatten_at: int | None = None,
    funding: np.ndarray | None = None,
) -> Fills:
    """Fill `signals` over `candles` under the fill model (see the package docstring).
    `flatten_at`: the bar whose close a user asked to close the position at (a paper run's
    "flatten"): from there no entry is decided, and a position held is left at the next open
    as an exit rule would leave it, with the reason "manual". `funding`: on a perpetual
    market, the funding rates due during each bar, summed (one per candle; point 9)."""
    if funding is not None and len(funding) != len(candles):
        raise ValueError("one funding rate sum per candle")
    run = Simulation(signals, candles, risk, sizing, model, market, capital, flatten_at, funding)
    run.run()
    return run.result()


class Simulation:
    def __init__(
        self, signals, candles, risk, sizing, model, market, capital, flatten_at, funding
    ) -> None:
        self.candles, self.risk, self.sizing = candles, risk, sizing
        self.model, self.market, self.count = model, market, len(candles)
        self.share, self.slippage, self.fee = model.max_volume_share, model.slippage, model.fee
        self.ledger = Ledger(capital, model.fee, model.slippage, funding)
        self.trades: list[Trade] = []
        self.open_trades: list[Trade] = []
        self.partial = self.below_minimum = 0
        self.orders: list[Order] = []
        self.entry_order: Order | None = None
        self.flatten_at = flatten_at
        self._index_signals(signals)
        long_view = SideView("long", 1, candles.open, candles.high, candles.low)
        self.views = {"long": long_view}
        if self.entries_short:
            self.views["short"] = SideView("short", -1, -candles.open, -candles.low, -candles.high)

    def _index_signals(self, signals: Signals) -> None:
        long_ = signals.enter_long & ~signals.exit_long
        short = signals.enter_short & ~signals.exit_short
        long_, short = long_ & ~short, short & ~long_
        exit_long, exit_short = signals.exit_long, signals.exit_short
        if self.flatten_at is not None:
            long_[self.flatten_at :] = short[self.flatten_at :] = False
            exit_long, exit_short = exit_long.copy(), exit_short.copy()
            exit_long[self.flatten_at :] = exit_short[self.flatten_at :] = True
        self.entries: list[int] = np.flatnonzero(long_ | short).tolist()
        self.entries_short: set[int] = set(np.flatnonzero(short).tolist())
        self.exits = {
            "long": np.flatnonzero(exit_long).tolist(),
            "short": np.flatnonzero(exit_short).tolist(),
        }
        self.exit_flags = {"long": exit_long, "short": exit_short}

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
        amount = entry_amount(
            self.sizing, cash=self.ledger.available, price=price, fee=self.fee, market=self.market
        )
        order = Order(bar, Leg.ENTRY, Side(view.side), amount, Reason.SIGNAL)
        self.orders.append(order)
        if not self.market.accepts(amount, price):
            order.status = Status.SKIPPED
            return None
        self.entry_order = order
        self.ledger.open_position()
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
                self._mark_open(position)
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
                    self._entry_order.finish(remainder_cancelled=True)
                    return None, touch
            if self.exit_flags[view.side][k]:
                self._entry_order.finish(remainder_cancelled=True)
                return None, self._signal_exit(view, k)
            if position.first_fill_bar is not None:
                self.watch.close_bar(k)
        return None, None

    def _fill_entry(self, position: Position, view: SideView, bar: int) -> None:
        price = self._entry_price(view, bar)
        affordable = self.ledger.available / (price * (1 + self.fee))
        cap = self._volume_cap(bar)
        limit = min(cap, affordable)
        wanted = position.to_enter
        chunk = wanted if limit >= wanted else self.market.amount_to_precision(limit)
        if chunk > 0:
            first = position.first_fill_bar is None
            fill = self.ledger.fill(position, bar, chunk, float(view.open[bar]), entry=True)
            self._entry_order.fills.append(fill)
            if first:
                self.watch = Watch(view, position.first_price, self.risk, self.model.stop_first)
        position.to_enter = wanted - chunk
        if position.to_enter <= DUST * wanted:
            position.to_enter = 0.0
            self._entry_order.finish(remainder_cancelled=False)
        elif affordable < min(wanted, cap):
            # When cash, not volume, is what stops the order, later bars cannot lift it: the
            # remainder is cancelled.
            position.to_enter = 0.0
            self._entry_order.finish(remainder_cancelled=True)

    @property
    def _entry_order(self) -> Order:
        if self.entry_order is None:
            raise ValueError("an entry fill without an entry order")
        return self.entry_order

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
        manual = self.flatten_at is not None and decision >= self.flatten_at
        reason = Reason.MANUAL if manual else Reason.SIGNAL
        return Touch(bar, float(view.open[bar]), reason) if bar < self.count else None

    def _exit(self, position: Position, view: SideView, touch: Touch) -> int | None:
        """Sell (a short: buy back) everything held, from the touch on; the completing bar."""
        remaining, reference = position.held, touch.price
        order = Order(touch.bar, Leg.EXIT, Side(position.side), remaining, touch.reason)
        if touch.trigger is not None:  # a level reached: a stop or a take-profit order
            order.kind = (
                Kind.TAKE_PROFIT_MARKET if touch.reason == Reason.TAKE_PROFIT else Kind.STOP_MARKET
            )
            order.trigger = view.sign * touch.trigger
        self.orders.append(order)
        for bar in range(touch.bar, self.count):
            chunk = min(remaining, self._volume_cap(bar))
            if chunk < remaining:
                chunk = self.market.amount_to_precision(chunk)
                self.partial += bar == touch.bar
            final = chunk >= remaining or remaining - chunk <= DUST * position.bought
            if chunk > 0:
                fill = self.ledger.fill(position, bar, chunk, reference, entry=False, final=final)
                order.fills.append(fill)
                remaining -= chunk
            if final:
                order.finish(remainder_cancelled=False)
                position.funding = self._funding(position, bar)
                self.trades.append(position.closed(self.candles.time, bar, touch.reason))
                return bar
            reference = float(view.open[bar + 1]) if bar + 1 < self.count else reference
        self._mark_open(position)
        return None

    def _funding(self, position: Position, last: int) -> float:
        """The funding of the position from its first fill through bar `last` (point 9)."""
        first = position.first_fill_bar
        if first is None:
            return 0.0
        return self.ledger.funding(first, last, self.candles.open)

    def _mark_open(self, position: Position) -> None:
        """A position still open when the data ends, marked at the last close."""
        position.funding = self._funding(position, self.count - 1)
        close = float(self.candles.close[-1])
        self.open_trades.append(position.marked(self.candles.time, close))

    def result(self) -> Fills:
        equity, held = self.ledger.equity(self.candles.close, self.candles.open)
        return Fills(
            trades=self.trades,
            open_trades=self.open_trades,
            equity=equity,
            held=held,
            fees=sum(trade.fees for trade in self.trades + self.open_trades),
            slippage=sum(trade.slippage for trade in self.trades + self.open_trades),
            funding=sum(trade.funding for trade in self.trades + self.open_trades),
            orders_partial=self.partial,
            orders_below_minimum=self.below_minimum,
            orders=self.orders,
        )
