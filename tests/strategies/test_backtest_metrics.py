"""Statistics on hand-worked equity curves and trades."""

import math

import numpy as np
import pytest

from strategies.engine import FillModel, backtest
from strategies.engine.fills.trades import Trade
from strategies.engine.metrics import (
    cagr,
    daily_returns,
    max_drawdown,
    sharpe,
    sortino,
    trade_extremes,
    trade_statistics,
)
from strategies.rules import parse
from tests.strategies.backtest_helpers import HOUR_MS, START_MS, bars, flat

DAY_MS = 86_400_000


def test_max_drawdown_and_its_duration():
    # peaks 100 120 120 120 130 130; falls 0, 0, 30/120 = 0.25, 25/120, 0, 30/130.
    # deepest 0.25 at bar 2; its peak was set at bar 1's close (bar 1 opens at +1 h, closes at
    # +2 h) and regained at bar 4's close (+5 h): 3 hours.
    candles = bars(*flat(6))
    equity = np.array([100.0, 120, 90, 95, 130, 100])

    depth, duration = max_drawdown(equity, candles, 100.0)

    assert depth == pytest.approx(0.25)
    assert duration == 3 * HOUR_MS


def test_a_drawdown_never_recovered_lasts_to_the_last_close():
    # The capital (100) is the peak, no close is at it: from the first open (0 h) to the last
    # close (3 h). With bar 0 closing at 100, the fall starts from that close (1 h): 2 h.
    from_capital = max_drawdown(np.array([80.0, 90, 95]), bars(*flat(3)), 100.0)
    from_bar_0 = max_drawdown(np.array([100.0, 80, 90]), bars(*flat(3)), 100.0)

    assert from_capital == (pytest.approx(0.2), 3 * HOUR_MS)
    assert from_bar_0 == (pytest.approx(0.2), 2 * HOUR_MS)


def test_sharpe_and_sortino_on_daily_returns():
    # 30 days alternating +1 % and -0.5 %: mean 0.0025.
    # sample sd: every deviation is 0.0075, sum of squares 30 x 5.625e-5 = 1.6875e-3, / 29
    #   = 5.818966e-5, sd = 0.00762821; sqrt(365) = 19.104973;
    #   sharpe = 0.0025 / 0.00762821 x 19.104973 = 0.327730 x 19.104973 = 6.26129
    # downside: sqrt(15 x 0.005^2 / 30) = 0.00353553; sortino = 0.0025 / 0.00353553 x 19.104973
    #   = 0.707107 x 19.104973 = 13.50926
    returns = np.array([0.01, -0.005] * 15)

    assert sharpe(returns) == pytest.approx(6.26129, rel=1e-5)
    assert sortino(returns) == pytest.approx(13.50926, rel=1e-5)


def test_sharpe_and_sortino_need_thirty_days():
    assert sharpe(np.array([0.01, -0.005] * 14 + [0.01])) is None
    assert sortino(np.array([0.01] * 40)) is None  # no losing day: no downside to divide by


def test_daily_returns_take_each_utc_days_last_close():
    # hourly bars over two days: day 1 ends at 110, day 2 at 99; capital 100.
    # returns: 110 / 100 - 1 = 0.1, 99 / 110 - 1 = -0.1
    times = START_MS + HOUR_MS * np.arange(48, dtype=np.int64)
    equity = np.r_[np.full(23, 105.0), 110.0, np.full(23, 120.0), 99.0]

    assert daily_returns(equity, times, 100.0) == pytest.approx([0.1, -0.1])


def test_cagr_uses_years_of_365_25_days():
    # doubled over 730.5 days = 2 years: 2 ** (1 / 2) - 1 = 0.4142136
    assert cagr(200.0, 100.0, int(730.5 * DAY_MS)) == pytest.approx(0.4142136, rel=1e-6)
    assert cagr(0.0, 100.0, DAY_MS) == -1.0


def closed(pnl: float, hours: int) -> Trade:
    return Trade("long", 0, 0, 1.0, 1.0, pnl, 0.0, 0.0, hours, hours * HOUR_MS, 1.0, "signal")


