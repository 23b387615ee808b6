"""A backtest's statistics, each defined here exactly (the docs page states the same).

The equity curve is marked to market at every bar's close (cash plus the holding valued at the
close); `capital` is the equity before the first bar.

total_return        final equity / capital - 1.
cagr                (final equity / capital) ** (1 / years) - 1, years = (last bar's close -
                    first bar's open) / 365.25 days; -1 when the final equity is <= 0; else
                    None ("not enough data") for a period under 30 days (MIN_DAYS), where a
                    few hours' change raised to a yearly power reads as -100 % or billions.
max_drawdown        the largest fall from a running peak (capital included) as a fraction of
                    that peak: max over bars of 1 - equity / peak.
max_drawdown_ms     that drawdown's duration: from the last close at its peak before it (the
                    first bar's open when no close was at the peak, which is then the
                    capital) to the first close back at or above the peak, or the last close.
sharpe, sortino     on daily returns: a day's equity is the last close of a UTC day with bars
                    (days by the bar's open), the first day's return is against the capital.
                    sharpe = mean / sample standard deviation x sqrt(365); sortino = mean /
                    sqrt(mean(min(return, 0) ** 2)) x sqrt(365). None ("not enough data") under
                    30 daily returns, and where the denominator is zero.
win_rate            closed trades with pnl > 0 / closed trades (None without trades).
profit_factor       gross profit / gross loss, in money, over closed trades (None without a
                    loss).
expectancy          mean pnl of a closed trade, in money (None without trades).
exposure            share of bars whose close finds a position open.
trades              closed trades (open ones are listed apart and left out of every trade
                    statistic).
average_holding_ms  mean of exit bar's open - entry bar's open over closed trades (None without).
fees_paid, slippage_paid   over every fill, open trades included, in money.
funding_paid        on a perpetual, the funding positions paid (negative: received), open
                    ones included, in money (the fill model's point 9); 0 elsewhere.
buy_and_hold_return last close / first open - 1 (no fees).
net_profit          final equity - capital, in money.
calmar              cagr / max_drawdown (None when either is missing or there is no drawdown).
average_win, average_loss    mean pnl of the closed trades with pnl > 0, with pnl < 0.
largest_win, largest_loss    the largest pnl > 0, the smallest pnl < 0, of one closed trade.
best_trade, worst_trade      the highest, the lowest pnl / (entry price x size) of a closed trade.
longest_win_streak, longest_loss_streak   the most consecutive closed trades (in the order they
                    closed) with pnl > 0, with pnl < 0; a trade at exactly 0 ends both.
sqn                 sqrt(closed trades) x mean pnl / sample standard deviation of pnl (Van
                    Tharp's system quality number on money, not R-multiples; None under 2
                    trades or without spread).
Trade statistics without the trades they need (no winner, no loser) are None.
"""

import math
from dataclasses import asdict, dataclass

import numpy as np

from strategies.compiled import njit
from strategies.engine.fills import Fills, Trade
from strategies.series import DAY_MS, Candles

YEAR_MS = 365.25 * DAY_MS
MIN_DAYS = 30
ANNUALISE = math.sqrt(365)


@dataclass(frozen=True)
class Stats:
    total_return: float
    cagr: float | None
    max_drawdown: float
    max_drawdown_ms: int
    sharpe: float | None
    sortino: float | None
    win_rate: float | None
    profit_factor: float | None
    expectancy: float | None
    exposure: float
    trades: int
    average_holding_ms: float | None
    fees_paid: float
    slippage_paid: float
    buy_and_hold_return: float | None
    final_equity: float
    orders_partial: int
    orders_below_minimum: int
    # Last, with defaults: reports stored before them read without them.
    funding_paid: float = 0.0
    net_profit: float | None = None
    calmar: float | None = None
    average_win: float | None = None
    average_loss: float | None = None
    largest_win: float | None = None
    largest_loss: float | None = None
    best_trade: float | None = None
    worst_trade: float | None = None
    longest_win_streak: int | None = None
    longest_loss_streak: int | None = None
    sqn: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def statistics(fills: Fills, candles: Candles, capital: float) -> Stats:
    """Every statistic of a filled run over `candles`."""
    equity = fills.equity
    final = float(equity[-1]) if len(equity) else capital
    depth, duration = max_drawdown(equity, candles, capital)
    returns = daily_returns(equity, candles.time, capital)
    annual = cagr(final, capital, _span_ms(candles))
    return Stats(
        total_return=final / capital - 1,
        cagr=annual,
        max_drawdown=depth,
        max_drawdown_ms=duration,
        sharpe=sharpe(returns),
        sortino=sortino(returns),
        **trade_statistics(fills.trades),
        exposure=float(np.count_nonzero(fills.held)) / len(equity) if len(equity) else 0.0,
        fees_paid=fills.fees,
        slippage_paid=fills.slippage,
        buy_and_hold_return=(
            float(candles.close[-1] / candles.open[0] - 1) if len(candles) else None
        ),
        final_equity=final,
        orders_partial=fills.orders_partial,
        orders_below_minimum=fills.orders_below_minimum,
        funding_paid=-fills.funding,
        net_profit=final - capital,
        calmar=annual / depth if annual is not None and depth > 0 else None,
        **trade_extremes(fills.trades),
    )


