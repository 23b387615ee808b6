"""Trades as reports list them, built from the fill loop's table of positions."""

from typing import NamedTuple

import numpy as np

from strategies.engine.enums import Reason
from strategies.engine.fills import tables as t
from strategies.engine.fills.sizing import profit

# The kernel's reason codes, in its order.
REASONS = (
    Reason.SIGNAL,
    Reason.STOP_LOSS,
    Reason.TAKE_PROFIT,
    Reason.TRAILING_STOP,
    Reason.MANUAL,
    Reason.REVERSAL,
    Reason.SAFETY_ORDER,
)


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


def closed_trades(positions: np.ndarray, times: np.ndarray) -> list[Trade]:
    """The fill loop's closed positions (kernel.py's table) as trades; `times`: bar opens."""
    table = positions[positions[:, t.P_EXIT_BAR] >= 0]
    sign = table[:, t.P_SIGN]
    bought, bought_value = table[:, t.P_BOUGHT], table[:, t.P_BOUGHT_VALUE]
    sold, sold_value = table[:, t.P_SOLD], table[:, t.P_SOLD_VALUE]
    fees, funding = table[:, t.P_FEES], table[:, t.P_FUNDING]
    entry_bar = table[:, t.P_FIRST_BAR].astype(np.int64)
    exit_bar = table[:, t.P_EXIT_BAR].astype(np.int64)
    columns = (
        np.where(sign > 0, "long", "short").tolist(),
        entry_bar.tolist(),
        times[entry_bar].tolist(),
        (sign * bought_value / bought).tolist(),
        bought.tolist(),
        (profit(sign, sign * bought_value, sign * sold_value, fees) + funding).tolist(),
        fees.tolist(),
        table[:, t.P_SLIPPAGE].tolist(),
        exit_bar.tolist(),
        times[exit_bar].tolist(),
        (sign * sold_value / sold).tolist(),
        [REASONS[int(code)] for code in table[:, t.P_REASON].tolist()],
        [None] * len(table),
        funding.tolist(),
    )
    return list(map(Trade._make, zip(*columns, strict=True)))


def open_trade(positions: np.ndarray, times: np.ndarray, close: float) -> list[Trade]:
    """The position still open at the end, if any (the table's last row), marked at `close`
    (the last close, a real price), in a list."""
    if not len(positions) or positions[-1, t.P_EXIT_BAR] >= 0:
        return []
    (sign, first_bar, bought, bought_value, sold, sold_value, fees, slippage, funding) = (
        positions[-1, column].item()
        for column in (
            t.P_SIGN,
            t.P_FIRST_BAR,
            t.P_BOUGHT,
            t.P_BOUGHT_VALUE,
            t.P_SOLD,
            t.P_SOLD_VALUE,
            t.P_FEES,
            t.P_SLIPPAGE,
            t.P_FUNDING,
        )
    )
    held = bought - sold
    exit_value = sign * sold_value + held * close
    entry_bar = int(first_bar)
    return [
        Trade(
            "long" if sign > 0 else "short",
            entry_bar,
            int(times[entry_bar]),
            sign * bought_value / bought,
            held,
            profit(sign, sign * bought_value, exit_value, fees) + funding,
            fees,
            slippage,
            mark_price=close,
            funding=funding,
        )
    ]
