"""ccxt's unmodified `binance` class against the sandbox's Binance Spot dialect: market data,
balances, orders, fills and their commissions, order queries and cancels.

Expected values come from Binance's documented rules (0.1 % commission in the asset received,
0.075 % in BNB for an account paying fees in BNB, the filters' tick and step) applied by hand
to the synthetic market's prices, which the tests read from the market itself.
"""

from decimal import ROUND_DOWN, Decimal

import ccxt
import pytest

from exchanges.sandbox import Fault

MOMENT = 1_800_000_000.0  # 2027-01-15T08:00:00Z: the tests' frozen "now"


def at(venue, exchange, moment: float) -> None:
    """Freeze the venue at `moment` and set ccxt's clock 5 s behind it (its timeDifference):
    its signed requests stay inside recvWindow (ccxt sends 10 s) for the next 6 s."""
    venue.freeze_time(moment)
    exchange.options["timeDifference"] = exchange.milliseconds() - int(moment * 1000) + 5000


def test_market_data(binance, venue):
    venue.freeze_time(MOMENT)
    exchange = binance()
    markets = exchange.load_markets()
    assert set(markets) == {"BTC/USDT", "ETH/USDT", "BNB/USDT"}
    last = venue.state.market.price("BTCUSDT", MOMENT)
    ticker = exchange.fetch_ticker("BTC/USDT")
    assert ticker["last"] == float(last)
    assert ticker["bid"] < ticker["last"] < ticker["ask"]
    assert ticker["low"] <= ticker["last"] <= ticker["high"]
    assert ticker["timestamp"] == MOMENT * 1000
    assert exchange.fetch_last_prices(["ETH/USDT"])["ETH/USDT"]["price"] == float(
        venue.state.market.price("ETHUSDT", MOMENT)
    )
    assert set(exchange.fetch_tickers()) == set(markets)
    book = exchange.fetch_order_book("BTC/USDT", 5)
    assert (len(book["bids"]), len(book["asks"])) == (5, 5)
    assert book["bids"][0][0] < float(last) < book["asks"][0][0]
    trades = exchange.fetch_trades("BNB/USDT", limit=20)
    recent = venue.state.market.recent_trades("BNBUSDT", MOMENT, 20)
    assert [t["id"] for t in trades] == [str(t.id) for t in recent]
    assert [t["price"] for t in trades] == [float(t.price) for t in recent]
    # The trades from startTime on (inclusive; the market's trade times have 4 decimals).
    hour = venue.state.market.trades_between("BNBUSDT", MOMENT - 3600.00005, MOMENT)
    since = exchange.fetch_trades("BNB/USDT", since=int(MOMENT * 1000) - 3_600_000, limit=50)
    assert [t["id"] for t in since] == [str(t.id) for t in hour[:50]]
    after = exchange.fetch_trades("BNB/USDT", limit=5, params={"fromId": hour[10].id})
    assert [t["id"] for t in after] == [str(t.id) for t in hour[10:15]]
    (quote,) = exchange.fetch_bids_asks(["ETH/USDT"]).values()
    assert quote["bid"] < quote["ask"]
    # avgPrice: the volume-weighted price of the last 5 minutes' trades.
    five = venue.state.market.trades_between("BTCUSDT", MOMENT - 300, MOMENT)
    vwap = sum(t.price * t.volume for t in five) / sum(t.volume for t in five)
    average = exchange.publicGetAvgPrice({"symbol": "BTCUSDT"})
    assert (average["mins"], average["price"]) == (
        5,
        f"{vwap.quantize(Decimal('1e-8'), ROUND_DOWN)}",
    )