def _span_ms(candles: Candles) -> int:
    return int(candles.time[-1] + candles.bar_ms - candles.time[0]) if len(candles) else 0


def cagr(final: float, capital: float, span_ms: int) -> float | None:
    if span_ms <= 0:
        return None
    if final <= 0:
        return -1.0
    if span_ms < MIN_DAYS * DAY_MS:
        return None
    return (final / capital) ** (YEAR_MS / span_ms) - 1


def max_drawdown(equity: np.ndarray, candles: Candles, capital: float) -> tuple[float, int]:
    """(depth, duration in ms) of the deepest drawdown; (0, 0) when equity never falls."""
    if not len(equity):
        return 0.0, 0
    depth, started, ended = _deepest_fall(
        np.ascontiguousarray(equity, dtype=np.float64),
        np.ascontiguousarray(candles.time, dtype=np.int64),
        int(candles.bar_ms),
        float(capital),
    )
    return (depth, ended - started) if depth > 0 else (0.0, 0)


@njit(cache=True)
def _deepest_fall(equity, times, bar_ms, capital):
    """The deepest fall 1 - equity / running peak (capital included; the first bar where it is
    deepest), when the peak was set (the last close at it, else the first bar's open) and when
    it was regained (the first close back at or above it, else the last close). One pass and
    two short walks, no temporary arrays: five million bars cost five times one million."""
    peak, depth, deepest, deepest_peak = capital, 0.0, 0, capital
    for bar in range(len(equity)):
        peak = max(peak, max(equity[bar], capital))
        fall = 1 - equity[bar] / peak
        if fall > depth:
            depth, deepest, deepest_peak = fall, bar, peak
    started = times[0]
    for bar in range(deepest, -1, -1):
        if equity[bar] == deepest_peak:
            started = times[bar] + bar_ms
            break
    ended = times[len(times) - 1] + bar_ms
    for bar in range(deepest, len(equity)):
        if equity[bar] >= deepest_peak:
            ended = times[bar] + bar_ms
            break
    return depth, started, ended


