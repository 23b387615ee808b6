"""Higher timeframes built from the run's candles, and what each base bar may see of them.

A higher bar is aggregated from the base bars whose open falls in its interval (UTC-aligned;
weeks start on Monday, as ccxt's). A bucket without base bars is a gap and is left out, never
invented; so is the first bucket when the series starts inside it (a partial higher bar).
A base bar sees only the last higher bar that closed at or before its own close: no
look-ahead, and the same answer whether the series stops at that bar or goes on.
"""

import numpy as np

from strategies.series import Candles, bucket_starts, timeframe_ms


class IncompatibleTimeframe(ValueError):
    """An indicator's timeframe that cannot be built from the run's (shorter, or no multiple)."""

    def __init__(self, timeframe: str, base: str) -> None:
        super().__init__(f"{timeframe} cannot be built from {base} candles")
        self.timeframe, self.base = timeframe, base


def check_buildable(timeframe: str, base: str) -> None:
    higher, lower = timeframe_ms(timeframe), timeframe_ms(base)
    if higher < lower or higher % lower:
        raise IncompatibleTimeframe(timeframe, base)


def aggregate(candles: Candles, timeframe: str) -> Candles:
    """The candles of `timeframe` built from `candles` (the last one may be still forming:
    `visible_index` never lets a base bar see it before it closes)."""
    return aggregate_visible(candles, timeframe)[0]


def aggregate_visible(candles: Candles, timeframe: str) -> tuple[Candles, np.ndarray]:
    """`aggregate`, and for each base bar the index of the last higher bar closed by its close
    (-1 for none): what `visible_index` finds, without searching a million closes."""
    check_buildable(timeframe, candles.timeframe)
    if timeframe == candles.timeframe:
        return candles, np.arange(len(candles))
    if len(candles) == 0:
        return candles.head(0).retimed(timeframe), np.empty(0, dtype=np.int64)
    higher_ms = timeframe_ms(timeframe)
    starts = bucket_starts(candles.time, higher_ms)
    opens_group = np.r_[True, starts[1:] != starts[:-1]]
    first = np.flatnonzero(opens_group)
    group = np.cumsum(opens_group) - 1  # each base bar's higher bar, counting from 0
    if candles.time[0] != starts[0]:
        # The series starts inside a higher bar: what it holds of it is not that bar, and
        # taking it for one would make decisions depend on where the history starts.
        first, group = first[1:], group - 1
    # A base bar that ends where its higher bar ends sees that bar; any other sees the one
    # before it (a higher bar is closed by then, whether or not its last base bars exist).
    closes_it = candles.time + candles.bar_ms == starts + higher_ms
    visible = np.maximum(np.where(closes_it, group, group - 1), -1)
    if len(first) == 0:
        return candles.head(0).retimed(timeframe), visible
    last = np.r_[first[1:], len(starts)] - 1
    higher = Candles(
        timeframe,
        starts[first],
        candles.open[first],
        np.maximum.reduceat(candles.high, first),
        np.minimum.reduceat(candles.low, first),
        candles.close[last],
        np.add.reduceat(candles.volume, first),
    )
    return higher, visible


def visible_index(base: Candles, higher: Candles) -> np.ndarray:
    """For each base bar, the index of the last higher bar closed by its close; -1 for none."""
    base_close = base.time + base.bar_ms
    higher_close = higher.time + higher.bar_ms
    return np.searchsorted(higher_close, base_close, side="right") - 1


def align(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Higher-timeframe values laid on the base bars (NaN where no higher bar has closed)."""
    # Index -1 picks the NaN appended at the end.
    return np.concatenate([values.astype(np.float64, copy=False), [np.nan]])[index]
