"""ccxt's unmodified `kraken` class against the sandbox: market data, balance, the order cycle."""

import itertools
import threading
from decimal import Decimal

import ccxt
import pytest


def test_market_data(spot):
    exchange = spot()
    markets = exchange.load_markets()
    assert {"BTC/USD", "ETH/USD", "BTC/EUR"} <= set(markets)
    assert markets["BTC/USD"]["id"] == "XXBTZUSD"
    assert markets["BTC/USD"]["info"]["altname"] == "XBTUSD"
    assert exchange.currencies["BTC"]["id"] == "XXBT"
    ticker = exchange.fetch_ticker("ETH/USD")
    assert ticker["bid"] < ticker["ask"]
    assert ticker["low"] <= ticker["last"] <= ticker["high"]
    assert ticker["baseVolume"] > 0
    candles = exchange.fetch_ohlcv("BTC/USD", "1m")
    assert len(candles) == 720
    assert all(c[2] >= max(c[1], c[4]) and c[3] <= min(c[1], c[4]) for c in candles)
    book = exchange.fetch_order_book("BTC/EUR", 10)
    assert len(book["bids"]) == 10
    assert book["bids"][0][0] < book["asks"][0][0]
    trades = exchange.fetch_trades("BTC/USD", limit=50)
    assert len(trades) == 50
    assert trades[-1]["timestamp"] >= trades[0]["timestamp"]
    assert exchange.fetch_status()["status"] == "ok"
    assert exchange.fetch_time() > 0


def test_unknown_pair(raw):
    _status, text = raw.request("GET", "/0/public/Ticker?pair=DOGEUSD")
    assert text == '{"error": ["EQuery:Unknown asset pair"]}'


def test_balance_and_order_cycle(spot):
    exchange = spot()
    balance = exchange.fetch_balance()
    assert balance["total"] == {"USD": 100000.0, "EUR": 50000.0, "BTC": 2.0, "ETH": 25.0}

    resting = exchange.create_order(
        "BTC/USD", "limit", "buy", 0.05, 1000, {"clientOrderId": "rest-1"}
    )
    assert resting["id"].startswith("O")
    assert resting["price"] == 1000.0
    held = exchange.fetch_balance()
    assert held["used"]["USD"] == pytest.approx(0.05 * 1000 * 1.0026)

    market = exchange.create_order("BTC/USD", "market", "buy", 0.01)
    open_orders = exchange.fetch_open_orders()
    assert [o["id"] for o in open_orders] == [resting["id"]]
    assert open_orders[0]["clientOrderId"] == "rest-1"

    closed = exchange.fetch_closed_orders()
    assert [(o["id"], o["status"]) for o in closed] == [(market["id"], "closed")]
    filled = closed[0]
    assert filled["filled"] == 0.01
    assert filled["average"] > 0
    assert filled["fee"]["currency"] == "USD"

    exchange.cancel_order(resting["id"])
    assert exchange.fetch_open_orders() == []
    assert exchange.fetch_order(resting["id"])["status"] == "canceled"
    with pytest.raises(ccxt.OrderNotFound):
        exchange.cancel_order(resting["id"])

    after = exchange.fetch_balance()
    assert after["total"]["BTC"] == pytest.approx(2.01)
    cost = 0.01 * filled["average"]
    assert after["total"]["USD"] == pytest.approx(100000 - cost * 1.0026, abs=0.01)
    assert after["used"]["USD"] == 0
    trades = exchange.fetch_my_trades()
    assert [(t["order"], t["side"], t["takerOrMaker"]) for t in trades] == [
        (market["id"], "buy", "taker")
    ]


def test_sell_market_buy_with_cost_and_cancel_all(spot, venue):
    venue.freeze_time(1_800_000_000)
    exchange = spot()
    sold = exchange.fetch_order(exchange.create_order("ETH/USD", "market", "sell", 1.5)["id"])
    assert sold["status"] == "closed"
    exchange.create_market_buy_order_with_cost("ETH/USD", 500)
    bought = 500 / sold["average"]
    assert exchange.fetch_balance()["total"]["ETH"] == pytest.approx(25 - 1.5 + bought, abs=1e-6)
    exchange.create_order("ETH/USD", "limit", "sell", 1, 1_000_000)
    exchange.create_order("ETH/USD", "limit", "buy", 1, 1)
    assert len(exchange.fetch_open_orders()) == 2
    exchange.cancel_all_orders()
    assert exchange.fetch_open_orders() == []