def daily_returns(equity: np.ndarray, times: np.ndarray, capital: float) -> np.ndarray:
    """Returns from one UTC day's last close to the next day's (the first against capital)."""
    if not len(equity):
        return np.empty(0)
    daily = _day_ends(
        np.ascontiguousarray(equity, dtype=np.float64),
        np.ascontiguousarray(times, dtype=np.int64),
        float(capital),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return daily[1:] / daily[:-1] - 1


@njit(cache=True)
def _day_ends(equity, times, capital):
    """The capital, then the equity at the last close of each UTC day with bars."""
    ends = [capital]
    next_day = (times[0] // DAY_MS + 1) * DAY_MS  # one division per day, not per bar
    for bar in range(len(equity) - 1):
        if times[bar + 1] >= next_day:
            ends.append(equity[bar])
            next_day = (times[bar + 1] // DAY_MS + 1) * DAY_MS
    ends.append(equity[len(equity) - 1])
    return np.array(ends)


def monthly_returns(equity: np.ndarray, times: np.ndarray, capital: float) -> list[list]:
    """[["YYYY-MM", return], ...]: from one UTC month's last close to the next month's (the
    first month against the capital; months by the bar's open, as days are for the Sharpe
    ratio), for each month with bars (a month without any is left out: the next one's return
    spans the gap)."""
    months = np.asarray(times, dtype="datetime64[ms]").astype("datetime64[M]")
    return _returns_by(months, months, equity, capital)


# The epoch (1970-01-01) was a Thursday: weeks counted from the Monday before it.
MONDAY_BEFORE_EPOCH_MS = -3 * DAY_MS
WEEK_MS = 7 * DAY_MS


def weekly_returns(equity: np.ndarray, times: np.ndarray, capital: float) -> list[list]:
    """[["YYYY-MM-DD", return], ...]: as monthly_returns, by weeks from Monday 00:00 UTC to
    the next (ISO weeks), each labelled by its Monday."""
    weeks = (np.asarray(times, dtype=np.int64) - MONDAY_BEFORE_EPOCH_MS) // WEEK_MS
    mondays = (weeks * WEEK_MS + MONDAY_BEFORE_EPOCH_MS).astype("datetime64[ms]")
    return _returns_by(weeks, mondays.astype("datetime64[D]"), equity, capital)


def _returns_by(groups: np.ndarray, labels: np.ndarray, equity, capital: float) -> list[list]:
    """From each group's last close to the next group's (the first from the capital), with the
    label of its bars; groups: a key per bar, equal for the bars of one group, in time order."""
    if not len(equity):
        return []
    last = np.append(np.flatnonzero(groups[1:] != groups[:-1]), len(groups) - 1)
    ends = np.asarray(equity, dtype=np.float64)[last]
    starts = np.concatenate(([capital], ends[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        made = ends / starts - 1
    return [
        [str(label), float(value) if np.isfinite(value) else None]
        for label, value in zip(labels[last], made, strict=True)
    ]


def sharpe(returns: np.ndarray) -> float | None:
    if len(returns) < MIN_DAYS or not np.isfinite(returns).all():
        return None
    spread = float(np.std(returns, ddof=1))
    return float(np.mean(returns)) / spread * ANNUALISE if spread > 0 else None


def sortino(returns: np.ndarray) -> float | None:
    if len(returns) < MIN_DAYS or not np.isfinite(returns).all():
        return None
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    return float(np.mean(returns)) / downside * ANNUALISE if downside > 0 else None


def trade_statistics(trades: list[Trade]) -> dict:
    """win_rate, profit_factor, expectancy, trades, average_holding_ms over closed trades."""
    pnl = np.fromiter((trade.pnl for trade in trades), np.float64, len(trades))
    if not len(pnl):
        empty = {"win_rate": None, "profit_factor": None, "expectancy": None}
        return empty | {"trades": 0, "average_holding_ms": None}
    loss = -float(pnl[pnl < 0].sum())
    held = [trade.exit_time - trade.entry_time for trade in trades if trade.exit_time is not None]
    return {
        "win_rate": float(np.count_nonzero(pnl > 0)) / len(pnl),
        "profit_factor": float(pnl[pnl > 0].sum()) / loss if loss > 0 else None,
        "expectancy": float(pnl.mean()),
        "trades": len(pnl),
        "average_holding_ms": float(np.mean(held)),
    }


def trade_extremes(trades: list[Trade]) -> dict:
    """average_win, average_loss, largest_win, largest_loss (money), best_trade and
    worst_trade (a trade's profit over what its entry cost), the longest streaks of winning
    and of losing trades (a trade at exactly zero ends both) and the SQN, over closed trades."""
    count = len(trades)
    pnl = np.fromiter((trade.pnl for trade in trades), np.float64, count)
    cost = np.fromiter((trade.entry_price * trade.size for trade in trades), np.float64, count)
    wins, losses = pnl[pnl > 0], pnl[pnl < 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = pnl[cost > 0] / cost[cost > 0]
    # Trades that all made the same have no spread, whatever float noise np.std finds in them
    # (three trades of 0.1 gave 1.7e-17, and an SQN of 1e16).
    spread = float(np.std(pnl, ddof=1)) if len(pnl) > 1 and np.ptp(pnl) > 0 else 0.0
    return {
        "average_win": float(wins.mean()) if len(wins) else None,
        "average_loss": float(losses.mean()) if len(losses) else None,
        "largest_win": float(wins.max()) if len(wins) else None,
        "largest_loss": float(losses.min()) if len(losses) else None,
        "best_trade": float(returns.max()) if len(returns) else None,
        "worst_trade": float(returns.min()) if len(returns) else None,
        "longest_win_streak": _longest_run(pnl > 0) if len(pnl) else None,
        "longest_loss_streak": _longest_run(pnl < 0) if len(pnl) else None,
        "sqn": math.sqrt(len(pnl)) * float(pnl.mean()) / spread if spread > 0 else None,
    }


def _longest_run(flags: np.ndarray) -> int:
    """The most consecutive true values (where runs start and end, at once: a loop over a
    million bars' 47,000 trades cost more than the rest of the statistics)."""
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return int((ends - starts).max()) if len(starts) else 0