def test_a_market_buy_pays_its_commission_in_the_asset_bought(binance, venue):
    exchange = binance()
    exchange.load_markets()
    at(venue, exchange, MOMENT)
    price = venue.state.market.price("BTCUSDT", MOMENT)

    order = exchange.create_order("BTC/USDT", "market", "buy", 0.01)

    assert (order["status"], order["filled"], order["average"]) == ("closed", 0.01, float(price))
    (fill,) = order["trades"]
    # 0.1 % of the quantity received: 0.01 BTC * 0.001.
    assert fill["fee"] == {"currency": "BTC", "cost": 0.00001}
    balance = exchange.fetch_balance()
    assert balance["total"]["BTC"] == 2.00999
    assert balance["total"]["USDT"] == float(Decimal(100000) - Decimal("0.01") * price)
    (trade,) = exchange.fetch_my_trades("BTC/USDT")
    assert (trade["order"], trade["takerOrMaker"], trade["fee"]["cost"]) == (
        order["id"],
        "taker",
        0.00001,
    )


def test_an_account_paying_fees_in_bnb_pays_a_quarter_less_in_bnb(binance, venue):
    exchange = binance("binance-bnb")
    exchange.load_markets()
    at(venue, exchange, MOMENT)
    btc = venue.state.market.price("BTCUSDT", MOMENT)
    bnb = venue.state.market.price("BNBUSDT", MOMENT)
    # 0.075 % of the notional (0.1 % less 25 %), converted at the BNB price, to 8 places.
    commission = (Decimal("0.01") * btc * Decimal("0.00075") / bnb).quantize(Decimal("1e-8"))

    order = exchange.create_order("BTC/USDT", "market", "buy", 0.01)

    assert order["trades"][0]["fee"] == {"currency": "BNB", "cost": float(commission)}
    total = exchange.fetch_balance()["total"]
    assert (total["BTC"], total["BNB"]) == (2.01, float(10 - commission))
    assert total["USDT"] == float(Decimal(100000) - Decimal("0.01") * btc)


def test_a_market_buy_for_a_quote_amount_buys_whole_steps(binance, venue):
    exchange = binance()
    exchange.load_markets()
    at(venue, exchange, MOMENT)
    price = venue.state.market.price("ETHUSDT", MOMENT)
    # As much ETH as 1000 USDT buys, in whole steps of 0.0001 (LOT_SIZE).
    quantity = (Decimal(1000) / price).quantize(Decimal("0.0001"), ROUND_DOWN)

    order = exchange.create_market_buy_order_with_cost("ETH/USDT", 1000)

    assert (order["amount"], order["filled"]) == (float(quantity), float(quantity))
    assert order["info"]["origQuoteOrderQty"] == "1000.00000000"


def test_a_resting_limit_order_fills_in_parts_as_trades_cross_it(binance, venue):
    exchange = binance()
    exchange.load_markets()
    at(venue, exchange, MOMENT)
    market = venue.state.market
    last = market.price("BNBUSDT", MOMENT)
    trades = market.trades_between("BNBUSDT", MOMENT, MOMENT + 3600)
    limit = ((last + min(t.price for t in trades)) / 2).quantize(Decimal("0.01"))
    first, second = [t for t in trades if t.price <= limit][:2]
    # More than the first crossing trade, less than the first two (in steps of 0.001).
    quantity = (first.volume + second.volume / 2).quantize(Decimal("0.001"), ROUND_DOWN)

    order = exchange.create_order("BNB/USDT", "limit", "buy", float(quantity), float(limit))
    assert (order["status"], order["filled"]) == ("open", 0.0)
    assert exchange.fetch_balance()["used"]["USDT"] == float(quantity * limit)

    at(venue, exchange, first.time)
    part = exchange.fetch_order(order["id"], "BNB/USDT")
    assert (part["status"], part["info"]["status"]) == ("open", "PARTIALLY_FILLED")
    assert part["filled"] == float(first.volume)
    at(venue, exchange, second.time)
    done = exchange.fetch_order(order["id"], "BNB/USDT")
    assert (done["status"], done["filled"], done["average"]) == (
        "closed",
        float(quantity),
        float(limit),
    )
    fills = exchange.fetch_my_trades("BNB/USDT")
    assert [(f["amount"], f["takerOrMaker"]) for f in fills] == [
        (float(first.volume), "maker"),
        (float(quantity - first.volume), "maker"),
    ]
    rest = quantity - first.volume
    assert [(f["fee"]["cost"], f["fee"]["currency"]) for f in fills] == [
        (float(first.volume * Decimal("0.001")), "BNB"),  # 0.1 % of the BNB bought
        (float(rest * Decimal("0.001")), "BNB"),
    ]
    assert exchange.fetch_balance()["total"]["BNB"] == float(quantity * Decimal("0.999"))


