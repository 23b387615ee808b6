"""Helpers for the run tests: a market's candles put in the store, and paper runs over them
made as strategy_run_start makes them (without asking the exchange about the market)."""

from decimal import Decimal

from exchanges.models import Exchange
from strategies import rules
from strategies.candles.store import candles_write, series_for
from strategies.engine import history_bars
from strategies.models import RunMode, RunStatus, StrategyRun
from strategies.series import Candles


def kraken() -> Exchange:
    return Exchange.objects.get(slug="kraken")


def stored(candles: Candles, symbol: str = "BTC/USD") -> None:
    """The candles held in Kraken's shared series, as a fetch would have left them."""
    series = series_for(exchange=kraken(), symbol=symbol, timeframe=candles.timeframe)
    end = int(candles.time[-1]) + candles.bar_ms
    candles_write(
        series=series, candles=candles, covered=(int(candles.time[0]), end), source="exchange"
    )


def paper_run(
    owner,
    document: str,
    candles: Candles,
    *,
    start: int,
    capital: float = 10_000.0,
    fee: float = 0.001,
    slippage_bps: float = 5.0,
    max_volume_share: float = 0.1,
    allows_shorts: bool = False,
    symbol: str = "BTC/USD",
    amount_step: float | None = 1e-8,
    min_amount: float = 0.0,
    min_cost: float = 0.0,
) -> StrategyRun:
    """A running paper run whose first decision is at the close of `candles`' bar `start`,
    with history loaded as the start service computes it."""
    parsed = rules.parse(document, base_timeframe=candles.timeframe)
    start_ms = int(candles.time[start])
    return StrategyRun.objects.create(
        owner=owner,
        strategy_name=parsed.name,
        document=document,
        exchange=kraken(),
        symbol=symbol,
        timeframe=candles.timeframe,
        mode=RunMode.PAPER,
        capital=Decimal(str(capital)),
        fee=fee,
        slippage_bps=slippage_bps,
        max_volume_share=max_volume_share,
        tie="stop_first",
        amount_step=amount_step,
        min_amount=min_amount,
        min_cost=min_cost,
        allows_shorts=allows_shorts,
        status=RunStatus.RUNNING,
        start_ms=start_ms,
        history_ms=start_ms - history_bars(parsed, candles.timeframe) * candles.bar_ms,
        equity=capital,
    )
