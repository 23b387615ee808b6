"""ccxt's unmodified `krakenfutures` class against the sandbox."""

import itertools
from decimal import Decimal

import ccxt
import pytest

from exchanges.sandbox import accounts as accounts_module


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
    # Within one hour: no funding is due (the next test holds a position over the hours).
    venue.freeze_time(1_800_000_060)
    exchange = futures()
    bought = exchange.create_order("BTC/USD:USD", "market", "buy", 0.1)
    venue.freeze_time(1_800_003_000)
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


def test_a_short_stop_rests_until_a_trade_reaches_it_then_closes_the_position(futures, venue):
    now = 1_790_000_000.0
    venue.freeze_time(now)
    exchange = futures()
    exchange.load_markets()
    exchange.create_order("BTC/USD:USD", "market", "sell", 0.1)  # a short
    last = venue.state.market.price("XXBTZUSD", now)  # PF_XBTUSD follows Spot's BTC/USD
    # The highest trade of the next hour: a buy stop between the price now and it is reached.
    highest = max(t.price for t in venue.state.market.trades_between("XXBTZUSD", now, now + 3600))
    assert highest > last
    trigger = float(round((highest + last) / 2))

    stop = exchange.create_order(
        "BTC/USD:USD",
        "market",
        "buy",
        0.1,
        None,
        {"stopLossPrice": trigger, "clientOrderId": "short-stop"},
    )
    (resting,) = exchange.fetch_open_orders("BTC/USD:USD")
    assert (resting["id"], resting["clientOrderId"]) == (stop["id"], "short-stop")
    assert (resting["triggerPrice"], resting["reduceOnly"]) == (trigger, True)
    (position,) = exchange.fetch_positions()
    assert (position["side"], position["contracts"]) == ("short", 0.1)

    venue.freeze_time(now + 3600)
    assert exchange.fetch_open_orders("BTC/USD:USD") == []
    assert exchange.fetch_positions() == []  # the stop bought the short back
    (done,) = [o for o in exchange.fetch_closed_orders("BTC/USD:USD") if o["id"] == stop["id"]]
    assert (done["clientOrderId"], done["filled"]) == ("short-stop", 0.1)
    (fill,) = [t for t in exchange.fetch_my_trades() if t["order"] == stop["id"]]
    assert fill["price"] >= trigger  # a market fill at the trade that reached it


def test_order_status_answers_for_open_orders_and_for_five_seconds_after_they_end(futures, venue):
    now = 1_790_000_000.0
    venue.freeze_time(now)
    exchange = futures()
    resting = exchange.create_order(
        "BTC/USD:USD", "limit", "buy", 0.01, 1000, {"clientOrderId": "rest"}
    )
    filled = exchange.create_order("BTC/USD:USD", "market", "buy", 0.01)

    seen = exchange.fetch_order(resting["id"])
    assert (seen["status"], seen["clientOrderId"], seen["filled"]) == ("open", "rest", 0.0)
    assert exchange.fetch_order(filled["id"])["status"] == "closed"
    exchange.cancel_order(resting["id"])
    assert exchange.fetch_order(resting["id"])["status"] == "canceled"

    venue.freeze_time(now + 6)  # Kraken reports ended orders for 5 seconds only
    with pytest.raises(ccxt.OrderNotFound):
        exchange.fetch_order(filled["id"])
    both = exchange.fetch_orders(params={"orderIds": [resting["id"], filled["id"]]})
    assert both == []


def test_a_stop_limit_order_is_refused(futures):
    exchange = futures()
    exchange.load_markets()
    with pytest.raises(ccxt.InvalidOrder):  # a stop-limit: not in the sandbox
        exchange.create_order(
            "BTC/USD:USD", "limit", "buy", 0.01, 100_000, {"triggerPrice": 90_000}
        )


def test_fees_are_in_the_account_log_one_cash_row_per_execution(futures, venue):
    venue.freeze_time(1_790_000_000.0)
    exchange = futures()
    exchange.create_order("BTC/USD:USD", "market", "buy", 0.1)
    # Kraken Futures' fills carry no fee (ccxt fills one in at the market's published rate):
    # the account log has the fee charged.
    (fill,) = exchange.fetch_my_trades("BTC/USD:USD")
    assert "fee" not in fill["info"]

    (entry,) = exchange.fetch_ledger()  # the position's leg is left out by ccxt
    assert (entry["referenceId"], entry["type"], entry["currency"]) == (fill["id"], "trade", "USD")
    taker = 0.0005  # Kraken Futures' published taker fee at the lowest volume tier
    assert entry["fee"]["cost"] == pytest.approx(fill["price"] * 0.1 * taker, abs=1e-8)
    assert (entry["before"], entry["after"]) == (50000.0, 50000.0 - entry["fee"]["cost"])
    raw = venue.state.ledger.fills[fill["id"]]
    assert float(raw.fee) == entry["fee"]["cost"]


def test_a_stop_cancelled_before_it_triggered_is_in_the_triggers_history(futures, venue):
    venue.freeze_time(1_790_000_000.0)
    exchange = futures()
    exchange.load_markets()
    exchange.create_order("BTC/USD:USD", "market", "buy", 0.1)
    stop = exchange.create_order(
        "BTC/USD:USD", "market", "sell", 0.1, None, {"stopLossPrice": 1000, "clientOrderId": "s"}
    )
    exchange.cancel_order(stop["id"])

    assert exchange.fetch_canceled_orders("BTC/USD:USD") == []  # order events: not there
    (cancelled,) = exchange.fetch_canceled_orders("BTC/USD:USD", params={"trigger": True})
    assert (cancelled["id"], cancelled["clientOrderId"], cancelled["status"]) == (
        stop["id"],
        "s",
        "canceled",
    )


