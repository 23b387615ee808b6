"""How much an entry buys (or sells short) and what a position made: one rule each, used by
the simulation (backtests, paper runs and a live run's twin) and by the live broker's ticks.
"""

from typing import TypeVar

import numpy as np

from strategies.engine.fills.model import Market
from strategies.rules.model import EquityFraction, FixedQuote

Value = TypeVar("Value", float, np.ndarray)


def entry_amount(
    sizing: EquityFraction | FixedQuote,
    *,
    cash: float,
    price: float,
    fee: float,
    market: Market,
    notional_cap: float | None = None,
) -> float:
    """The fill model's sizing (its point 2): equity-fraction buys fraction x cash, fixed-quote
    min(amount, cash), within `notional_cap` when given, divided by price x (1 + fee) so that
    the fee is paid from the same cash, rounded down to the market's amount step. `price` is
    the fill price of one unit (slippage included). Whether the market accepts the amount is
    the caller's test (`Market.accepts`): the simulation counts a skipped order."""
    cash = max(cash, 0.0)
    if isinstance(sizing, EquityFraction):
        budget = sizing.fraction * cash
    else:
        budget = min(sizing.amount, cash)
    if notional_cap is not None:
        budget = min(budget, notional_cap)
    return market.amount_to_precision(budget / (price * (1 + fee)))


def profit(sign: float | Value, entry_value: Value, exit_value: Value, fees: Value) -> Value:
    """A position's profit net of fees, from what its entry cost and its exit fetched (amount
    x price, real prices): a long (sign 1) gains when the exit is worth more, a short (sign
    -1) when it is worth less. Numbers, or arrays of them (one per position)."""
    return sign * (exit_value - entry_value) - fees
