"""A report's trades replayed in other orders (strategies.engine.study.montecarlo), as its page
shows them: how deep the falls and how far the final return could have gone with the same
trades, next to what happened."""

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _

from strategies.engine.study.montecarlo import (
    Percentiles,
    as_happened,
    monte_carlo,
    trade_returns,
)
from strategies.models import Backtest
from strategies.views.backtest_display import percent
from strategies.views.histograms import Histogram, histogram

RUNS = 1000
SEED = 0  # the same replays every time the page is rendered
# Fewer trades than this make a distribution of a handful of values, not a risk estimate.
MIN_TRADES = 10
# Replays times trades, at most: the arrays stay within a page's budget (20,000 trades took
# 800 MB and 6 s at 1,000 replays); a report with more trades gets fewer replays.
MAX_CELLS = 2_000_000

RESHUFFLED_FALL = _("Deepest fall, trades in a random order")
RESAMPLED_FALL = _("Deepest fall, trades drawn at random")
RESAMPLED_RETURN = _("Final return, trades drawn at random")


@dataclass(frozen=True)
class MonteCarloRow:
    label: str
    happened: str
    p5: str
    p50: str
    p95: str
    histogram: Histogram | None  # None when no replay gave a finite value
    low: str  # the values at the histogram's edges
    high: str


@dataclass(frozen=True)
class MonteCarloShown:
    trades: int
    runs: int
    rows: list[MonteCarloRow]  # empty below MIN_TRADES trades, or after a wipe-out
    min_trades: int = MIN_TRADES
    wiped_out: bool = False  # a trade lost all the equity it was entered with


def monte_carlo_shown(backtest: Backtest) -> MonteCarloShown | None:
    """The replays of the backtest's closed trades; None without a finished report."""
    if backtest.stats is None:
        return None
    pnls = [float(trade["pnl"]) for trade in backtest.trades]
    runs = max(1, min(RUNS, MAX_CELLS // max(1, len(pnls))))
    if len(pnls) < MIN_TRADES:
        return MonteCarloShown(trades=len(pnls), runs=runs, rows=[])
    try:
        returns = trade_returns(pnls, float(backtest.capital))
        reshuffled = monte_carlo(returns, method="reshuffle", runs=runs, seed=SEED)
        resampled = monte_carlo(returns, method="bootstrap", runs=runs, seed=SEED)
    except ValueError:  # a trade lost all the equity it entered with: nothing left to replay
        return MonteCarloShown(trades=len(pnls), runs=runs, rows=[], wiped_out=True)
    fall, final = as_happened(returns)
    return MonteCarloShown(
        trades=len(pnls),
        runs=runs,
        rows=[
            _row(RESHUFFLED_FALL, fall, reshuffled.max_drawdown, reshuffled.drawdowns),
            _row(RESAMPLED_FALL, fall, resampled.max_drawdown, resampled.drawdowns),
            _row(RESAMPLED_RETURN, final, resampled.final_return, resampled.returns),
        ],
    )


def _row(label, happened: float, spread: Percentiles, values: np.ndarray) -> MonteCarloRow:
    marks = {"p5": spread.p5, "p50": spread.p50, "p95": spread.p95, "happened": happened}
    drawn = histogram(values, marks)
    return MonteCarloRow(
        label=str(label),
        happened=_shown(happened),
        p5=_shown(spread.p5),
        p50=_shown(spread.p50),
        p95=_shown(spread.p95),
        histogram=drawn,
        low=_shown(drawn.low) if drawn else "",
        high=_shown(drawn.high) if drawn else "",
    )


def _shown(fraction: float) -> str:
    return f"{percent(fraction)} %"
