"""ccxt's unmodified `binanceusdm` class against the sandbox's Binance USDⓈ-M dialect.

Expected figures are worked out here from the market's own trades (market.py: a fill at the
last trade price), Binance's published rates (0.05 % taker) and funding rules (rate x size x
mark price, every 8 hours), never read back from the answer under test.
"""

from decimal import Decimal

import ccxt
import pytest

from exchanges.sandbox import Fault
from exchanges.sandbox.funding_book import relative_rate

BTC = "BTC/USDT:USDT"
TAKER = Decimal("0.0005")  # Binance USDⓈ-M's taker commission at the entry tier
T0 = 1_789_984_800  # 2026-09-21 10:00:00 UTC, six hours before the next settlement
SETTLEMENT = 1_789_977_600  # 2026-09-21 08:00:00 UTC


@pytest.fixture
def usdm(binanceusdm, venue):
    """ccxt's binanceusdm with the venue's clock, frozen or not: a signed request is refused
    (-1021) when its timestamp is off the server's time by more than recvWindow."""

    def make(label="binance-full", **config):
        exchange = binanceusdm(label, **config)
        exchange.milliseconds = lambda: int(venue.state.clock() * 1000)
        exchange.load_markets()
        return exchange

    return make


def price(venue, moment) -> Decimal:
    """The contract's last trade price at `moment`: what a market order fills at."""
    return venue.state.market.price("BTCUSDT", moment)


def test_markets_carry_binances_contract_rules(usdm):
    exchange = usdm()
    assert set(exchange.markets) == {BTC, "ETH/USDT:USDT"}
    btc, eth = exchange.markets[BTC], exchange.markets["ETH/USDT:USDT"]
    assert (btc["id"], btc["swap"], btc["linear"], btc["settle"]) == ("BTCUSDT", True, True, "USDT")
    assert (btc["precision"]["price"], btc["precision"]["amount"]) == (0.1, 0.001)
    assert (eth["precision"]["price"], eth["precision"]["amount"]) == (0.01, 0.001)
    assert (btc["limits"]["cost"]["min"], eth["limits"]["cost"]["min"]) == (100, 20)
    assert (btc["limits"]["amount"]["max"], btc["limits"]["market"]["max"]) == (1000, 120)


