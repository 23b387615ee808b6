"""Funding charged as the exchange published it (the fill model's point 9), through the
store: a paper run's ticks worked out by hand, and a backtest on the sandbox's Kraken
Futures perpetual against a plain per-hour loop over the sandbox's own rates."""

from datetime import UTC, datetime

import pytest

from exchanges.sandbox.funding_book import relative_rate
from strategies.candles.store import candles_read, series_for
from strategies.models import (
    Backtest,
    BacktestStatus,
    CatalogEntry,
    FundingRate,
    FundingSeries,
    RunTrade,
)
from strategies.services.backtests import backtest_start
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.strategies.backtest_run_helpers import HOUR_MS, day_ms, days_ago
from tests.strategies.long_job_helpers import backtest_to_its_end
from tests.strategies.mine_helpers import page, signed_in
from tests.strategies.run_helpers import kraken_futures, paper_run, stored
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = pytest.mark.django_db

PERPETUAL = "BTC/USD:USD"


def _rates(candles, by_bar: dict[int, float]) -> None:
    """The published rates at the given bars' opens, the whole span asked for."""
    series = FundingSeries.objects.create(
        exchange=kraken_futures(),
        symbol=PERPETUAL,
        asked_from_ms=int(candles.time[0]),
        asked_through_ms=int(candles.time[-1]) + candles.bar_ms,
    )
    FundingRate.objects.bulk_create(
        FundingRate(series=series, time_ms=int(candles.time[bar]), rate=rate)
        for bar, rate in by_bar.items()
    )


def _perpetual_run(candles):
    stored(candles, symbol=PERPETUAL, exchange=kraken_futures())
    return paper_run(
        make_user("funding@example.com"),
        HAND,
        candles,
        start=1,
        capital=1000.0,
        fee=0.0,
        slippage_bps=0.0,
        max_volume_share=0.0,
        symbol=PERPETUAL,
        exchange=kraken_futures(),
        allows_shorts=True,
        perpetual=True,
    )


def test_a_paper_runs_trade_pays_the_rates_published_while_it_was_held():
    candles = hand_candles()  # opens 100, 100, 110, 120, 80, 70
    run = _perpetual_run(candles)
    _rates(candles, {2: 0.001, 3: 0.002, 4: 0.003, 5: 0.004})
    for bar_ms in candles.time[1:].tolist():
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    # Entry decided at bar 1's close, 600 / 110 = 5.45454545 bought at bar 2's open (110);
    # exit decided at bar 3's close, sold at bar 4's open (80). Bar 2's rate is charged on
    # what was held at bar 1's close (nothing); bar 3: 5.45454545 x 120 x 0.002; bar 4:
    # 5.45454545 x 80 x 0.003; bar 5: nothing held at bar 4's close.
    size = 5.45454545
    paid = size * 120 * 0.002 + size * 80 * 0.003
    (trade,) = RunTrade.objects.filter(run=run)
    assert trade.funding == pytest.approx(-paid)
    assert trade.pnl == pytest.approx(size * (80 - 110) - paid)
    run.refresh_from_db()
    assert run.equity == pytest.approx(1000 + size * (80 - 110) - paid)


def test_a_perpetual_runs_tick_waits_for_its_funding():
    candles = hand_candles()
    run = _perpetual_run(candles)
    run_tick(run_id=run.pk, bar_ms=int(candles.time[2]))
    run.refresh_from_db()
    assert run.last_bar_ms is None  # not ticked on a history without its funding


def test_a_backtest_on_a_perpetual_charges_the_exchanges_published_rates(sandbox):
    client, user = signed_in("perpetual@example.com")
    entry = CatalogEntry.objects.get(slug="ema-crossover")
    start, end = day_ms(days_ago(6)), day_ms(days_ago(1))
    created = backtest_start(
        owner=user,
        source=entry,
        exchange=kraken_futures(),
        symbol=PERPETUAL,
        timeframe="1h",
        start_ms=start,
        end_ms=end,
        capital=10_000,
        fee=0.0005,
    )
    backtest_to_its_end(created.pk)
    run = Backtest.objects.get(pk=created.pk)
    assert run.status == BacktestStatus.DONE, (run.error_code, run.error_params)
    assert run.perpetual
    trades = [*run.trades, *run.open_trades]
    assert trades, "five days of ema-crossover should trade"
    # A plain loop: every hour after a trade's entry bar through its exit bar (the last bar
    # for an open one), the sandbox's published rate on the size held at the hour's open.
    series = series_for(exchange=kraken_futures(), symbol=PERPETUAL, timeframe="1h")
    candles = candles_read(series, start=start, end=end)
    opens = dict(zip(candles.time.tolist(), candles.open.tolist(), strict=True))
    total = 0.0
    for trade in trades:
        last = trade.get("exit_time", int(candles.time[-1]))
        expected = 0.0
        hour = trade["entry_time"] + HOUR_MS
        while hour <= last:
            sign = 1 if trade["side"] == "long" else -1
            rate = relative_rate("PF_XBTUSD", hour // HOUR_MS)
            expected -= sign * trade["size"] * opens[hour] * rate
            hour += HOUR_MS
        assert trade["funding"] == pytest.approx(expected, rel=1e-9, abs=1e-9)
        total += expected
    assert run.funding["paid"] == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert run.funding["covered"] == [start, end - HOUR_MS]
    # The report says what was paid and which period the rates cover.
    text = page(client.get(f"/en/strategies/backtests/{run.pk}/"))
    first, last = (
        datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")
        for ms in (start, end - HOUR_MS)
    )
    assert f"at the rates the exchange published from {first} to {last} (UTC)" in text
    assert "Funding paid" in text


def test_a_later_fill_stores_only_the_rates_published_since_the_last(sandbox, monkeypatch):
    from strategies.candles import funding as store

    stored_rows: list[int] = []
    real_store = store._store

    def counting_store(series, rows, *rest):
        stored_rows.append(len(rows))
        real_store(series, rows, *rest)

    monkeypatch.setattr(store, "_store", counting_store)
    now = 1_800_000_000  # on the hour: hour 500,000
    for later in (0, 2 * 3600):
        sandbox.freeze_time(now + later)
        monkeypatch.setattr(store.time, "time", lambda later=later: now + later)
        store.funding_fill(
            exchange=kraken_futures(),
            symbol=PERPETUAL,
            start=(now - 86_400) * 1000,
            end=(now + later) * 1000,
        )
    # The first fill stores every rate from the start asked (a day back) through now; the
    # second only the two hours published since.
    assert stored_rows == [24 + 1, 2]
    series = FundingSeries.objects.get(symbol=PERPETUAL)
    assert series.rates.count() == 24 + 1 + 2


def test_an_exchange_down_for_the_funding_history_leaves_the_run_waiting(sandbox):
    from exchanges.sandbox import Fault
    from strategies.services.run_ticks import run_market_tick

    candles = hand_candles()
    run = _perpetual_run(candles)
    down = sandbox.inject(
        Fault("unavailable", 20, venue="futures", status=503, endpoint="historicalfundingrates")
    )

    run_market_tick(
        exchange_id=run.exchange_id,
        symbol=PERPETUAL,
        timeframe="1h",
        bar_ms=int(candles.time[2]),
    )

    run.refresh_from_db()
    # Not ticked on a history without its funding, nor failed: the next minute asks again.
    assert (run.status, run.last_bar_ms, run.queued_bar_ms) == ("running", None, None)
    assert not FundingSeries.objects.filter(rates__isnull=False).exists()
    assert down.count < 20  # the funding history was asked for, and refused