def test_a_reduce_only_order_closes_at_most_the_position_and_never_opens_one(futures, venue):
    venue.freeze_time(1_790_000_000.0)
    exchange = futures()
    exchange.load_markets()
    exchange.create_order("BTC/USD:USD", "market", "sell", 0.1)  # short 0.1

    closing = exchange.create_order("BTC/USD:USD", "market", "buy", 0.3, None, {"reduceOnly": True})
    assert (closing["filled"], closing["amount"]) == (0.1, 0.1)  # cut to the short it closes
    assert exchange.fetch_positions() == []
    with pytest.raises(ccxt.ExchangeError, match="wouldNotReducePosition"):
        exchange.create_order("BTC/USD:USD", "market", "buy", 0.1, None, {"reduceOnly": True})
    assert exchange.fetch_positions() == []  # nothing to reduce: refused, not a long opened

    # A reduce-only stop may rest; triggered with nothing to reduce, it is cancelled.
    now = 1_790_000_000.0
    exchange.create_order("BTC/USD:USD", "market", "sell", 0.1)
    stop = exchange.create_order(
        "BTC/USD:USD", "market", "buy", 0.1, None, {"stopLossPrice": 1_000_000}
    )
    exchange.create_order("BTC/USD:USD", "market", "buy", 0.1)  # closed by hand meanwhile
    highest = max(t.price for t in venue.state.market.trades_between("XXBTZUSD", now, now + 3600))
    venue.state.ledger.orders[stop["id"]].price = highest  # reached within the hour
    venue.freeze_time(now + 3600)
    assert exchange.fetch_positions() == []
    assert venue.state.ledger.orders[stop["id"]].status == "canceled"


def test_funding_rate_history_is_hourly_since_listing_and_stable(futures, venue):
    venue.freeze_time(1_700_000_000)  # 2023-11-14 22:13:20 UTC
    exchange = futures()
    exchange.load_markets()
    rates = exchange.fetch_funding_rate_history("BTC/USD:USD")
    # 2022-01-01 00:00 to 2023-11-14 22:00 UTC, one a hour: (1_700_000_000 // 3600) -
    # (1_640_995_200 // 3600) + 1 = 472_222 - 455_832 + 1 hours.
    assert len(rates) == 472_222 - 455_832 + 1
    assert rates[0]["timestamp"] == 1_640_995_200_000
    assert rates[-1]["timestamp"] == 472_222 * 3_600_000
    assert {r["timestamp"] - p["timestamp"] for p, r in itertools.pairwise(rates)} == {3_600_000}
    values = [r["fundingRate"] for r in rates]
    assert all(abs(v) < 0.001 for v in values)
    assert min(values) < 0 < max(values)  # both sides pay at times
    since = exchange.fetch_funding_rate_history("BTC/USD:USD", since=rates[-3]["timestamp"])
    assert since == rates[-3:]
    with pytest.raises(ccxt.BadRequest):
        exchange.fetch_funding_rate_history("BTC/USD")  # a spot symbol: no funding


def test_a_position_held_over_the_hours_pays_their_funding_in_the_account_log(futures, venue):
    from exchanges.sandbox.funding_book import relative_rate

    venue.freeze_time(1_800_000_600)  # ten minutes into hour 500,000
    exchange = futures()
    bought = exchange.create_order("BTC/USD:USD", "market", "buy", 0.1)
    venue.freeze_time(1_800_000_600 + 3 * 3600)  # hours 500,001 to 500,003 begin meanwhile
    sold = exchange.create_order("BTC/USD:USD", "market", "sell", 0.1)
    market = venue.state.market
    expected = [
        -0.1 * float(market.price("XXBTZUSD", hour * 3600)) * relative_rate("PF_XBTUSD", hour)
        for hour in (500_001, 500_002, 500_003)
    ]
    log = exchange.fetch_ledger(None, 1_800_000_000_000)
    funding = [row for row in log if row["info"]["info"] == "funding rate change"]
    assert [row["timestamp"] for row in funding] == [
        hour * 3_600_000 for hour in (500_001, 500_002, 500_003)
    ]
    assert [float(row["info"]["realized_funding"]) for row in funding] == pytest.approx(
        expected, abs=1e-8
    )
    profit = (sold["average"] - bought["average"]) * 0.1
    fees = (sold["average"] + bought["average"]) * 0.1 * 0.0005
    assert exchange.fetch_balance()["total"]["USD"] == pytest.approx(
        50000 + profit - fees + sum(expected), abs=0.01
    )


def test_the_keys_fee_tier(futures, monkeypatch):
    monkeypatch.setitem(
        accounts_module.FEE_RATES, "futures", (Decimal("0.0004"), accounts_module.FUTURES_MAKER)
    )
    exchange = futures()
    fees = exchange.fetch_trading_fees()
    # The first tier (no 30-day volume): what the ledger charges, in percent / 100.
    assert fees["BTC/USD:USD"]["taker"] == pytest.approx(0.0004)
    assert fees["ETH/USD:USD"]["maker"] == pytest.approx(0.0002)
