"""The account's own fee tier as the default fee: read with the key at its passing connection
test (the sandbox charges 0.26 % on Kraken Spot and 0.05 % on Kraken Futures, below Kraken's
public 0.40 % entry tier), used when the fee is left empty, and named where the costs are."""

import pytest

from strategies.models import Backtest, CatalogEntry, StrategyRun
from strategies.services.backtests import backtest_start
from strategies.services.live_start import COPIED
from strategies.services.runs import strategy_run_start
from tests.strategies.backtest_run_helpers import day_ms, days_ago
from tests.strategies.mine_helpers import page, signed_in
from tests.strategies.run_helpers import kraken, kraken_futures, sandbox_key

pytestmark = pytest.mark.django_db


def _backtest(user, *, fee=None, exchange=None, symbol="BTC/USD") -> Backtest:
    return backtest_start(
        owner=user,
        source=CatalogEntry.objects.get(slug="ema-crossover"),
        exchange=exchange or kraken(),
        symbol=symbol,
        timeframe="1h",
        start_ms=day_ms(days_ago(3)),
        end_ms=day_ms(days_ago(1)),
        capital=10_000,
        fee=fee,
    )


def test_a_passing_connection_test_reads_the_keys_taker_fee(sandbox):
    _client, user = signed_in("tier@example.com")
    spot = sandbox_key(sandbox, user, "spot-full")
    futures = sandbox_key(sandbox, user, "futures-full")
    refused = sandbox_key(sandbox, user, "spot-withdraw")  # refused: it can withdraw
    assert float(spot.taker_fee) == 0.0026
    assert float(futures.taker_fee) == 0.0005
    assert spot.taker_fee_read_at is not None
    assert refused.taker_fee is None


def test_an_empty_fee_is_the_keys_tier_and_the_report_says_so(sandbox):
    client, user = signed_in("own@example.com")
    sandbox_key(sandbox, user, "spot-full")

    backtest = _backtest(user)

    assert backtest.fee == 0.0026
    assert backtest.fee_source["kind"] == "key"
    assert backtest.fee_source["label"] == "spot-full"
    text = page(client.get(f"/en/strategies/backtests/{backtest.pk}/"))
    assert "taker fee 0.26% per leg" in text
    assert "the taker fee is your own tier, as the exchange told your key “spot-full” on" in text
    french = page(client.get(f"/fr/strategies/backtests/{backtest.pk}/"))
    assert "ton propre palier" in french


def test_without_a_green_key_it_is_the_entry_tier_and_a_typed_fee_is_the_users(sandbox):
    client, user = signed_in("nokey@example.com")
    sandbox_key(sandbox, user, "spot-withdraw")  # refused: no fee read, none used

    entry = _backtest(user)
    typed = _backtest(user, fee=0.001)

    assert (entry.fee, entry.fee_source) == (0.004, {"kind": "entry"})  # Kraken's 0.40 %
    assert (typed.fee, typed.fee_source) == (0.001, {})
    assert "the exchange's public entry tier" in page(
        client.get(f"/en/strategies/backtests/{entry.pk}/")
    )
    assert "entry tier" not in page(client.get(f"/en/strategies/backtests/{typed.pk}/"))


def test_a_paper_run_on_the_futures_key_takes_its_tier_and_going_live_keeps_the_source(sandbox):
    _client, user = signed_in("perp@example.com")
    sandbox_key(sandbox, user, "futures-full")

    run = strategy_run_start(
        owner=user,
        source=CatalogEntry.objects.get(slug="ema-crossover"),
        exchange=kraken_futures(),
        symbol="BTC/USD:USD",
        timeframe="1h",
        capital=1000,
        fee=None,
        slippage_bps=0,
        max_volume_share=0.1,
    )

    assert StrategyRun.objects.get(pk=run.pk).fee == 0.0005
    assert run.fee_source["kind"] == "key"
    assert "fee_source" in COPIED
