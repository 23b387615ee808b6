"""What a report warns about before its figures: a timeframe the catalog does not suggest, costs
above a candle's typical move, a warm-up the market's history could not give in full; and the
warm-up stated. Expected numbers worked out by hand."""

import numpy as np
import pytest

from strategies.series import Candles
from strategies.services.backtest_results import buy_and_hold, typical_move
from tests.strategies.mine_helpers import copied, page, signed_in
from tests.strategies.test_page_edges import report

pytestmark = pytest.mark.django_db

TIMEFRAME_WARNING = "The catalog suggests this strategy on 1h, 4h, 1d; this backtest ran on 1m."


def candles_closing(closes: list[float]) -> Candles:
    times = 60_000 * np.arange(len(closes), dtype=np.int64)
    close = np.array(closes)
    return Candles("1m", times, close, close, close, close, np.ones(len(closes)))


def test_a_candles_typical_move_is_the_median_move_from_close_to_close():
    # By hand: 100 -> 101 is +1 %, 101 -> 99.99 is -1 %, 99.99 -> 99.99 is 0: median 1 %.
    assert typical_move(candles_closing([100.0, 101.0, 99.99, 99.99])) == pytest.approx(0.01)
    # One close has nothing to compare with.
    assert typical_move(candles_closing([100.0])) is None


def test_buy_and_hold_is_the_capital_bought_at_the_first_open_and_held():
    candles = candles_closing([100.0, 110.0, 90.0])  # opens are the closes here: 100 first
    # By hand: 1,000 at 100 buys 10 units, worth 1,100 at 110 and 900 at 90; the last point is
    # the report's buy-and-hold return (90 / 100 - 1 = -10 %) on the capital.
    held = buy_and_hold(candles, 1_000.0)

    assert held.tolist() == pytest.approx([1_000.0, 1_100.0, 900.0])


def test_a_one_minute_report_of_a_slower_strategy_with_costs_above_the_move_says_so():
    client, owner = signed_in("warned@example.com")
    # fee 0.1 % and 5 bp of slippage a leg: a round trip costs 2 x 0.15 % = 0.3 %, which is
    # 7.5 times a typical move of 0.04 %.
    backtest = report(
        owner,
        timeframe="1m",
        fee=0.001,
        slippage_bps=5,
        typical_move=0.0004,
        warmup_bars=10,
        warmup_wanted=1_200,
    )

    english = page(client.get(backtest.get_absolute_url()))
    french = page(client.get(backtest.get_absolute_url().replace("/en/", "/fr/", 1)))

    assert "Read this before the figures" in english
    assert TIMEFRAME_WARNING in english
    assert "typically moves 0.04 % (the median" in english
    assert "costs 0.3 % in fees and slippage, 7.5 times that" in english
    assert "The indicators need 1,200 candles before the period and only 10 exist" in english
    assert "10 candles fed the indicators only (the warm-up)" in english
    assert "Lis ceci avant les chiffres" in french
    assert "7,5 fois" in french
    assert "1\u202f200 bougies" in french or "1\u00a0200 bougies" in french


def test_a_report_on_a_suggested_timeframe_with_small_costs_and_a_full_warm_up_warns_of_nothing():
    client, owner = signed_in("calm@example.com")
    # A round trip costs 2 x (0.1 % + 0.05 %) = 0.3 %, below a typical move of 0.5 %.
    backtest = report(owner, fee=0.001, typical_move=0.005, warmup_bars=1_200, warmup_wanted=1_200)

    html = page(client.get(backtest.get_absolute_url()))

    assert "Read this before the figures" not in html
    assert "1,200 candles fed the indicators only (the warm-up)" in html


def test_a_copy_of_a_catalog_strategy_is_held_to_the_timeframes_of_its_original():
    client, owner = signed_in("copy@example.com")
    version = copied(owner, "ema-crossover").versions.get()

    backtest = report(owner, catalog_entry=None, strategy_version=version, timeframe="5m")
    html = page(client.get(backtest.get_absolute_url()))

    assert (
        "The catalog strategy this one was copied from is meant for 1h, 4h, 1d; this backtest "
        "ran on 5m." in html
    )
