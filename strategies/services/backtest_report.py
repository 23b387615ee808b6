"""A finished backtest's report written to its row: the statistics, the trades with their
excursions, the curves and points the charts draw, the returns by month and by week, the data's
provenance and gaps, the warm-up and a candle's typical move."""

from django.utils import timezone

from strategies.engine import Backtest as Result
from strategies.engine.metrics import monthly_returns, weekly_returns
from strategies.models import Backtest, BacktestStatus, CandleSeries
from strategies.rules.document import Document
from strategies.series import Candles
from strategies.services import backtest_results as results
from strategies.services.backtest_rows import advance


def report_store(
    backtest: Backtest,
    result: Result,
    *,
    document: Document,
    candles: Candles,
    warmup: tuple[int, int],
    series: CandleSeries,
    funding: dict | None,
) -> None:
    """The report of `result`, run over `candles` whose first warmup[0] only fed the
    indicators (they needed warmup[1]); `series` the candles came from."""
    period = candles.slice(warmup[0], len(candles))
    trades, open_trades = results.trades_json(result, period)
    start, end = backtest.start_ms, backtest.end_ms
    closes = period.time + period.bar_ms
    capital = float(backtest.capital)
    hold = results.buy_and_hold(period, capital)
    advance(
        backtest,
        status=BacktestStatus.DONE,
        finished_at=timezone.now(),
        stats=results.stats_json(result),
        trades=trades,
        open_trades=open_trades,
        equity=results.equity_points(closes, result.equity),
        hold=results.hold_points(closes, result.equity, hold),
        monthly=monthly_returns(result.equity, period.time, capital),
        weekly=weekly_returns(result.equity, period.time, capital),
        prices=results.price_points(period),
        indicators=results.indicator_points(document, candles, warmup[0]),
        provenance=results.period_provenance(series.provenance, start, end),
        bars=len(period),
        gaps=results.gap_count(series.coverage, start, end, period.bar_ms, len(period)),
        funding=funding,
        warmup_bars=warmup[0],
        warmup_wanted=warmup[1],
        typical_move=results.typical_move(period),
    )
