"""The fill model over a period: signals in, trades, the equity curve and the orders out.

The loop itself is compiled (`kernel.py`); this module hands it arrays and turns its tables into
what callers read: trades, the equity and holding at every close, the totals, and, only when a
caller asks for them (paper runs, live runs' twins), the orders with their fills.
"""

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from strategies.engine.decide import Signals
from strategies.engine.enums import Kind, Leg, Side, Status
from strategies.engine.fills import kernel
from strategies.engine.fills import tables as t
from strategies.engine.fills.anchors import anchor_terms
from strategies.engine.fills.journal import Fill, Order
from strategies.engine.fills.model import NO_STEP, FillModel, Market
from strategies.engine.fills.sizing import sizing_terms
from strategies.engine.fills.trades import REASONS, Trade, closed_trades, open_trade
from strategies.rules.ladder import SafetyOrders
from strategies.rules.model import Risk, RiskPerTrade, Sizing
from strategies.series import Candles

LEGS = (Leg.ENTRY, Leg.EXIT, Leg.SAFETY)
KINDS = (Kind.MARKET, Kind.STOP_MARKET, Kind.TAKE_PROFIT_MARKET, Kind.LIMIT)
STATUSES = (Status.WORKING, Status.FILLED, Status.PARTIAL, Status.CANCELLED, Status.SKIPPED)


@dataclass(frozen=True)
class Fills:
    """What the fill loop produced: closed and open trades, the equity and signed holding at
    every close, costs paid, the orders that filled partially or were below the minimum, and
    every order with its fills (the journal a broker records; built when first read)."""

    trades: list[Trade]
    open_trades: list[Trade]
    equity: np.ndarray
    held: np.ndarray
    fees: float
    slippage: float
    funding: float
    orders_partial: int
    orders_below_minimum: int
    order_table: np.ndarray = field(repr=False)
    fill_table: np.ndarray = field(repr=False)

    @cached_property
    def orders(self) -> list[Order]:
        return journal(self.order_table, self.fill_table)


def simulate(
    signals: Signals,
    candles: Candles,
    *,
    risk: Risk,
    sizing: Sizing,
    model: FillModel,
    market: Market,
    capital: float,
    flatten_at: int | None = None,
    funding: np.ndarray | None = None,
    reverse: bool = False,
    ladder: SafetyOrders | None = None,
    anchors: tuple[np.ndarray, np.ndarray] | None = None,
) -> Fills:
    """Fill `signals` over `candles` under the fill model (see the package docstring).
    `flatten_at`: the bar whose close a user asked to close the position at (a paper run's
    "flatten"): from there no entry is decided, and a position held is left at the next open
    as an exit rule would leave it, with the reason "manual". `funding`: on a perpetual
    market, the funding rates due during each bar, summed (one per candle; point 9).
    `reverse`: the other direction's entry leaves a position and enters (point 10).
    `ladder`: the safety orders a position rests once its base order filled (point 11).
    `anchors`: with risk.stop_anchor, the level each close's long and short entry would stop
    at (fills.anchors.anchor_prices over these candles; point 12)."""
    if funding is not None and len(funding) != len(candles):
        raise ValueError("one funding rate sum per candle")
    if risk.stop_anchor is not None and (anchors is None or len(anchors[0]) != len(candles)):
        raise ValueError("an anchored stop needs an anchor per candle")
    entries, short_at, exit_long, exit_short = _indexed(signals, flatten_at)
    rates = np.empty(0) if funding is None else _floats(funding)
    anchor_long, anchor_short = anchors if anchors is not None else (np.empty(0), np.empty(0))
    orders, fills, positions, counters = kernel.fill_loop(
        _floats(candles.open),
        _floats(candles.high),
        _floats(candles.low),
        _floats(candles.volume),
        entries,
        short_at,
        np.flatnonzero(exit_long),
        np.flatnonzero(exit_short),
        exit_long,
        exit_short,
        -1 if flatten_at is None else flatten_at,
        reverse,
        _risk(risk),
        np.array(ladder.deviations() if ladder else [], dtype=np.float64),
        np.array(ladder.ratios() if ladder else [], dtype=np.float64),
        _floats(anchor_long),
        _floats(anchor_short),
        _trade_terms(risk, sizing),
        *sizing_terms(sizing, risk),
        model.fee,
        model.slippage,
        model.max_volume_share,
        model.stop_first,
        np.array([market.amount_step or NO_STEP, market.min_amount, market.min_cost]),
        float(capital),
        rates,
    )
    trades = closed_trades(positions, candles.time)
    marked = open_trade(positions, candles.time, float(candles.close[-1]) if len(candles) else 0)
    equity, held = np.empty(len(candles)), np.empty(len(candles))
    t.equity_curve(
        fills, float(capital), _floats(candles.close), _floats(candles.open), rates, equity, held
    )
    return Fills(
        trades=trades,
        open_trades=marked,
        equity=equity,
        held=held,
        # Added one after another in the positions' order, as the trades list them.
        fees=sum(positions[:, t.P_FEES].tolist()),
        slippage=sum(positions[:, t.P_SLIPPAGE].tolist()),
        funding=sum(positions[:, t.P_FUNDING].tolist()),
        orders_partial=int(counters[0]),
        orders_below_minimum=int(counters[1]),
        order_table=orders,
        fill_table=fills,
    )


