"""The paper broker: the backtest itself, over the run's candles up to its last closed bar.

A tick runs `strategies.engine.backtest` on the bars from the run's history start (fixed when
the run started, so recursive indicators see the same past as a backtest from that start)
through the last bar the candle store holds. The fill model is causal (the no-look-ahead tests
prove it), so what the bars already ticked produced never changes: the tick records only what
the new bars add, and replaying a period bar by bar gives a backtest's trades exactly.
"""

from dataclasses import dataclass

import numpy as np

from strategies import rules
from strategies.candles.funding import funding_per_bar
from strategies.candles.ranges import missing
from strategies.candles.store import candles_read, series_for
from strategies.engine import Backtest, backtest
from strategies.models import FundingSeries, StrategyRun
from strategies.series import Candles, timeframe_ms


@dataclass(frozen=True)
class PaperOutcome:
    """The fill model's account of the run through `through` (a bar open, ms): the result,
    the candles it saw (warm-up included), where the run's own period starts in them, and
    that period (the bars the result's indices count)."""

    result: Backtest
    document: rules.Document
    candles: Candles
    warmup: int
    through: int
    period: Candles

    def first_new(self, last_bar_ms: int | None) -> int:
        """The period's index of the first bar after `last_bar_ms`, the last bar ticked (0
        before the first tick): where what this tick adds starts."""
        if last_bar_ms is None:
            return 0
        return int(np.searchsorted(self.period.time, last_bar_ms, "right"))


@dataclass(frozen=True)
class MarketLoad:
    """A market's candles read once for a batch of its runs: what the store held (its ranges)
    and its bars from the earliest history start of the batch through the bar ticked. Each
    run's tick slices its own span out of them."""

    coverage: list
    candles: Candles

    @classmethod
    def of(cls, runs: list[StrategyRun], through: int) -> "MarketLoad":
        first = runs[0]
        series = series_for(exchange=first.exchange, symbol=first.symbol, timeframe=first.timeframe)
        start = min(run.history_ms for run in runs)
        end = through + timeframe_ms(first.timeframe)
        return cls(series.coverage, candles_read(series, start=start, end=end))

    def span(self, start: int, end: int) -> Candles:
        low, high = np.searchsorted(self.candles.time, [start, end], "left")
        return self.candles.slice(int(low), int(high))


def paper_evaluate(
    run: StrategyRun, *, through: int, next_open: bool = False, market: MarketLoad | None = None
) -> PaperOutcome | None:
    """The run's account after the bar opening at `through`, or after the last bar the store
    holds when it holds less; None when no bar of the run's period is held yet, or when no
    bar beyond the last one ticked is. `next_open`: one more bar stands for the bar opening
    now, at the last close and without range, so that the orders the fill model sends at the
    next open are in the result (at the period's last index): what a live run sends now.
    `market`: its candles already read for a batch of runs (through `through` at least)."""
    bar_ms = timeframe_ms(run.timeframe)
    if market is None:
        market = MarketLoad.of([run], through)
    first_new = run.start_ms if run.last_bar_ms is None else run.last_bar_ms + bar_ms
    through = min(through, _held_through(market.coverage, first_new, through + bar_ms, bar_ms))
    if through < run.start_ms or (run.last_bar_ms is not None and through <= run.last_bar_ms):
        return None
    candles = market.span(run.history_ms, through + bar_ms)
    warmup = int(np.searchsorted(candles.time, run.start_ms, "left"))
    if warmup >= len(candles):
        return None  # the period's bars so far are gaps: nobody traded
    funding = _funding(run, candles, warmup)
    if run.perpetual and funding is None:
        return None  # its funding is not held yet: the tick waits, as for a missing candle
    if next_open:
        candles = with_next_open(candles, through + bar_ms)
        funding = None if funding is None else np.append(funding, 0.0)
    document = rules.parsed(run.document, run.timeframe)
    flatten_at = None
    if run.flatten_bar_ms is not None:
        flatten_at = int(np.searchsorted(candles.time[warmup:], run.flatten_bar_ms, "right")) - 1
        flatten_at = max(flatten_at, 0)
    result = backtest(
        document,
        candles,
        capital=float(run.capital),
        model=run.fill_model(),
        market=run.market_rules(),
        warmup=warmup,
        flatten_at=flatten_at,
        funding=funding,
    )
    period = candles.slice(warmup, len(candles))
    return PaperOutcome(result, document, candles, warmup, through, period)


def _funding(run: StrategyRun, candles: Candles, warmup: int) -> np.ndarray | None:
    """A perpetual run's funding rates per bar (zero in the warm-up), once the store holds
    every rate published through its last bar; None otherwise (and on other markets)."""
    if not run.perpetual:
        return None
    series = FundingSeries.objects.filter(exchange=run.exchange, symbol=run.symbol).first()
    period = candles.slice(warmup, len(candles))
    if series is None or not series.holds(run.start_ms, int(period.time[-1]) + period.bar_ms):
        return None
    rates, _covered = funding_per_bar(series, period)
    return np.concatenate([np.zeros(warmup), rates])


def with_next_open(candles: Candles, at: int) -> Candles:
    """`candles` and a bar opening at `at` at the last close, without range, with volume
    enough for any order: decisions up to the last real bar do not see it (no look-ahead),
    and the fill model fills there what it sends at that open."""
    last = candles.close[-1]
    return Candles(
        candles.timeframe,
        np.append(candles.time, at),
        np.append(candles.open, last),
        np.append(candles.high, last),
        np.append(candles.low, last),
        np.append(candles.close, last),
        np.append(candles.volume, np.inf),
    )


def _held_through(coverage: list, start: int, end: int, bar_ms: int) -> int:
    """The open of the last bar of [start, end) before the first hole in what is held (a bar
    inside a held range but without a candle is a gap: nobody traded, it counts as held)."""
    holes = missing(coverage, start, end)
    held_end = holes[0][0] if holes else end
    return held_end // bar_ms * bar_ms - bar_ms
