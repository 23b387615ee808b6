"""The fill model's point 9: funding on perpetual markets, worked out by hand."""

import numpy as np
import pytest

from strategies.engine import Market
from tests.strategies.backtest_helpers import bars, run, signals

# Opens 100, 100, 110, 120, 120 (closes 100, 105, 115, 120, 120).
CANDLES = bars(
    (100, 101, 99, 100),
    (100, 101, 99, 105),
    (110, 111, 109, 115),
    (120, 121, 119, 120),
    (120, 121, 119, 120),
)
# The rates due during each bar. Bar 1's is charged on what was held at bar 0's close
# (nothing: the entry fills at bar 1's open); bar 4's on bar 3's close (nothing: the exit
# filled at bar 3's open).
RATES = np.array([0.0, 0.005, 0.001, 0.002, 0.003])


def test_a_long_pays_a_positive_rate_on_its_notional_at_each_open():
    # Long 10 from bar 1's open (1000 / 100), closed at bar 3's open (120).
    # Bar 2: 10 x 110 x 0.001 = 1.1 paid; bar 3: 10 x 120 x 0.002 = 2.4 paid.
    fills = run(CANDLES, signals(5, enter=[0], exit_=[2]), funding=RATES)
    (trade,) = fills.trades
    assert trade.funding == pytest.approx(-3.5)
    assert trade.pnl == pytest.approx(10 * (120 - 100) - 3.5)
    assert fills.funding == pytest.approx(-3.5)
    # Equity at each close: 1000; 10 x 105; 10 x 115 - 1.1; 1200 - 3.5; the same.
    assert fills.equity == pytest.approx([1000, 1050, 1148.9, 1196.5, 1196.5])


def test_a_short_receives_a_positive_rate():
    fills = run(
        CANDLES,
        signals(5, enter_short=[0], exit_short=[2]),
        funding=RATES,
        market=Market(allows_shorts=True),
    )
    (trade,) = fills.trades
    assert trade.funding == pytest.approx(3.5)
    assert trade.pnl == pytest.approx(-10 * (120 - 100) + 3.5)
    assert fills.equity[-1] == pytest.approx(1000 - 200 + 3.5)


def test_a_negative_rate_pays_the_long():
    fills = run(CANDLES, signals(5, enter=[0], exit_=[2]), funding=-RATES)
    assert fills.trades[0].funding == pytest.approx(3.5)


def test_the_next_entry_is_sized_from_the_cash_the_funding_left():
    # The second entry, decided at bar 3's close, fills at bar 4's open (120) with
    # 1200 - 3.5 = 1196.5 of cash: 1196.5 / 120 units.
    fills = run(CANDLES, signals(5, enter=[0, 3], exit_=[2]), funding=RATES)
    entries = [order for order in fills.orders if order.leg == "entry"]
    assert entries[1].amount == pytest.approx(1196.5 / 120)


def test_an_open_position_is_charged_through_the_last_bar():
    # Long from bar 1, never closed: bars 2, 3 and 4 charge 1.1 + 2.4 + 10 x 120 x 0.003.
    fills = run(CANDLES, signals(5, enter=[0]), funding=RATES)
    (open_trade,) = fills.open_trades
    assert open_trade.funding == pytest.approx(-(1.1 + 2.4 + 3.6))
    assert fills.equity[-1] == pytest.approx(1200 - 7.1)


def test_without_rates_nothing_is_charged_and_a_wrong_length_is_refused():
    fills = run(CANDLES, signals(5, enter=[0], exit_=[2]))
    assert fills.trades[0].funding == 0.0
    assert fills.trades[0].pnl == pytest.approx(200)
    with pytest.raises(ValueError, match="one funding rate sum per candle"):
        run(CANDLES, signals(5, enter=[0]), funding=RATES[:3])