def test_trading_refusals(spot):
    exchange = spot()
    with pytest.raises(ccxt.InsufficientFunds, match="EOrder:Insufficient funds"):
        exchange.create_order("BTC/USD", "market", "buy", 50)
    with pytest.raises(ccxt.InsufficientFunds):
        exchange.create_order("ETH/USD", "limit", "sell", 26, 100000)
    with pytest.raises(ccxt.InvalidOrder, match="EOrder:Order minimum not met"):
        exchange.create_order("BTC/USD", "market", "buy", 0.00001)
    with pytest.raises(ccxt.OrderNotFound):
        exchange.fetch_order("OAAAAA-BBBBB-CCCCCC")


def test_concurrent_orders_keep_the_books_consistent(raw, venue):
    """Sixteen threads trading one key at once: every answer is a fill or a nonce refusal (the
    nonces race, as they would on Kraken), and the balances add up to exactly the fills."""
    nonces = itertools.count(1)
    answers: list[dict] = []
    failures: list[BaseException] = []

    def trade() -> None:
        params = {"pair": "XBTUSD", "type": "buy", "ordertype": "market", "volume": "0.001"}
        try:
            for _ in range(4):
                answers.append(
                    raw.spot_private("spot-full", "AddOrder", params, nonce=next(nonces))[1]
                )
        except Exception as error:  # a dropped connection must fail the test, not just warn
            failures.append(error)

    threads = [threading.Thread(target=trade) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    placed = [a for a in answers if not a["error"]]
    assert placed
    assert all(a["error"] in ([], ["EAPI:Invalid nonce"]) for a in answers)
    fills = venue.state.ledger.fills_of(venue.key("spot-full").key)
    assert len(fills) == len(placed) == len(venue.state.ledger.orders)
    wallet = venue.state.ledger.balances[venue.key("spot-full").key]
    assert wallet["XXBT"] == Decimal("2") + Decimal("0.001") * len(placed)
    assert wallet["ZUSD"] == Decimal("100000") - sum(f.cost + f.fee for f in fills)


def test_a_stop_loss_rests_until_a_trade_reaches_its_trigger(spot, venue):
    now = 1_790_000_000.0
    venue.freeze_time(now)
    exchange = spot()
    exchange.load_markets()
    exchange.create_order("BTC/USD", "market", "buy", 0.1)
    last = venue.state.market.price("XXBTZUSD", now)
    # The lowest trade of the next hour: a trigger between it and the price now is reached.
    lowest = min(t.price for t in venue.state.market.trades_between("XXBTZUSD", now, now + 3600))
    assert lowest < last
    trigger = float((lowest + last) / 2)

    stop = exchange.create_order(
        "BTC/USD", "market", "sell", 0.1, None, {"stopLossPrice": trigger, "clientOrderId": "sl"}
    )
    (resting,) = exchange.fetch_open_orders("BTC/USD")
    assert (resting["id"], resting["stopLossPrice"]) == (stop["id"], pytest.approx(trigger, 1e-4))
    assert exchange.fetch_balance()["used"]["BTC"] == pytest.approx(0.1)  # held for the stop

    venue.freeze_time(now + 3600)
    (done,) = exchange.fetch_closed_orders("BTC/USD", params={"clientOrderId": "sl"})
    assert (done["status"], done["filled"]) == ("closed", 0.1)
    assert done["average"] <= trigger  # a market fill at the trade that reached it
    assert exchange.fetch_open_orders("BTC/USD") == []


def test_a_resting_limit_order_fills_in_parts_by_the_trades_that_cross_it(spot, venue):
    now = 1_790_000_000.0
    venue.freeze_time(now)
    exchange = spot()
    exchange.load_markets()
    market = venue.state.market
    last = market.price("XXBTZUSD", now)
    trades = market.trades_between("XXBTZUSD", now, now + 3600)
    limit = (last + min(t.price for t in trades)) / 2
    first, second = [t for t in trades if t.price <= limit][:2]
    # More than the first crossing trade trades, less than the first two.
    volume = float(first.volume + second.volume / 2)

    order = exchange.create_order("BTC/USD", "limit", "buy", volume, float(limit))

    venue.freeze_time(first.time + 0.001)
    (part,) = exchange.fetch_open_orders("BTC/USD")
    assert (part["id"], part["status"]) == (order["id"], "open")
    assert part["filled"] == pytest.approx(float(first.volume))
    venue.freeze_time(second.time + 0.001)
    (done,) = exchange.fetch_closed_orders("BTC/USD")
    assert (done["status"], done["filled"]) == ("closed", pytest.approx(volume))
    assert len(exchange.fetch_my_trades("BTC/USD")) == 2


def test_the_keys_fee_tier(spot):
    fee = spot().fetch_trading_fee("BTC/USD")
    # What the ledger charges every key: 0.26 % taker, 0.16 % maker (below the public
    # schedule's 0.40 % entry tier, as on an account that has traded).
    assert (fee["taker"], fee["maker"]) == (pytest.approx(0.0026), pytest.approx(0.0016))
