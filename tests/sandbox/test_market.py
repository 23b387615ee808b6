"""The synthetic market: deterministic, consistent between candles, ticker and trades, and
resting orders filling when the market crosses them."""

import itertools

import pytest

from exchanges.sandbox.market import Market

NOW = 1_800_000_123.5


def test_last_candle_close_equals_ticker_last(venue, spot, futures):
    venue.freeze_time(NOW)
    exchange = spot()
    for symbol in ("BTC/USD", "ETH/USD", "BTC/EUR"):
        last = exchange.fetch_ticker(symbol)["last"]
        for timeframe in ("1m", "15m", "1h", "1d"):
            assert exchange.fetch_ohlcv(symbol, timeframe)[-1][4] == last, (symbol, timeframe)
        assert exchange.fetch_trades(symbol, limit=5)[-1]["price"] == last
    perpetual = futures()
    last = perpetual.fetch_ticker("BTC/USD:USD")["last"]
    # without since/limit: ccxt's from/to come from the real clock, not the venue's frozen one
    assert perpetual.fetch_ohlcv("BTC/USD:USD", "1m")[-1][4] == last
    assert last == exchange.fetch_ticker("BTC/USD")["last"]  # the perpetual follows its underlying


def test_same_time_range_gives_identical_candles(venue, spot):
    venue.freeze_time(NOW)
    exchange = spot()
    since = (int(NOW) // 300 * 300 - 3 * 3600) * 1000
    first = exchange.fetch_ohlcv("BTC/USD", "5m", since=since, limit=24)
    second = exchange.fetch_ohlcv("BTC/USD", "5m", since=since, limit=24)
    assert first == second
    assert len(first) == 24
    assert first[0][0] == since
    assert Market().candles("XXBTZUSD", 5, NOW, None, 10) == Market().candles(
        "XXBTZUSD", 5, NOW, None, 10
    )
    assert Market("other").candles("XXBTZUSD", 5, NOW, None, 10) != Market().candles(
        "XXBTZUSD", 5, NOW, None, 10
    )


def test_candles_aggregate_the_trades():
    market = Market()
    minute = int(NOW // 60) - 10
    trades = market.minute_trades("XETHZUSD", minute)
    candle = market.candle("XETHZUSD", 1, minute, NOW)
    assert candle.open == trades[0].price
    assert candle.close == trades[-1].price
    assert candle.high == max(t.price for t in trades)
    assert candle.low == min(t.price for t in trades)
    assert candle.volume == sum(t.volume for t in trades)
    assert candle.trade_count == len(trades)
    five = market.candle("XETHZUSD", 5, minute // 5 * 5, NOW)
    ones = [
        market.candle("XETHZUSD", 1, m, NOW) for m in range(minute // 5 * 5, minute // 5 * 5 + 5)
    ]
    assert five.open == ones[0].open
    assert five.close == ones[-1].close
    assert five.volume == sum(c.volume for c in ones)


def test_prices_are_realistic_over_a_month():
    market = Market()
    closes = [c.close for c in market.candles("XXBTZUSD", 1440, NOW, None, 30)]
    assert all(30000 < close < 130000 for close in closes)
    moves = [abs(b / a - 1) for a, b in itertools.pairwise(closes)]
    assert 0.002 < sum(moves) / len(moves) < 0.1  # a few percent a day, like bitcoin


def test_a_resting_limit_order_fills_when_the_market_crosses_it(venue, spot):
    venue.freeze_time(NOW)
    exchange = spot()
    last = exchange.fetch_ticker("BTC/USD")["last"]
    order = exchange.create_order("BTC/USD", "limit", "buy", 0.01, round(last * 0.9995, 1))
    assert exchange.fetch_order(order["id"])["status"] == "open"
    moment = NOW
    while exchange.fetch_order(order["id"])["status"] == "open":
        moment += 600
        assert moment < NOW + 7 * 86400, "the market never came down 0.05%"
        venue.freeze_time(moment)
    filled = exchange.fetch_order(order["id"])
    assert filled["average"] == pytest.approx(round(last * 0.9995, 1))
    (trade,) = exchange.fetch_my_trades()
    assert trade["takerOrMaker"] == "maker"
    assert exchange.fetch_balance()["total"]["BTC"] == pytest.approx(2.01)


def test_like_kraken_only_the_latest_720_candles_exist(venue, spot):
    venue.freeze_time(NOW)
    exchange = spot()
    month_ago = (int(NOW) - 30 * 86400) * 1000

    candles = exchange.fetch_ohlcv("BTC/USD", "1m", since=month_ago)

    current = int(NOW) // 60 * 60 * 1000
    assert len(candles) == 720
    assert candles[0][0] == current - 719 * 60_000  # not a month ago: 12 hours at most
    assert candles[-1][0] == current
