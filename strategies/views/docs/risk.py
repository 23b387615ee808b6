"""The risk page's tables: the risk and sizing keys (from the model) and the worked example.

The worked figures apply the definitions of the rules package docstring to the risk example's
own fractions: the page shows the example document and the prices it implies side by side.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

from strategies.rules import parse
from strategies.rules.model import EquityFraction, FixedQuote, Risk, RiskPerTrade
from strategies.rules.problems import plain_number
from strategies.views.docs.examples import RISK

RISK_TEXTS = {
    "stop_loss_pct": _(
        "Closes the position when price moves this fraction against the entry fill price. "
        "A fraction between 0 and 1 (0.03 means 3 percent), or null for none."
    ),
    "take_profit_pct": _(
        "Closes the position when price moves this fraction in its favour from the entry fill "
        "price. A fraction between 0 and 1, or null for none."
    ),
    "take_profit_r": _(
        "A take-profit set in R instead: this many times the distance from the entry to the "
        "initial stop (2 with a 3 percent stop-loss is a target 6 percent away). It needs a "
        "stop-loss or a trailing stop, and replaces take_profit_pct: set one of the two."
    ),
    "trailing_stop_pct": _(
        "A stop that follows the best price since entry at this fraction behind it: the "
        "highest high for a long position, the lowest low for a short one. A fraction between "
        "0 and 1, or null for none."
    ),
    "cooldown_bars": _(
        "Bars to wait after a position closes before the next entry: a whole number, 0 (the "
        "default) or more."
    ),
    "stop_anchor": _(
        "A stop-loss set on the chart instead: {at: signal_candle or swing, bars, max_pct, "
        "too_wide}. See stops anchored to the chart below."
    ),
}
SIZING_TEXTS = {
    ("equity_fraction", "fraction"): _(
        "The share of the account's equity each entry commits: more than 0, at most 1 (the "
        "default: 1, all of it)."
    ),
    ("fixed_quote", "amount"): _(
        "The amount of the quote currency each entry commits (USDT for BTC/USDT): more than 0."
    ),
    ("risk_per_trade", "risk_pct"): _(
        "The share of the equity a trade loses when its initial stop is reached, before costs: "
        "more than 0, less than 1 (0.01 risks 1 percent). The entry commits risk_pct divided "
        "by the stop's distance (0.01 with a 4 percent stop: 25 percent of the equity), at "
        "most all of it. It needs a stop-loss or a trailing stop."
    ),
}
SIZING_MODELS: dict[str, type[BaseModel]] = {
    "equity_fraction": EquityFraction,
    "fixed_quote": FixedQuote,
    "risk_per_trade": RiskPerTrade,
}
# The entry and the best prices since entry that the worked example assumes.
ENTRY_PRICE = 100
HIGHEST_HIGH = 110
LOWEST_LOW = 90


@dataclass(frozen=True)
class KeyRow:
    key: str
    text: str


@dataclass(frozen=True)
class WorkedRow:
    """One exit price for each side, with the arithmetic that gives it."""

    name: str
    long_price: str
    long_formula: str
    short_price: str
    short_formula: str


def risk_rows() -> list[KeyRow]:
    return [KeyRow(name, str(RISK_TEXTS[name])) for name in Risk.model_fields]


def sizing_rows() -> list[KeyRow]:
    """Each sizing kind's own keys (kind itself aside)."""
    return [
        KeyRow(f"{kind}.{name}", str(SIZING_TEXTS[kind, name]))
        for kind, model in SIZING_MODELS.items()
        for name in model.model_fields
        if name != "kind"
    ]


def number(value: float) -> str:
    return plain_number(round(value, 10))


def worked_rows() -> list[WorkedRow]:
    """Stop-loss, take-profit and trailing stop of the risk example, for a long and a short."""
    risk = parse(RISK.text).risk
    rows = []
    for name, pct, long_from, short_from, long_sign in (
        (_("Stop-loss"), risk.stop_loss_pct, ENTRY_PRICE, ENTRY_PRICE, -1),
        (_("Take-profit"), risk.take_profit_pct, ENTRY_PRICE, ENTRY_PRICE, 1),
        (_("Trailing stop"), risk.trailing_stop_pct, HIGHEST_HIGH, LOWEST_LOW, -1),
    ):
        if pct is None:  # the example sets all three; a row per key it sets
            continue
        rows.append(
            WorkedRow(
                name=str(name),
                long_price=number(long_from * (1 + long_sign * pct)),
                long_formula=formula(long_from, long_sign, pct),
                short_price=number(short_from * (1 - long_sign * pct)),
                short_formula=formula(short_from, -long_sign, pct),
            )
        )
    return rows


def formula(price: float, sign: int, pct: float) -> str:
    """The arithmetic, "100 x (1 - 0.03)", with the page's decimal mark."""
    operator = "+" if sign > 0 else "-"
    return f"{number(price)} x (1 {operator} {number(pct)})"


def worked_figures() -> dict[str, object]:
    """The example's assumed prices, and its cooldown and amount, for the page's prose."""
    document = parse(RISK.text)
    amount = getattr(document.sizing, "amount", None)
    return {
        "entry": number(ENTRY_PRICE),
        "highest": number(HIGHEST_HIGH),
        "lowest": number(LOWEST_LOW),
        "cooldown": document.risk.cooldown_bars,
        "amount": number(amount) if amount is not None else "",
    }