def _risk(risk: Risk) -> np.ndarray:
    levels = (risk.stop_loss_pct, risk.target_share(), risk.trailing_stop_pct)
    return np.array([*(share or 0.0 for share in levels), risk.cooldown_bars], dtype=np.float64)


def _trade_terms(risk: Risk, sizing: Sizing) -> np.ndarray:
    """What an anchored stop needs per trade: the anchor's terms, then risk_pct (risk sizing)
    and take_profit_r, both measured from each trade's own stop."""
    risk_pct = sizing.risk_pct if isinstance(sizing, RiskPerTrade) else 0.0
    terms = anchor_terms(risk.stop_anchor, risk.stop_loss_pct)
    return np.array([*terms, risk_pct, risk.take_profit_r or 0.0])


def _floats(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64)


def _indexed(signals: Signals, flatten_at: int | None):
    """The entry decisions (bars, sorted), which of them are short, and each side's exit
    flags, with a flatten's bars turned into exits and no entries."""
    long_ = signals.enter_long & ~signals.exit_long
    short = signals.enter_short & ~signals.exit_short
    long_, short = long_ & ~short, short & ~long_
    exit_long, exit_short = signals.exit_long, signals.exit_short
    if flatten_at is not None:
        long_[flatten_at:] = short[flatten_at:] = False
        exit_long, exit_short = exit_long.copy(), exit_short.copy()
        exit_long[flatten_at:] = exit_short[flatten_at:] = True
    flags = (np.ascontiguousarray(flag, dtype=np.bool_) for flag in (short, exit_long, exit_short))
    return (np.flatnonzero(long_ | short), *flags)


def journal(orders: np.ndarray, fills: np.ndarray) -> list[Order]:
    """The orders table as a broker's journal: each order with its fills (real prices)."""
    # The loop books an order's fills together, so each order's rows are one run of the table.
    bounds = np.searchsorted(fills[:, t.F_ORDER], np.arange(len(orders) + 1))
    made = []
    for row, values in enumerate(orders.tolist()):
        trigger = values[t.O_TRIGGER]
        order = Order(
            int(values[t.O_BAR]),
            LEGS[int(values[t.O_LEG])],
            Side.LONG if values[t.O_SIGN] > 0 else Side.SHORT,
            values[t.O_AMOUNT],
            REASONS[int(values[t.O_REASON])],
            KINDS[int(values[t.O_KIND])],
            None if np.isnan(trigger) else trigger,
            STATUSES[int(values[t.O_STATUS])],
            rung=int(values[t.O_RUNG]),
        )
        for fill in fills[bounds[row] : bounds[row + 1]].tolist():
            order.fills.append(
                Fill(
                    int(fill[t.F_BAR]),
                    fill[t.F_AMOUNT],
                    fill[t.F_PRICE],
                    fill[t.F_REFERENCE],
                    fill[t.F_FEE],
                )
            )
        made.append(order)
    return made
