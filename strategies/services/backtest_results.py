"""A finished backtest as its row keeps it: statistics, trades, the curves the charts draw
(at most CHART_POINTS points each, so a browser takes any period), the data's provenance and
its gaps, and how far a candle typically moves."""

import math

import numpy as np

from strategies.candles.ranges import Range, merged
from strategies.engine import Backtest as Result
from strategies.engine import trade_json
from strategies.engine.decide import indicator_values
from strategies.engine.fills import Trade
from strategies.indicators import get as indicator_spec
from strategies.rules.document import Document
from strategies.series import Candles

CHART_POINTS = 2000


def _finite(value: object) -> object:
    """JSON has no NaN nor infinity: such a value is shown as "not enough data"."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def stats_json(result: Result) -> dict:
    return {name: _finite(value) for name, value in result.stats.as_dict().items()}


def typical_move(candles: Candles) -> float | None:
    """The median of |close / previous close - 1| over the candles: how far one candle usually
    moves (a round trip's costs are set against it). None without two closes to compare."""
    close = candles.close
    with np.errstate(divide="ignore", invalid="ignore"):
        moves = np.abs(close[1:] / close[:-1] - 1.0)
    moves = moves[np.isfinite(moves)]
    return float(np.median(moves)) if len(moves) else None


def trades_json(result: Result, period: Candles) -> tuple[list[dict], list[dict]]:
    """Closed trades (with their excursions over `period`, the candles they were traded on)
    and trades open at the end."""
    closed = [trade_json(t) | excursions(t, period) for t in result.trades]
    return closed, [trade_json(t) for t in result.open_trades]


def excursions(trade: Trade, period: Candles) -> dict[str, float]:
    """How far the price went against a closed trade and for it while it was held, as
    fractions of its entry price: {"mae": <= 0, "mfe": >= 0}. Held: every bar from the entry
    bar (entered at its open) to the one before the exit bar, the exit bar's open, and the
    exit price itself (a stop or target inside the exit bar goes no further)."""
    held = slice(trade.entry_bar, trade.exit_bar)
    prices = [trade.entry_price, float(trade.exit_price or trade.entry_price)]
    if trade.exit_bar is not None and trade.exit_bar < len(period):
        prices.append(float(period.open[trade.exit_bar]))
    lowest = min(float(period.low[held].min(initial=np.inf)), *prices)
    highest = max(float(period.high[held].max(initial=-np.inf)), *prices)
    against, towards = (lowest, highest) if trade.side == "long" else (highest, lowest)
    return {
        "mae": -abs(against / trade.entry_price - 1),
        "mfe": abs(towards / trade.entry_price - 1),
    }


def bucket_size(count: int, points: int = CHART_POINTS) -> int:
    """Bars per chart point so that `count` bars give at most `points` points."""
    return max(1, math.ceil(count / points))


def equity_points(closes: np.ndarray, equity: np.ndarray, points: int = CHART_POINTS) -> list:
    """[[bar close ms, equity], ...]: per bucket of bars, its lowest point and its last one
    (two points at most, at their own closes), so the drawdown drawn is never shallower than
    the one stated and the last point is the final equity."""
    return [[int(closes[i]), float(equity[i])] for i in _equity_shown(equity, points)]


def hold_points(
    closes: np.ndarray, equity: np.ndarray, hold: np.ndarray, points: int = CHART_POINTS
) -> list:
    """[[bar close ms, buy and hold], ...] at the bars equity_points shows: the chart draws
    both lines on the same times."""
    return [[int(closes[i]), float(hold[i])] for i in _equity_shown(equity, points)]


def _equity_shown(equity: np.ndarray, points: int) -> list[int]:
    if not len(equity):
        return []
    size = bucket_size(len(equity), max(1, points // 2))
    shown: list[int] = []
    for first in range(0, len(equity), size):
        last = min(first + size, len(equity)) - 1
        low = first + int(np.argmin(equity[first : last + 1]))
        shown.extend(sorted({low, last}))
    return shown


def buy_and_hold(period: Candles, capital: float) -> np.ndarray:
    """What the capital is worth at each close had it bought at the period's first open and
    held, as the report's buy-and-hold return states it (metrics.statistics: no fee, no
    slippage): the line ends on that figure."""
    return capital * period.close / float(period.open[0])


def price_points(candles: Candles, points: int = CHART_POINTS) -> list:
    """[[bucket open ms, open, high, low, close], ...]: bars merged in buckets of equal size."""
    if not len(candles):
        return []
    size = bucket_size(len(candles), points)
    starts = np.arange(0, len(candles), size)
    ends = np.r_[starts[1:], len(candles)] - 1
    rows = zip(
        candles.time[starts].tolist(),
        candles.open[starts].tolist(),
        np.maximum.reduceat(candles.high, starts).tolist(),
        np.minimum.reduceat(candles.low, starts).tolist(),
        candles.close[ends].tolist(),
        strict=True,
    )
    return [list(row) for row in rows]


def indicator_points(
    document: Document, candles: Candles, warmup: int, points: int = CHART_POINTS
) -> dict[str, list]:
    """{"alias.output": [value, ...]} for every output a price chart draws (the registry's
    price_outputs and pane_outputs), one value per price_points bucket of the period (the
    candles after `warmup`): the value at the bucket's last bar, as its candle's close is;
    None where it is not defined."""
    count = len(candles) - warmup
    if count <= 0:
        return {}
    values = indicator_values(document, candles)
    size = bucket_size(count, points)
    ends = warmup + np.r_[np.arange(size, count, size), count] - 1
    drawn = {}
    for alias, declared in document.indicators.items():
        spec = indicator_spec(declared.kind)
        for output in (*spec.price_outputs, *spec.pane_outputs):
            column = values[f"{alias}.{output}"][ends]
            drawn[f"{alias}.{output}"] = [_finite(float(value)) for value in column]
    return drawn


def period_provenance(provenance: list, start: int, end: int) -> list:
    """The series' provenance ranges clipped to [start, end), oldest first."""
    clipped = []
    for low, high, source in provenance:
        low, high = max(int(low), start), min(int(high), end)
        if low < high:
            clipped.append([low, high, source])
    return sorted(clipped)


def gap_count(coverage: list, start: int, end: int, bar_ms: int, bars: int) -> int:
    """Bars missing inside the held ranges of [start, end): nobody traded in those intervals."""
    held: list[Range] = merged(
        [(max(int(a), start), min(int(b), end)) for a, b in coverage if a < end and b > start]
    )
    slots = sum((b - a + bar_ms - 1) // bar_ms for a, b in held)
    return max(0, slots - bars)