def test_order_refusals(binance, venue):
    exchange = binance()
    exchange.load_markets()
    at(venue, exchange, MOMENT)
    last = float(venue.state.market.price("BTCUSDT", MOMENT))
    assert 2 * last > 100000  # 2 BTC cost more than the key's USDT
    with pytest.raises(ccxt.InsufficientFunds, match="insufficient balance"):
        exchange.create_order("BTC/USDT", "market", "buy", 2)
    with pytest.raises(ccxt.OrderImmediatelyFillable, match="immediately match and take"):
        exchange.create_order("BTC/USDT", "limit", "buy", 0.01, last + 100, {"postOnly": True})
    with pytest.raises(ccxt.OrderImmediatelyFillable, match="Order would trigger immediately"):
        exchange.create_order(
            "BTC/USDT", "market", "sell", 0.01, None, {"stopLossPrice": last + 100}
        )
    with pytest.raises(ccxt.BadSymbol, match="-1121"):
        exchange.privateGetOrder({"symbol": "DOGEUSDT", "orderId": 1})
    with pytest.raises(ccxt.OrderNotFound, match="-2013"):
        exchange.fetch_order("999", "BTC/USDT")
    with pytest.raises(ccxt.OrderNotFound, match="-2011"):
        exchange.cancel_order("999", "BTC/USDT")
    assert exchange.fetch_balance()["total"]["USDT"] == 100000.0


@pytest.mark.parametrize(
    ("quantity", "price", "failure"),
    [
        ("0.01000", "60000.001", "PRICE_FILTER"),  # tick size 0.01
        ("0.010005", "60000.00", "LOT_SIZE"),  # step size 0.00001
        ("0.00001", "60000.00", "NOTIONAL"),  # 0.6 USDT, under the 5 USDT minimum
    ],
)
def test_filters(binance, venue, quantity, price, failure):
    exchange = binance()
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    with pytest.raises(ccxt.ExchangeError, match=f"-1013.*Filter failure: {failure}"):
        exchange.privatePostOrder({**params, "quantity": quantity, "price": price})


def test_a_client_order_id_is_unique_among_open_orders(binance, venue):
    exchange = binance()
    exchange.load_markets()
    at(venue, exchange, MOMENT)
    resting = exchange.create_order(
        "BTC/USDT", "limit", "buy", 0.01, 20000, {"clientOrderId": "dca-1"}
    )
    with pytest.raises(ccxt.InvalidOrder, match="Duplicate order sent"):
        exchange.create_order("BTC/USDT", "limit", "buy", 0.02, 20000, {"clientOrderId": "dca-1"})
    found = exchange.fetch_order(None, "BTC/USDT", {"clientOrderId": "dca-1"})
    assert (found["id"], found["amount"]) == (resting["id"], 0.01)
    exchange.cancel_order(None, "BTC/USDT", {"clientOrderId": "dca-1"})
    again = exchange.create_order(
        "BTC/USDT", "limit", "buy", 0.02, 20000, {"clientOrderId": "dca-1"}
    )
    # The id now names the latest order; the cancelled one stays reachable by its orderId.
    assert exchange.fetch_order(None, "BTC/USDT", {"clientOrderId": "dca-1"})["id"] == again["id"]
    assert exchange.fetch_order(resting["id"], "BTC/USDT")["status"] == "canceled"


