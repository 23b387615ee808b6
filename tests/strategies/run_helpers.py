"""Helpers for the run tests: a market's candles put in the store, paper runs over them made
as strategy_run_start makes them (without asking the exchange about the market), and the
sandbox venue's demo keys saved as a user saves them."""

from decimal import Decimal

from exchanges.connection_tests import connection_test_run
from exchanges.credentials import Credentials
from exchanges.models import Exchange
from exchanges.services import exchange_key_create
from strategies import rules
from strategies.candles.store import candles_write, series_for
from strategies.engine import history_bars
from strategies.models import RunMode, RunStatus, StrategyRun
from strategies.series import Candles


def kraken() -> Exchange:
    return Exchange.objects.get(slug="kraken")


def kraken_futures() -> Exchange:
    return Exchange.objects.get(slug="kraken-futures")


def stored(candles: Candles, symbol: str = "BTC/USD", exchange: Exchange | None = None) -> None:
    """The candles held in the exchange's (Kraken's) shared series, as a fetch would have left
    them."""
    exchange = exchange or kraken()
    series = series_for(exchange=exchange, symbol=symbol, timeframe=candles.timeframe)
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
    exchange: Exchange | None = None,
    perpetual: bool = False,
) -> StrategyRun:
    """A running paper run whose first decision is at the close of `candles`' bar `start`,
    with history loaded as the start service computes it."""
    parsed = rules.parse(document, base_timeframe=candles.timeframe)
    start_ms = int(candles.time[start])
    return StrategyRun.objects.create(
        owner=owner,
        strategy_name=parsed.name,
        document=document,
        exchange=exchange or kraken(),
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
        perpetual=perpetual,
        status=RunStatus.RUNNING,
        start_ms=start_ms,
        history_ms=start_ms - history_bars(parsed, candles.timeframe) * candles.bar_ms,
        equity=capital,
    )


def binance() -> Exchange:
    return Exchange.objects.get(slug="binance")


def binance_usdm() -> Exchange:
    return Exchange.objects.get(slug="binance-usdm")


def sandbox_key(venue, owner, label: str, exchange: Exchange | None = None):
    """One of the venue's demo keys, saved as a user saves it, its connection test run (the
    task the page queues once the request commits). A Binance key is Binance Spot's unless
    `exchange` says otherwise."""
    demo = venue.key(label)
    default = {"futures": kraken_futures, "binance": binance}.get(demo.venue, kraken)
    key = exchange_key_create(
        user=owner,
        exchange=exchange or default(),
        label=label,
        credentials=Credentials(api_key=demo.key, secret=demo.secret),
    )
    for test in key.tests.filter(finished_at__isnull=True):
        connection_test_run(test_id=test.pk)
    key.refresh_from_db()
    return key


def venue_orders(venue, label: str = "spot-full", account: str | None = None):
    """The key's orders at the venue (`account`: a ledger account of its own, such as a
    Binance key's USDⓈ-M wallet)."""
    key = account or venue.key(label).key
    return [o for o in venue.state.ledger.orders.values() if o.key == key]
