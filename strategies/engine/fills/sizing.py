"""How much an entry buys (or sells short) and what a position made: one rule each, used by
the simulation (backtests, paper runs and a live run's twin) and by the live broker's ticks.
"""

from typing import TypeVar

import numpy as np

from strategies.engine.fills.model import Market
from strategies.rules.ladder import SafetyOrders
from strategies.rules.model import FixedQuote, Risk, RiskPerTrade, Sizing

Value = TypeVar("Value", float, np.ndarray)


def sizing_terms(sizing: Sizing, risk: Risk, anchored: float | None = None) -> tuple[bool, float]:
    """(whether it is a fixed quote amount, that amount or the equity fraction): risk-based
    sizing is the equity fraction risk_pct / the initial stop's share, at most 1 (point 2);
    an anchored stop's share is the trade's, `anchored` (point 12)."""
    if isinstance(sizing, FixedQuote):
        return True, sizing.amount
    if isinstance(sizing, RiskPerTrade):
        return False, sizing.equity_fraction(risk, anchored)
    return False, sizing.fraction


def worst_case(sizing: Sizing, ladder: SafetyOrders, capital: float) -> float:
    """What a deal commits with every safety order filled (point 11), in the quote currency,
    when the base order is sized from `capital`: the base order's budget times the ladder's
    multiple (fixed-quote sizing: whatever the capital)."""
    fixed, value = sizing_terms(sizing, Risk())  # validation refuses risk sizing with a ladder
    base = value if fixed else value * capital
    return base * ladder.worst_case_multiple()


def entry_amount(
    sizing: Sizing,
    *,
    risk: Risk,
    cash: float,
    price: float,
    fee: float,
    market: Market,
    notional_cap: float | None = None,
    anchored: float | None = None,
) -> float:
    """The fill model's sizing (its point 2): equity-fraction buys fraction x cash (risk-based
    sizing a fraction `sizing_terms` derives from `risk`), fixed-quote min(amount, cash),
    within `notional_cap` when given, divided by price x (1 + fee) so that the fee is paid
    from the same cash, rounded down to the market's amount step. `price` is the fill price
    of one unit (slippage included). Whether the market accepts the amount is the caller's
    test (`Market.accepts`): the simulation counts a skipped order."""
    cash = max(cash, 0.0)
    fixed, value = sizing_terms(sizing, risk, anchored)
    budget = min(value, cash) if fixed else value * cash
    if notional_cap is not None:
        budget = min(budget, notional_cap)
    return market.amount_to_precision(budget / (price * (1 + fee)))


def profit(sign: float | Value, entry_value: Value, exit_value: Value, fees: Value) -> Value:
    """A position's profit net of fees, from what its entry cost and its exit fetched (amount
    x price, real prices): a long (sign 1) gains when the exit is worth more, a short (sign
    -1) when it is worth less. Numbers, or arrays of them (one per position)."""
    return sign * (exit_value - entry_value) - fees
