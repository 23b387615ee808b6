"""ccxt's unmodified `krakenfutures` class against the sandbox."""

import ccxt
import pytest


def test_market_data(futures):
    exchange = futures()
    markets = exchange.load_markets()
    assert {"BTC/USD:USD", "ETH/USD:USD"} <= set(markets)
    market = markets["BTC/USD:USD"]
    assert (market["id"], market["swap"], market["linear"]) == ("PF_XBTUSD", True, True)
    ticker = exchange.fetch_ticker("BTC/USD:USD")
    assert ticker["bid"] < ticker["last"] < ticker["ask"]
    candles = exchange.fetch_ohlcv("ETH/USD:USD", "5m", limit=12)
    assert len(candles) == 12
    assert candles[-1][0] - candles[0][0] == 11 * 5 * 60 * 1000
    assert exchange.fetch_order_book("BTC/USD:USD")["bids"]


def test_balance_and_order_cycle(futures):
    exchange = futures()
    assert exchange.fetch_balance()["total"] == {"USD": 50000.0, "BTC": 0.5}
    resting = exchange.create_order("BTC/USD:USD", "limit", "buy", 0.01, 1000)
    assert resting["status"] == "open"
    market = exchange.create_order("BTC/USD:USD", "market", "buy", 0.02)
    assert (market["status"], market["filled"]) == ("closed", 0.02)
    assert [o["id"] for o in exchange.fetch_open_orders()] == [resting["id"]]
    cancelled = exchange.cancel_order(resting["id"])
    assert cancelled["status"] == "canceled"
    assert exchange.fetch_open_orders() == []
    assert [o["id"] for o in exchange.fetch_closed_orders()] == [market["id"]]
    assert [o["id"] for o in exchange.fetch_canceled_orders()] == [resting["id"]]
    fills = exchange.fetch_my_trades()
    assert [(f["order"], f["amount"], f["takerOrMaker"]) for f in fills] == [
        (market["id"], 0.02, "taker")
    ]
    (position,) = exchange.fetch_positions()
    assert (position["side"], position["contracts"]) == ("long", 0.02)
    usd = exchange.fetch_balance()["total"]["USD"]
    assert usd == pytest.approx(50000 - 0.02 * market["average"] * 0.0005, abs=0.01)
    with pytest.raises(ccxt.OrderNotFound):
        exchange.cancel_order(resting["id"])


def test_closing_a_position_realises_the_profit(futures, venue):
    venue.freeze_time(1_800_000_000)
    exchange = futures()
    bought = exchange.create_order("BTC/USD:USD", "market", "buy", 0.1)
    venue.freeze_time(1_800_003_600)
    sold = exchange.create_order("BTC/USD:USD", "market", "sell", 0.1)
    assert exchange.fetch_positions() == []
    profit = (sold["average"] - bought["average"]) * 0.1
    fees = (sold["average"] + bought["average"]) * 0.1 * 0.0005
    assert exchange.fetch_balance()["total"]["USD"] == pytest.approx(
        50000 + profit - fees, abs=0.01
    )


def test_order_refusals(futures):
    exchange = futures()
    with pytest.raises(ccxt.InsufficientFunds):
        exchange.create_order("BTC/USD:USD", "market", "buy", 100)
    with pytest.raises(ccxt.OrderImmediatelyFillable):
        exchange.create_order("BTC/USD:USD", "limit", "buy", 0.01, 1_000_000, {"postOnly": True})
    with pytest.raises(ccxt.BadSymbol):
        exchange.create_order("DOGE/USD:USD", "market", "buy", 1)