def test_market_data_follows_the_binance_pair(usdm, venue):
    venue.freeze_time(T0)
    exchange = usdm()
    assert exchange.fetch_ticker(BTC)["last"] == float(price(venue, T0))
    book = exchange.fetch_order_book(BTC, 5)
    assert len(book["bids"]) == len(book["asks"]) == 5
    assert book["bids"][0][0] < float(price(venue, T0)) < book["asks"][0][0]
    assert all(round(level[0] * 10) == level[0] * 10 for level in book["bids"])  # 0.10 tick
    intervals = exchange.fetch_funding_intervals([BTC])
    assert intervals[BTC]["interval"] == "8h"
    candles = exchange.fetch_ohlcv(BTC, "1m", limit=30)
    assert len(candles) == 30
    assert candles[-1][0] == (T0 // 60) * 60_000  # the current minute, still open
    assert candles[-1][4] == float(price(venue, T0))


def test_a_key_without_futures_enabled_is_refused(usdm):
    exchange = usdm("binance-spot-only")  # public market data still loads
    with pytest.raises(ccxt.AuthenticationError, match="-2015"):
        exchange.fetch_balance()
    assert usdm().fetch_balance()["total"] == {"USDT": 50000.0}


def test_a_long_closed_reduce_only_realises_its_profit_less_taker_commissions(usdm, venue):
    venue.freeze_time(T0)
    exchange = usdm()
    bought = exchange.create_order(BTC, "market", "buy", 0.01)
    venue.freeze_time(T0 + 600)
    sold = exchange.create_order(BTC, "market", "sell", 0.01, None, {"reduceOnly": True})

    p1, p2 = price(venue, T0), price(venue, T0 + 600)
    realised = (p2 - p1) * Decimal("0.01")
    commissions = [p * Decimal("0.01") * TAKER for p in (p1, p2)]
    assert (bought["status"], bought["average"], sold["average"]) == (
        "closed",
        float(p1),
        float(p2),
    )
    assert sold["reduceOnly"] is True
    trades = exchange.fetch_my_trades(BTC)
    assert [(t["order"], t["price"], t["takerOrMaker"]) for t in trades] == [
        (bought["id"], float(p1), "taker"),
        (sold["id"], float(p2), "taker"),
    ]
    assert [Decimal(t["info"]["commission"]) for t in trades] == commissions
    assert [t["fee"]["currency"] for t in trades] == ["USDT", "USDT"]
    fees = exchange.fetch_trading_fee(BTC)  # Binance USDⓈ-M's entry tier: 0.05 % / 0.02 %
    assert (fees["taker"], fees["maker"]) == (0.0005, 0.0002)
    assert [Decimal(t["info"]["realizedPnl"]) for t in trades] == [0, realised]
    assert exchange.fetch_positions() == []
    expected = Decimal(50000) + realised - sum(commissions)
    assert Decimal(str(exchange.fetch_balance()["total"]["USDT"])) == expected

    income = [
        (row["info"]["incomeType"], Decimal(row["info"]["income"]))
        for row in exchange.fetch_ledger()
    ]
    assert income == [
        ("COMMISSION", -commissions[0]),
        ("REALIZED_PNL", realised),
        ("COMMISSION", -commissions[1]),
    ]


def test_a_short_and_a_reduce_only_close_bigger_than_it(usdm, venue):
    venue.freeze_time(T0)
    exchange = usdm()
    exchange.create_order(BTC, "market", "sell", 0.02)
    (short,) = exchange.fetch_positions()
    assert (short["side"], short["contracts"], short["info"]["positionAmt"]) == (
        "short",
        0.02,
        "-0.020",
    )

    closing = exchange.create_order(BTC, "market", "buy", 0.05, None, {"reduceOnly": True})
    assert (closing["status"], closing["filled"], closing["amount"]) == ("closed", 0.02, 0.02)
    assert exchange.fetch_positions() == []
    with pytest.raises(ccxt.ExchangeError, match=r"-2022.*ReduceOnly Order is rejected\."):
        exchange.create_order(BTC, "market", "buy", 0.01, None, {"reduceOnly": True})
    assert exchange.fetch_positions() == []  # refused: no long opened


def test_orders_below_the_minimum_notional_are_refused_unless_reduce_only(usdm, venue):
    venue.freeze_time(T0)
    exchange = usdm()
    assert float(price(venue, T0)) * 0.001 < 100  # BTCUSDT's minimum notional: 100 USDT
    with pytest.raises(ccxt.ExchangeError, match=r"-4164.*no smaller than 100 \(unless you"):
        exchange.create_order(BTC, "market", "buy", 0.001)
    with pytest.raises(ccxt.ExchangeError, match=r"-4164.*no smaller than 20 "):
        exchange.create_order("ETH/USDT:USDT", "market", "buy", 0.001)
    exchange.create_order(BTC, "market", "buy", 0.01)
    small = exchange.create_order(BTC, "market", "sell", 0.001, None, {"reduceOnly": True})
    assert small["filled"] == 0.001
    with pytest.raises(ccxt.ExchangeError, match="-2019"):  # 10 % of 20 BTC > 50,000 USDT
        exchange.create_order(BTC, "market", "buy", 20)


def test_position_risk_values_the_position_at_the_mark_price(usdm, venue):
    venue.freeze_time(T0)
    exchange = usdm()
    exchange.create_order(BTC, "market", "buy", 0.03)
    venue.freeze_time(T0 + 300)
    (position,) = exchange.fetch_positions()
    entry, mark = price(venue, T0), price(venue, T0 + 300)
    info = position["info"]
    assert (info["symbol"], info["positionSide"], info["positionAmt"]) == (
        "BTCUSDT",
        "BOTH",
        "0.030",
    )
    assert Decimal(info["entryPrice"]) == entry
    assert Decimal(info["markPrice"]) == mark
    assert Decimal(info["unRealizedProfit"]) == (mark - entry) * Decimal("0.03")
    assert Decimal(info["notional"]) == mark * Decimal("0.03")
    assert Decimal(info["initialMargin"]) == mark * Decimal("0.03") / 10  # 10x
    assert (position["side"], position["contracts"], position["hedged"]) == ("long", 0.03, False)
    wallet = Decimal(50000) - entry * Decimal("0.03") * TAKER
    balance = exchange.fetch_balance()
    assert Decimal(str(balance["total"]["USDT"])) == wallet + (mark - entry) * Decimal("0.03")
    assert Decimal(str(balance["used"]["USDT"])) == mark * Decimal("0.03") / 10


def _first_reaching(venue, since, until, below, above):
    """The first trade in (since, until] at or below `below` or at or above `above`."""
    trades = venue.state.market.trades_between("BTCUSDT", since, until)
    return next(t for t in trades if t.price <= below or t.price >= above)


def test_stop_and_take_profit_rest_as_algo_orders_then_one_triggers(usdm, venue):
    venue.freeze_time(T0)
    exchange = usdm()
    exchange.create_order(BTC, "market", "buy", 0.01)
    last = price(venue, T0)
    hour = venue.state.market.trades_between("BTCUSDT", T0, T0 + 3600)
    low, high = min(t.price for t in hour), max(t.price for t in hour)
    stop = ((low + last) / 2).quantize(Decimal("0.1"))
    target = ((high + last) / 2).quantize(Decimal("0.1"))
    first = _first_reaching(venue, T0, T0 + 3600, stop, target)

    with pytest.raises(ccxt.ExchangeError, match="-2021"):  # a sell stop above the price
        exchange.create_order(BTC, "market", "sell", 0.01, None, {"stopLossPrice": float(high + 1)})
    sl = exchange.create_order(
        BTC, "market", "sell", 0.01, None, {"stopLossPrice": float(stop), "reduceOnly": True}
    )
    tp = exchange.create_order(
        BTC, "market", "sell", 0.01, None, {"takeProfitPrice": float(target), "reduceOnly": True}
    )
    resting = exchange.fetch_open_orders(BTC, params={"trigger": True})
    assert [(o["id"], o["info"]["orderType"], o["triggerPrice"]) for o in resting] == [
        (sl["id"], "STOP_MARKET", float(stop)),
        (tp["id"], "TAKE_PROFIT_MARKET", float(target)),
    ]
    assert exchange.fetch_open_orders(BTC) == []  # not in the book until they trigger

    venue.freeze_time(first.time)
    fired, other = (sl, tp) if first.price <= stop else (tp, sl)
    done = exchange.fetch_order(fired["id"], BTC, {"trigger": True})
    assert (done["status"], done["info"]["algoStatus"]) == ("closed", "FINISHED")
    actual = exchange.fetch_order(done["info"]["actualOrderId"], BTC)
    assert (actual["status"], actual["average"], actual["filled"]) == (
        "closed",
        float(first.price),
        0.01,
    )
    assert actual["info"]["origType"] == done["info"]["orderType"]
    assert exchange.fetch_positions() == []

    cancelled = exchange.cancel_order(other["id"], BTC, {"trigger": True})
    assert cancelled["id"] == other["id"]
    assert exchange.fetch_order(other["id"], BTC, {"trigger": True})["status"] == "canceled"
    assert exchange.fetch_open_orders(BTC, params={"trigger": True}) == []
    with pytest.raises(ccxt.OrderNotFound):
        exchange.cancel_order(other["id"], BTC, {"trigger": True})


def test_hedge_mode_holds_both_sides_and_cannot_switch_while_it_does(usdm, venue):
    venue.freeze_time(T0)
    exchange = usdm("binance-hedge")
    assert exchange.fetch_position_mode(BTC)["hedged"] is True
    with pytest.raises(ccxt.OperationRejected, match="-4061"):  # no positionSide
        exchange.create_order(BTC, "market", "buy", 0.01)
    exchange.create_order(BTC, "market", "buy", 0.01, None, {"hedged": True})  # LONG
    exchange.create_order(BTC, "market", "sell", 0.02, None, {"hedged": True})  # SHORT
    sides = {(p["side"], p["contracts"], p["hedged"]) for p in exchange.fetch_positions()}
    assert sides == {("long", 0.01, True), ("short", 0.02, True)}
    with pytest.raises(ccxt.OperationRejected, match="-4068"):
        exchange.set_position_mode(False)

    # Closing: ccxt sends the side it closes (SELL LONG, BUY SHORT), no reduceOnly.
    exchange.create_order(BTC, "market", "sell", 0.01, None, {"hedged": True, "reduceOnly": True})
    exchange.create_order(BTC, "market", "buy", 0.02, None, {"hedged": True, "reduceOnly": True})
    assert exchange.fetch_positions() == []
    resting = exchange.create_order(BTC, "limit", "buy", 0.01, 60000, {"hedged": True})
    with pytest.raises(ccxt.OperationRejected, match="-4067"):
        exchange.set_position_mode(False)
    exchange.cancel_order(resting["id"], BTC)
    exchange.set_position_mode(False)
    assert exchange.fetch_position_mode(BTC)["hedged"] is False
    with pytest.raises(ccxt.OperationRejected, match="-4059"):
        exchange.set_position_mode(False)


def test_a_position_held_over_0800_utc_pays_that_settlements_funding(usdm, venue):
    venue.freeze_time(SETTLEMENT - 600)
    exchange = usdm()
    bought = exchange.create_order(BTC, "market", "buy", 0.01)
    upcoming = exchange.fetch_funding_rate(BTC)
    venue.freeze_time(SETTLEMENT + 600)
    sold = exchange.create_order(BTC, "market", "sell", 0.01, None, {"reduceOnly": True})

    # 8 hours' worth of the settlement hour's rate, to Binance's 8 decimals.
    hourly = Decimal(str(relative_rate("BTCUSDT", SETTLEMENT // 3600)))
    rate = (hourly * 8).quantize(Decimal("1e-8"))
    mark = price(venue, SETTLEMENT)
    paid = -(Decimal("0.01") * mark * rate).quantize(Decimal("1e-8"))
    assert (upcoming["fundingTimestamp"], upcoming["fundingRate"]) == (
        SETTLEMENT * 1000,
        float(rate),
    )
    (published,) = exchange.fetch_funding_rate_history(BTC, SETTLEMENT * 1000, 1)
    assert (published["timestamp"], published["fundingRate"]) == (SETTLEMENT * 1000, float(rate))
    assert Decimal(published["info"]["markPrice"]) == mark
    (booked,) = exchange.fetch_funding_history(BTC, (SETTLEMENT - 3600) * 1000)
    assert (booked["timestamp"], Decimal(booked["info"]["income"])) == (SETTLEMENT * 1000, paid)

    p1, p2 = Decimal(str(bought["average"])), Decimal(str(sold["average"]))
    assert (p1, p2) == (price(venue, SETTLEMENT - 600), price(venue, SETTLEMENT + 600))
    expected = 50000 + (p2 - p1) * Decimal("0.01") - (p1 + p2) * Decimal("0.01") * TAKER + paid
    assert Decimal(str(exchange.fetch_balance()["total"]["USDT"])) == expected


def test_a_lost_answer_leaves_the_order_placed_and_findable_by_client_id(usdm, venue):
    venue.freeze_time(T0)
    exchange = usdm()
    venue.inject(Fault("lost_answer", venue="binanceusdm", endpoint="/fapi/v1/order"))
    with pytest.raises(ccxt.NetworkError):
        exchange.create_order(BTC, "market", "buy", 0.01, None, {"clientOrderId": "run-7-bar-3"})
    found = exchange.fetch_order("", BTC, {"clientOrderId": "run-7-bar-3"})
    assert (found["clientOrderId"], found["status"], found["filled"]) == (
        "run-7-bar-3",
        "closed",
        0.01,
    )
    (position,) = exchange.fetch_positions()
    assert position["contracts"] == 0.01  # placed once


def test_an_order_ended_without_a_fill_is_not_found_three_days_later(usdm, venue):
    venue.freeze_time(T0)
    exchange = usdm()
    resting = exchange.create_order(BTC, "limit", "buy", 0.01, 60000)
    exchange.cancel_order(resting["id"], BTC)
    filled = exchange.create_order(BTC, "market", "buy", 0.01)

    venue.freeze_time(T0 + 3 * 86400 - 60)
    assert exchange.fetch_order(resting["id"], BTC)["status"] == "canceled"
    assert {o["id"] for o in exchange.fetch_orders(BTC)} == {resting["id"], filled["id"]}
    venue.freeze_time(T0 + 3 * 86400 + 60)  # created + 3 days < now, CANCELED, no fill
    with pytest.raises(ccxt.OrderNotFound):
        exchange.fetch_order(resting["id"], BTC)
    assert [o["id"] for o in exchange.fetch_orders(BTC)] == [filled["id"]]
    assert exchange.fetch_order(filled["id"], BTC)["status"] == "closed"
    venue.freeze_time(T0 + 90 * 86400 + 60)  # created + 90 days < now: any order
    with pytest.raises(ccxt.OrderNotFound):
        exchange.fetch_order(filled["id"], BTC)


def test_unknown_orders(usdm):
    exchange = usdm()
    with pytest.raises(ccxt.OrderNotFound, match="-2013"):
        exchange.fetch_order("4000999999", BTC)
    with pytest.raises(ccxt.OrderNotFound, match="-2011"):
        exchange.cancel_order("4000999999", BTC)