def test_open_all_and_cancelled_orders(binance, venue):
    exchange = binance()
    exchange.load_markets()
    at(venue, exchange, MOMENT)
    low = exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 20000)
    high = exchange.create_order("ETH/USDT", "limit", "sell", 1, 90000)
    market = exchange.create_order("BTC/USDT", "market", "sell", 0.01)
    unfilled = exchange.create_order(
        "BTC/USDT", "limit", "buy", 0.01, 20000, {"timeInForce": "IOC"}
    )
    assert unfilled["status"] == "expired"  # IOC with nothing to match
    assert [o["id"] for o in exchange.fetch_open_orders("BTC/USDT")] == [low["id"]]
    assert [o["id"] for o in exchange.fetch_open_orders("ETH/USDT")] == [high["id"]]

    cancelled = exchange.cancel_order(low["id"], "BTC/USDT")
    assert (cancelled["status"], cancelled["info"]["origClientOrderId"]) == (
        "canceled",
        low["clientOrderId"],
    )
    assert [(o["id"], o["status"]) for o in exchange.fetch_orders("BTC/USDT")] == [
        (low["id"], "canceled"),
        (market["id"], "closed"),
        (unfilled["id"], "expired"),
    ]
    (gone,) = exchange.cancel_all_orders("ETH/USDT")
    assert (gone["id"], gone["status"]) == (high["id"], "canceled")
    with pytest.raises(ccxt.OrderNotFound, match="-2011"):
        exchange.cancel_all_orders("ETH/USDT")  # nothing left open
    assert exchange.fetch_balance()["used"] == {"BTC": 0.0, "ETH": 0.0, "USDT": 0.0, "BNB": 0.0}


def test_an_unfilled_cancelled_order_is_archived_after_90_days(binance, venue):
    exchange = binance()
    exchange.load_markets()
    at(venue, exchange, MOMENT)
    cancelled = exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 20000)
    exchange.cancel_order(cancelled["id"], "BTC/USDT")
    filled = exchange.create_order("BTC/USDT", "market", "buy", 0.01)

    at(venue, exchange, MOMENT + 90 * 86400)  # 90 days on: still there
    assert exchange.fetch_order(cancelled["id"], "BTC/USDT")["status"] == "canceled"
    at(venue, exchange, MOMENT + 90 * 86400 + 1)
    with pytest.raises(ccxt.ExchangeError, match="-2026"):
        exchange.fetch_order(cancelled["id"], "BTC/USDT")
    assert [o["id"] for o in exchange.fetch_orders("BTC/USDT")] == [filled["id"]]
    assert exchange.fetch_order(filled["id"], "BTC/USDT")["status"] == "closed"


def test_a_lost_answer_leaves_the_order_placed_and_findable(binance, venue):
    exchange = binance()
    exchange.load_markets()
    at(venue, exchange, MOMENT)
    venue.inject(Fault("lost_answer", venue="binance", endpoint="/api/v3/order"))
    with pytest.raises(ccxt.RequestTimeout):
        exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 20000, {"clientOrderId": "lost-1"})

    found = exchange.fetch_order(None, "BTC/USDT", {"clientOrderId": "lost-1"})
    assert (found["status"], found["amount"], found["price"]) == ("open", 0.01, 20000.0)
    assert [o["clientOrderId"] for o in exchange.fetch_open_orders("BTC/USDT")] == ["lost-1"]


def test_the_account_and_its_fees(binance, venue):
    exchange = binance("binance-bnb")
    exchange.load_markets()
    at(venue, exchange, MOMENT)
    account = exchange.privateGetAccount()
    assert (account["canTrade"], account["canWithdraw"], account["accountType"]) == (
        True,
        False,
        "SPOT",
    )
    assert account["commissionRates"]["taker"] == "0.00100000"
    assert {b["asset"]: b["free"] for b in account["balances"]}["BNB"] == "10.00000000"
    commission = exchange.privateGetAccountCommission({"symbol": "BTCUSDT"})
    assert commission["discount"] == {
        "enabledForAccount": True,
        "enabledForSymbol": True,
        "discountAsset": "BNB",
        "discount": "0.25000000",
    }
    fees = exchange.fetch_trading_fees()
    assert {(s, f["maker"], f["taker"]) for s, f in fees.items()} == {
        ("BTC/USDT", 0.001, 0.001),
        ("ETH/USDT", 0.001, 0.001),
        ("BNB/USDT", 0.001, 0.001),
    }
    read_only = binance("binance-read-only")
    read_only.load_markets()
    at(venue, read_only, MOMENT)
    assert read_only.privateGetAccount()["canTrade"] is False