def test_trade_statistics():
    # pnl 10, -5, 20, -5: 2 winners of 4; gross profit 30 / gross loss 10 = 3; mean 5.
    # held 1, 2, 3, 6 hours: mean 3 h.
    trades = [closed(10, 1), closed(-5, 2), closed(20, 3), closed(-5, 6)]

    stats = trade_statistics(trades)

    assert stats == {
        "win_rate": 0.5,
        "profit_factor": 3.0,
        "expectancy": 5.0,
        "trades": 4,
        "average_holding_ms": 3 * HOUR_MS,
    }
    assert trade_statistics([])["win_rate"] is None
    assert trade_statistics([closed(1, 1)])["profit_factor"] is None  # no loss to divide by


def bought(pnl: float, cost: float) -> Trade:
    """A closed long trade that cost `cost` (price 100 x size) and made `pnl`."""
    return Trade("long", 0, 0, 100.0, cost / 100, pnl, 0.0, 0.0, 1, HOUR_MS, 100.0, "signal")


def test_the_trades_extremes_streaks_and_sqn():
    # pnl 30, 10, -20, 40, 0, -10, -15, in the order they closed; each trade cost 1000 but the
    # fourth (cost 200). By hand:
    #   winners 30, 10, 40: mean 80/3, largest 40; losers -20, -10, -15: mean -15, largest -20.
    #   returns 3 %, 1 %, -2 %, 20 % (40 / 200), 0, -1 %, -1.5 %: best 20 %, worst -2 %.
    #   streaks: win-win, then a single win (the 0 ends it); lose, then lose-lose: 2 and 2.
    #   SQN: mean 35/7 = 5; squared deviations 625, 25, 625, 1225, 25, 225, 400 = 3150;
    #   sample variance 3150 / 6 = 525; sqrt(7) x 5 / sqrt(525) = 0.57735 (= 1/sqrt(3)).
    trades = [bought(30, 1000), bought(10, 1000), bought(-20, 1000), bought(40, 200)]
    trades += [bought(0, 1000), bought(-10, 1000), bought(-15, 1000)]

    found = trade_extremes(trades)

    assert found == pytest.approx(
        {
            "average_win": 80 / 3,
            "average_loss": -15.0,
            "largest_win": 40.0,
            "largest_loss": -20.0,
            "best_trade": 0.2,
            "worst_trade": -0.02,
            "longest_win_streak": 2,
            "longest_loss_streak": 2,
            "sqn": 1 / math.sqrt(3),
        }
    )


def test_extremes_without_the_trades_they_need_are_none():
    assert trade_extremes([]) == dict.fromkeys(trade_extremes([]), None)
    only_wins = trade_extremes([bought(5, 1000), bought(5, 1000)])
    assert only_wins["average_loss"] is None
    assert only_wins["largest_loss"] is None
    assert only_wins["longest_loss_streak"] == 0
    assert only_wins["sqn"] is None  # no spread
    assert only_wins["longest_win_streak"] == 2
    # The same profit three times: no spread, though np.std of [0.1] * 3 is 1.7e-17, not 0.
    assert trade_extremes([bought(0.1, 1000)] * 3)["sqn"] is None


def test_a_backtest_reports_exposure_buy_and_hold_and_leaves_open_trades_out():
    # close crosses above 100 at bar 1 -> bought at bar 2's open (100, 10 units), held to the
    # end: exposure 3 of 5 closes; buy and hold 120 / 100 - 1 = 0.2; total return: 10 units
    # marked at 120 = 1200 -> 0.2; no closed trade.
    document = parse(
        "name: t\nentry: {lhs: {bar: close}, op: crosses_up, rhs: {value: 100}}\n"
        "risk: {stop_loss_pct: 0.5}\n"
    )
    candles = bars(
        (100, 101, 98, 99),
        (99, 102, 98, 101),
        (100, 103, 99, 102),
        (102, 111, 101, 110),
        (110, 121, 109, 120),
    )
    result = backtest(document, candles, capital=1000.0, model=FillModel(fee=0, max_volume_share=0))

    stats = result.stats
    assert (stats.exposure, stats.trades, len(result.open_trades)) == (0.6, 0, 1)
    assert stats.buy_and_hold_return == pytest.approx(0.2)
    assert stats.total_return == pytest.approx(0.2)
    assert stats.win_rate is None
    assert stats.sharpe is None
    assert math.isclose(stats.final_equity, 1200)
    assert stats.net_profit == pytest.approx(200)  # the open position marked at 120
    assert stats.calmar is None  # five hours: no annual rate
    assert stats.best_trade is None  # open trades are left out of every trade statistic
