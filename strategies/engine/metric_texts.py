"""Each statistic's name, label, unit and definition as people read them: the report and the
docs page both read this table, so a definition is written once (metrics.py computes them)."""

from typing import NamedTuple

from strategies.i18n import Promise
from strategies.i18n import gettext_lazy as _

# How a value is shown: a fraction as a percentage, money in the quote currency, a ratio as a
# plain number, a duration in ms as days and hours, a count as an integer.
FRACTION, MONEY, RATIO, DURATION, COUNT = "fraction", "money", "ratio", "duration", "count"


class MetricText(NamedTuple):
    name: str  # the key of Stats.as_dict()
    label: Promise
    unit: str
    definition: Promise


METRICS = (
    MetricText(
        "net_profit",
        _("Net profit"),
        MONEY,
        _(
            "Final equity minus the starting capital, in the quote currency (a position still "
            "open is valued at the last close)."
        ),
    ),
    MetricText(
        "total_return",
        _("Total return"),
        FRACTION,
        _("Final equity divided by the starting capital, minus 1."),
    ),
    MetricText(
        "cagr",
        _("CAGR"),
        FRACTION,
        _(
            "Compound annual growth rate: (final equity / capital) to the power 1 / years, "
            "minus 1, with years of 365.25 days from the first bar's open to the last bar's "
            "close; -100 % when the final equity is zero or less. Otherwise shown as “not "
            "enough data” for a period under 30 days."
        ),
    ),
    MetricText(
        "max_drawdown",
        _("Maximum drawdown"),
        FRACTION,
        _(
            "The largest fall of the equity from a running peak (the starting capital counts "
            "as a peak), as a share of that peak, on the equity curve marked to market at "
            "every close."
        ),
    ),
    MetricText(
        "max_drawdown_ms",
        _("Maximum drawdown duration"),
        DURATION,
        _(
            "How long that drawdown lasted: from the last close at its peak to the first close "
            "back at or above the peak, or to the last close if the equity never got back."
        ),
    ),
    MetricText(
        "sharpe",
        _("Sharpe ratio (daily, annualised with √365)"),
        RATIO,
        _(
            "The mean of the daily returns of the equity curve divided by their sample "
            "standard deviation, times the square root of 365. A day's equity is its last "
            "close (UTC days). Shown as “not enough data” under 30 daily returns."
        ),
    ),
    MetricText(
        "sortino",
        _("Sortino ratio (daily, annualised with √365)"),
        RATIO,
        _(
            "The mean of the daily returns divided by their downside deviation (the square "
            "root of the mean of the squared negative returns, zero for the others), times the "
            "square root of 365. Shown as “not enough data” under 30 daily returns."
        ),
    ),
    MetricText(
        "calmar",
        _("Calmar ratio"),
        RATIO,
        _(
            "CAGR divided by the maximum drawdown; “not enough data” when either is missing or "
            "the equity never fell."
        ),
    ),
    MetricText(
        "win_rate",
        _("Win rate"),
        FRACTION,
        _("Closed trades with a positive profit after fees, divided by all closed trades."),
    ),
    MetricText(
        "profit_factor",
        _("Profit factor"),
        RATIO,
        _(
            "Gross profit divided by gross loss, in money, over closed trades; none without a "
            "losing trade."
        ),
    ),
    MetricText(
        "expectancy",
        _("Expectancy"),
        MONEY,
        _("The mean profit or loss of a closed trade, after fees, in the quote currency."),
    ),
    MetricText(
        "average_win",
        _("Average win"),
        MONEY,
        _(
            "The mean profit of the closed trades that made money, after fees, in the quote "
            "currency."
        ),
    ),
    MetricText(
        "average_loss",
        _("Average loss"),
        MONEY,
        _(
            "The mean loss of the closed trades that lost money, after fees, in the quote "
            "currency (negative)."
        ),
    ),
    MetricText(
        "largest_win",
        _("Largest win"),
        MONEY,
        _("The largest profit of one closed trade, after fees, in the quote currency."),
    ),
    MetricText(
        "largest_loss",
        _("Largest loss"),
        MONEY,
        _("The largest loss of one closed trade, after fees, in the quote currency (negative)."),
    ),
    MetricText(
        "best_trade",
        _("Best trade"),
        FRACTION,
        _(
            "The highest return of one closed trade: its profit after fees divided by what its "
            "entry cost."
        ),
    ),
    MetricText(
        "worst_trade",
        _("Worst trade"),
        FRACTION,
        _(
            "The lowest return of one closed trade: its profit or loss after fees divided by "
            "what its entry cost."
        ),
    ),
    MetricText(
        "longest_win_streak",
        _("Longest winning streak"),
        COUNT,
        _(
            "The most closed trades in a row, in the order they closed, that made money; a trade "
            "at exactly zero ends the streak."
        ),
    ),
    MetricText(
        "longest_loss_streak",
        _("Longest losing streak"),
        COUNT,
        _(
            "The most closed trades in a row, in the order they closed, that lost money; a trade "
            "at exactly zero ends the streak."
        ),
    ),
    MetricText(
        "sqn",
        _("SQN"),
        RATIO,
        _(
            "System quality number: the square root of the number of closed trades times their "
            "mean profit or loss, divided by its sample standard deviation (Van Tharp's measure, "
            "on money rather than R-multiples); needs two trades that differ."
        ),
    ),
    MetricText(
        "exposure",
        _("Exposure"),
        FRACTION,
        _("The share of bars whose close finds a position open."),
    ),
    MetricText(
        "trades",
        _("Closed trades"),
        COUNT,
        _(
            "Positions entered and closed in the period. A position still open at the end is "
            "listed apart and left out of every trade statistic."
        ),
    ),
    MetricText(
        "average_holding_ms",
        _("Average holding time"),
        DURATION,
        _("The mean time from a closed trade's entry bar to its exit bar."),
    ),
    MetricText(
        "fees_paid",
        _("Fees paid"),
        MONEY,
        _("The taker fees of every fill, open positions included, in the quote currency."),
    ),
    MetricText(
        "slippage_paid",
        _("Slippage paid"),
        MONEY,
        _("What slippage cost over every fill, open positions included, in the quote currency."),
    ),
    MetricText(
        "funding_paid",
        _("Funding paid"),
        MONEY,
        _(
            "On a perpetual market, the funding every position paid at the exchange's "
            "published rates (negative: received), open positions included, in the quote "
            "currency; point 9 of the fill model says how it is charged."
        ),
    ),
    MetricText(
        "buy_and_hold_return",
        _("Buy-and-hold return"),
        FRACTION,
        _("The last close divided by the first open of the period, minus 1, without fees."),
    ),
    MetricText(
        "final_equity",
        _("Final equity"),
        MONEY,
        _("Cash plus the open position valued at the last close."),
    ),
    MetricText(
        "orders_partial",
        _("Orders filled partially"),
        COUNT,
        _(
            "Orders that could not fill completely in their first bar because of the share of "
            "a bar's volume one order may take."
        ),
    ),
    MetricText(
        "orders_below_minimum",
        _("Orders below the market minimum"),
        COUNT,
        _("Orders skipped because their amount or cost was below the market's minimum."),
    ),
)
