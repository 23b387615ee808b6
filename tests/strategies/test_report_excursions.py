"""Each closed trade's excursions: how far the price went against it (MAE) and for it (MFE)
while it was held, worked out by hand on hand-made candles; and the ledger showing them."""

import numpy as np
import pytest

from strategies.engine.fills import Trade
from strategies.series import Candles
from strategies.services.backtest_results import excursions
from tests.strategies.mine_helpers import page, signed_in
from tests.strategies.test_page_edges import report

pytestmark = pytest.mark.django_db

HOUR_MS = 3_600_000
#          bar:   0      1      2      3      4
OPEN = [100.0, 100.0, 101.0, 103.0, 102.0]
HIGH = [101.0, 104.0, 106.0, 104.0, 109.0]
LOW = [99.0, 97.0, 99.0, 101.0, 90.0]
CLOSE = [100.0, 101.0, 103.0, 102.0, 95.0]


def hand_candles() -> Candles:
    times = HOUR_MS * np.arange(len(OPEN), dtype=np.int64)
    open_, high, low, close = (np.array(column) for column in (OPEN, HIGH, LOW, CLOSE))
    return Candles("1h", times, open_, high, low, close, np.ones(len(OPEN)))


def trade(side: str, entry_bar: int, entry_price: float, exit_bar: int, exit_price: float):
    return Trade(
        side=side,
        entry_bar=entry_bar,
        entry_time=entry_bar * HOUR_MS,
        entry_price=entry_price,
        size=1.0,
        pnl=0.0,
        fees=0.0,
        slippage=0.0,
        exit_bar=exit_bar,
        exit_time=exit_bar * HOUR_MS,
        exit_price=exit_price,
        exit_reason="signal",
    )


def test_a_long_trade_reads_the_lows_and_highs_of_the_bars_it_was_held():
    # Entered at bar 1's open (100), out at bar 3's open (103): bars 1 and 2 held whole.
    # Lowest 97 (bar 1): 97 / 100 - 1 = -3 %; highest 106 (bar 2): +6 %. Bar 3's low (101)
    # and bar 4's (90) come after the exit and do not count.
    found = excursions(trade("long", 1, 100.0, 3, 103.0), hand_candles())

    assert found == {"mae": pytest.approx(-0.03), "mfe": pytest.approx(0.06)}


def test_a_short_trade_reads_them_the_other_way():
    # Short at bar 2's open (101), out at bar 4's open (102): bars 2 and 3 held. Against it the
    # highest, 106: -(106 / 101 - 1) = -4.9505 %; for it the lowest, 99: 1 - 99 / 101 = 1.9802 %.
    found = excursions(trade("short", 2, 101.0, 4, 102.0), hand_candles())

    assert found == {"mae": pytest.approx(-5 / 101), "mfe": pytest.approx(2 / 101)}


def test_a_stop_inside_the_entry_bar_goes_no_further_than_its_price():
    # In at bar 4's open (102), stopped inside that bar at 96.9: the bar's low (90) came after
    # the stop. Against it: 96.9 / 102 - 1 = -5 %; for it nothing beyond the entry: 0.
    found = excursions(trade("long", 4, 102.0, 4, 96.9), hand_candles())

    assert found == {"mae": pytest.approx(-0.05), "mfe": 0.0}


def test_the_ledger_shows_each_trades_excursions_and_hides_them_for_older_reports():
    client, owner = signed_in("ledger@example.com")
    with_them = {"side": "long", "entry_time": 0, "entry_price": 100.0, "size": 1.0}
    with_them |= {"pnl": 3.0, "fees": 0.0, "exit_time": HOUR_MS, "exit_price": 103.0}
    with_them |= {"exit_reason": "signal", "funding": 0.0, "mae": -0.03, "mfe": 0.0612}
    older = {key: value for key, value in with_them.items() if key not in ("mae", "mfe")}

    shown = page(client.get(report(owner, trades=[with_them]).get_absolute_url()))
    before = page(client.get(report(owner, trades=[older]).get_absolute_url()))

    assert ">MAE</abbr>" in shown
    assert "-3.00 %" in shown
    assert "6.12 %" in shown
    assert "MAE" not in before
