"""What long work will cost, from rates measured on this site (MeasuredRate, written by
strategies/services/measured_rates.py), never guessed:
where nothing was measured yet, the estimate says so instead of inventing a figure.

The rates (work per second over the turns, the older ones fading: KEPT of the sums stays at
each new turn):
  candles:<exchange>            bars stored per second from the exchange's candle endpoint
  trades:<exchange>:<symbol>    market milliseconds rebuilt per second from its trades (trade
                                density differs from market to market)
  trades:<exchange>             the same over every market of the exchange: the fallback
  simulate                      bars per second of a backtest's simulation turn

fill_cost(series, start, end, now_ms)   FillCost of making [start, end) held
backtest_seconds(bars)                  the simulation turn
"""

from collections.abc import Mapping
from dataclasses import dataclass

from strategies.candles.fetch import CANDLE_WINDOW, FULL_HISTORY, finer_holding
from strategies.candles.ranges import missing
from strategies.models import CandleSeries
from strategies.models.long_jobs import MeasuredRate
from strategies.series import timeframe_ms

Rates = Mapping[str, float]  # key -> per second, every rate measured (measured_rates())


def measured_rates() -> dict[str, float]:
    """Every rate measured on this site, read at once (a small table): what an estimate of
    many jobs looks its rates up in, instead of a query each."""
    return {rate.key: rate.per_second for rate in MeasuredRate.objects.all()}


def rate_of(*keys: str, rates: Rates | None = None) -> float | None:
    """The first of `keys` measured, per second; None when none was. `rates`: read already."""
    if rates is None:
        rates = {rate.key: rate.per_second for rate in MeasuredRate.objects.filter(key__in=keys)}
    return next((rates[key] for key in keys if key in rates), None)


@dataclass(frozen=True)
class FillCost:
    """Of a range: the market time (ms) already held, to fetch as candles, to rebuild from
    trades and to aggregate from finer candles held, and the seconds that will take (None:
    some part was never measured on this site)."""

    held_ms: int
    candles_ms: int
    trades_ms: int
    aggregated_ms: int
    seconds: float | None

    @property
    def nothing_to_do(self) -> bool:
        return not (self.candles_ms or self.trades_ms or self.aggregated_ms)


def fill_cost(
    series: CandleSeries, start: int, end: int, now_ms: int, rates: Rates | None = None
) -> FillCost:
    exchange_id = series.exchange.ccxt_id if series.exchange else ""
    bar_ms = timeframe_ms(series.timeframe)
    start, end = start // bar_ms * bar_ms, min(end, now_ms // bar_ms * bar_ms)
    gaps = missing(series.coverage, start, end) if end > start else []
    window = CANDLE_WINDOW.get(exchange_id)
    reach = now_ms // bar_ms * bar_ms - window * bar_ms if window else None
    candles = trades = aggregated = 0
    for gap_start, gap_end in gaps:
        if finer_holding(series, gap_start, gap_end) is not None:
            aggregated += gap_end - gap_start
        elif reach is None or exchange_id in FULL_HISTORY or gap_start >= reach:
            candles += gap_end - gap_start
        else:
            trades += max(0, min(gap_end, reach) - gap_start)
            candles += max(0, gap_end - max(gap_start, reach))
    held = max(0, end - start) - candles - trades - aggregated
    seconds = _fill_seconds(exchange_id, series.symbol, bar_ms, (candles, trades), rates)
    return FillCost(held, candles, trades, aggregated, seconds)


def _fill_seconds(
    exchange_id: str, symbol: str, bar_ms: int, to_fetch: tuple[int, int], rates: Rates | None
) -> float | None:
    candles_ms, trades_ms = to_fetch
    seconds = 0.0
    if candles_ms:
        per_second = rate_of(f"candles:{exchange_id}", rates=rates)
        if per_second is None:
            return None
        seconds += candles_ms / bar_ms / per_second
    if trades_ms:
        per_second = rate_of(f"trades:{exchange_id}:{symbol}", f"trades:{exchange_id}", rates=rates)
        if per_second is None:
            return None
        seconds += trades_ms / per_second
    return seconds


def backtest_seconds(bars: int, rates: Rates | None = None) -> float | None:
    per_second = rate_of("simulate", rates=rates)
    return None if per_second is None else bars / per_second
