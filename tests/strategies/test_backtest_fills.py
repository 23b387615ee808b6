"""The fill model on hand-checked series: every expected number is worked out in a comment."""

import inspect

import pytest

import strategies.engine.fills as fills_package
from strategies.engine import STATEMENT, FillModel, Market
from strategies.engine.fills.model import TIE_TARGET_FIRST
from strategies.i18n import override
from strategies.rules.model import FixedQuote, Risk
from tests.strategies.backtest_helpers import HOUR_MS, START_MS, bars, flat, run, signals

# Bar 0 decides, bar 1 opens at 100: the entry every stop test starts from.
ENTRY_AT_100 = [(100, 101, 99, 100), (100, 101, 99, 100)]


def test_a_decision_at_a_close_fills_at_the_next_open():
    # Enter at bar 0's close -> buy at bar 1's open (11): 1000 / 11 units.
    # Exit at bar 2's close -> sell at bar 3's open (13): pnl = 1000 / 11 x (13 - 11) = 181.818...
    candles = bars((10, 11, 9, 10), (11, 12, 10, 12), (12, 14, 11, 13), (13, 14, 12, 13))
    result = run(candles, signals(4, enter=[0], exit_=[2]))

    [trade] = result.trades
    assert (trade.entry_bar, trade.exit_bar, trade.exit_reason) == (1, 3, "signal")
    assert (trade.entry_time, trade.exit_time) == (START_MS + HOUR_MS, START_MS + 3 * HOUR_MS)
    assert (trade.entry_price, trade.exit_price) == (11, 13)
    assert trade.pnl == pytest.approx(2000 / 11)
    assert result.equity[-1] == pytest.approx(1000 + 2000 / 11)


def test_an_order_decided_at_the_last_close_never_fills():
    result = run(bars(*flat(3)), signals(3, enter=[2]))

    assert result.trades == []
    assert result.open_trades == []
    assert list(result.equity) == [1000, 1000, 1000]


def test_the_fee_is_paid_on_both_legs():
    # fee 1 %: amount = 1000 / (100 x 1.01) = 9.900990099; entry fee = 0.01 x 990.0990099
    # = 9.900990099, so cash = 1000 - 990.0990099 - 9.900990099 = 0.
    # exit at 110: proceeds 1089.108911, fee 10.89108911.
    # pnl = 1089.108911 - 990.0990099 - 9.900990099 - 10.89108911 = 78.21782178
    candles = bars(*flat(2), (110, 111, 109, 110), (110, 111, 109, 110))
    model = FillModel(fee=0.01, max_volume_share=0)
    result = run(candles, signals(4, enter=[0], exit_=[1]), model=model)

    [trade] = result.trades
    assert trade.size == pytest.approx(9.900990099)
    assert trade.fees == pytest.approx(9.900990099 + 10.89108911)
    assert trade.pnl == pytest.approx(78.21782178)
    assert result.equity[-1] == pytest.approx(1078.21782178)
    assert result.fees == pytest.approx(20.79207921)


def test_slippage_moves_both_legs_against_the_trader():
    # 50 bps: buy at 100 x 1.005 = 100.5, sell at 110 x 0.995 = 109.45.
    # amount = 1000 / 100.5 = 9.950248756; pnl = 9.950248756 x 8.95 = 89.05472637
    # slippage paid = 9.950248756 x (0.5 + 0.55) = 10.44776119
    candles = bars(*flat(2), (110, 111, 109, 110), (110, 111, 109, 110))
    model = FillModel(fee=0, slippage_bps=50, max_volume_share=0)
    result = run(candles, signals(4, enter=[0], exit_=[1]), model=model)

    [trade] = result.trades
    assert (trade.entry_price, trade.exit_price) == pytest.approx((100.5, 109.45))
    assert trade.pnl == pytest.approx(89.05472637)
    assert result.slippage == pytest.approx(10.44776119)


def test_a_stop_inside_a_bar_fills_at_the_stop():
    # stop 10 % below 100 = 90; bar 2 opens 98 and reaches 85: sold at min(98, 90) = 90.
    # 10 units: pnl = 10 x (90 - 100) = -100
    candles = bars(*ENTRY_AT_100, (98, 99, 85, 88), (88, 89, 87, 88))
    result = run(candles, signals(4, enter=[0]), risk=Risk(stop_loss_pct=0.1))

    [trade] = result.trades
    assert (trade.exit_bar, trade.exit_price, trade.exit_reason) == (2, 90, "stop_loss")
    assert trade.pnl == pytest.approx(-100)


def test_a_gap_through_the_stop_fills_at_the_open():
    # bar 2 opens at 80, already below the 90 stop: sold at 80, pnl = 10 x -20 = -200
    candles = bars(*ENTRY_AT_100, (80, 82, 78, 81), (81, 82, 80, 81))
    result = run(candles, signals(4, enter=[0]), risk=Risk(stop_loss_pct=0.1))

    [trade] = result.trades
    assert (trade.exit_bar, trade.exit_price) == (2, 80)
    assert trade.pnl == pytest.approx(-200)


def test_a_stop_can_trigger_in_the_entry_bar():
    # bought at bar 1's open (100); bar 1 then falls to 89: the 90 stop fills in bar 1 itself.
    candles = bars((100, 101, 99, 100), (100, 101, 89, 92), (92, 93, 91, 92))
    result = run(candles, signals(3, enter=[0]), risk=Risk(stop_loss_pct=0.1))

    [trade] = result.trades
    assert trade.entry_bar == trade.exit_bar == 1
    assert trade.exit_price == 90


BOTH_IN_ONE_BAR = bars(*ENTRY_AT_100, (100, 115, 85, 100), (100, 101, 99, 100))
BOTH = Risk(stop_loss_pct=0.1, take_profit_pct=0.1)


def test_stop_and_target_in_one_bar_fill_the_stop_by_default():
    # stop 90 and target 110 both inside bar 2 (85..115), open 100 between them: stop first.
    [trade] = run(BOTH_IN_ONE_BAR, signals(4, enter=[0]), risk=BOTH).trades

    assert (trade.exit_bar, trade.exit_price, trade.exit_reason) == (2, 90, "stop_loss")


def test_stop_and_target_in_one_bar_fill_the_target_when_asked():
    model = FillModel(fee=0, max_volume_share=0, tie=TIE_TARGET_FIRST)
    [trade] = run(BOTH_IN_ONE_BAR, signals(4, enter=[0]), risk=BOTH, model=model).trades

    # 100 x 1.1 is 110.00000000000001 in binary floating point.
    assert (trade.exit_bar, trade.exit_reason) == (2, "take_profit")
    assert trade.exit_price == pytest.approx(110)


@pytest.mark.parametrize("tie", ["stop_first", "target_first"])
def test_an_open_beyond_the_target_fills_the_target_at_the_open_under_either_rule(tie):
    # bar 2 opens at 112, above the 110 target, then falls to 85: the open came first.
    candles = bars(*ENTRY_AT_100, (112, 115, 85, 100), (100, 101, 99, 100))
    model = FillModel(fee=0, max_volume_share=0, tie=tie)
    [trade] = run(candles, signals(4, enter=[0]), risk=BOTH, model=model).trades

    assert (trade.exit_price, trade.exit_reason) == (112, "take_profit")


def test_the_trailing_stop_checks_a_bar_against_the_previous_bars_only():
    # trailing 10 %, entry 100 at bar 1 (high 105).
    # bar 2 is checked against 0.9 x max(100, 105) = 94.5: low 101 holds. Had bar 2's own high
    #   (120) counted, the level would be 108 and bar 2's low (101) would have stopped it.
    # bar 3 is checked against 0.9 x 120 = 108: low 107 reaches it, open 118: sold at 108.
    candles = bars(
        (100, 101, 99, 100), (100, 105, 99, 104), (104, 120, 101, 118), (118, 119, 107, 108)
    )
    [trade] = run(candles, signals(4, enter=[0]), risk=Risk(trailing_stop_pct=0.1)).trades

    assert (trade.exit_bar, trade.exit_price, trade.exit_reason) == (3, 108, "trailing_stop")


def test_with_a_stop_loss_and_a_trailing_stop_the_higher_level_names_the_exit():
    # stop-loss 5 % -> 95; trailing 10 % -> 90 at entry, 0.9 x 105 = 94.5 after bar 1.
    # bar 2 low 94.8 <= 95 (stop-loss higher): stop_loss at 95.
    lower_trail = bars(*ENTRY_AT_100[:1], (100, 105, 99, 104), (100, 101, 94.8, 96), (96,) * 4)
    # after a bar with high 120 the trail is 108 > 95: a low of 107 exits as trailing_stop.
    higher_trail = bars(*ENTRY_AT_100[:1], (100, 120, 99, 118), (118, 119, 107, 110), (110,) * 4)
    risk = Risk(stop_loss_pct=0.05, trailing_stop_pct=0.1)

    [first] = run(lower_trail, signals(4, enter=[0]), risk=risk).trades
    [second] = run(higher_trail, signals(4, enter=[0]), risk=risk).trades

    assert (first.exit_price, first.exit_reason) == (95, "stop_loss")
    assert (second.exit_price, second.exit_reason) == (108, "trailing_stop")


def test_a_short_mirrors_the_long_rules():
    # short 10 units at 100 (stop 10 % above: 110); bar 2 reaches 112: bought back at 110.
    # pnl = 10 x (100 - 110) = -100
    candles = bars(*ENTRY_AT_100, (104, 112, 103, 105), (105, 106, 104, 105))
    sig = signals(4, enter_short=[0])
    market = Market(allows_shorts=True)
    [trade] = run(candles, sig, risk=Risk(stop_loss_pct=0.1), market=market).trades

    assert (trade.side, trade.exit_reason) == ("short", "stop_loss")
    assert trade.exit_price == pytest.approx(110)
    assert trade.pnl == pytest.approx(-100)


@pytest.mark.parametrize(("cooldown", "next_entry"), [(0, 4), (2, 6)])
def test_cooldown_counts_from_the_bar_the_exit_filled_in(cooldown, next_entry):
    # entries signalled at every close; the exit rule fires at bar 2's close -> sold at bar 3.
    # cooldown N: the first close that may decide again is bar 3 + N, filled one bar later.
    sig = signals(10, enter=range(10), exit_=[2])
    result = run(bars(*flat(10)), sig, risk=Risk(cooldown_bars=cooldown))

    assert [(t.entry_bar, t.exit_bar) for t in result.trades] == [(1, 3)]
    [still_open] = result.open_trades
    assert still_open.entry_bar == next_entry


def test_an_entry_and_an_exit_at_the_same_close_do_not_enter():
    result = run(bars(*flat(4)), signals(4, enter=[0, 1], exit_=[0]))

    assert result.open_trades[0].entry_bar == 2


def test_an_order_larger_than_the_volume_share_fills_over_the_following_bars():
    # 10 % of 50 = 5 units a bar. Wanted: 1000 / 100 = 10 units.
    # bar 1: 5 at 100 (cash 500); bar 2: 5 at 98 (cash 10); average entry 99.
    # exit at bar 4's open (110, volume 1000): 10 units at once.
    # pnl = 5 x (110 - 100) + 5 x (110 - 98) = 50 + 60 = 110
    candles = bars(
        *flat(2),
        (98, 99, 97, 98),
        (100, 101, 99, 100),
        (110, 111, 109, 110),
        volume=[1000, 50, 50, 1000, 1000],
    )
    model = FillModel(fee=0, max_volume_share=0.1)
    result = run(candles, signals(5, enter=[0], exit_=[3]), model=model)

    [trade] = result.trades
    assert (trade.entry_bar, trade.size, trade.entry_price) == (1, 10, 99)
    assert trade.pnl == pytest.approx(110)
    assert result.orders_partial == 1


def test_an_exit_larger_than_the_volume_share_completes_bars_later():
    # 10 units to sell, 10 % of 30 = 3 a bar: 3 + 3 + 3 + 1 at the opens of bars 3, 4, 5, 6
    # (all at 100), so the exit completes in bar 6 and the trade is stamped there.
    candles = bars(*flat(7), volume=[1e9, 1e9, 1e9, 30, 30, 30, 30])
    model = FillModel(fee=0, max_volume_share=0.1)
    result = run(candles, signals(7, enter=[0], exit_=[2]), model=model)

    [trade] = result.trades
    assert (trade.exit_bar, trade.size, trade.exit_price) == (6, 10, 100)
    assert result.orders_partial == 1


def test_a_volume_share_of_zero_turns_the_limit_off():
    candles = bars(*flat(4), volume=[1, 1, 1, 1])
    result = run(candles, signals(4, enter=[0], exit_=[1]), model=FillModel(max_volume_share=0))

    assert result.orders_partial == 0
    assert result.trades[0].exit_bar == 2


def test_amounts_are_rounded_down_to_the_step_and_orders_below_the_minimum_are_skipped():
    # 1000 / 30 = 33.33 units, step 1 -> 33 units.
    candles = bars(*flat(4, 30.0))
    stepped = run(candles, signals(4, enter=[0]), market=Market(amount_step=1))
    assert stepped.open_trades[0].size == 33
    # minimum 40 units: the order at bar 1 and the one decided at bar 2 are both skipped.
    skipped = run(candles, signals(4, enter=[0, 2]), market=Market(amount_step=1, min_amount=40))
    assert skipped.trades == []
    assert skipped.open_trades == []
    assert skipped.orders_below_minimum == 2
    # minimum cost 1500 with 1000 of cash: skipped as well.
    costly = run(candles, signals(4, enter=[0]), market=Market(min_cost=1500))
    assert costly.orders_below_minimum == 1


def test_fixed_quote_sizing_spends_the_amount_fee_included():
    # 300 quote with a 1 % fee at 100: 300 / (100 x 1.01) = 2.970297 units.
    model = FillModel(fee=0.01, max_volume_share=0)
    result = run(
        bars(*flat(3)),
        signals(3, enter=[0]),
        sizing=FixedQuote(kind="fixed_quote", amount=300),
        model=model,
    )

    assert result.open_trades[0].size == pytest.approx(2.970297)


def test_a_position_open_at_the_end_is_marked_at_the_last_close():
    # 10 units bought at 100; last close 120: equity 1200, the trade open with pnl 200.
    candles = bars(*flat(2), (100, 121, 99, 120))
    result = run(candles, signals(3, enter=[0]))

    assert result.trades == []
    [trade] = result.open_trades
    assert (trade.is_open, trade.mark_price, trade.size) == (True, 120, 10)
    assert trade.pnl == pytest.approx(200)
    assert list(result.equity) == [1000, 1000, 1200]
    assert list(result.held) == [0, 10, 10]


def test_the_statement_a_report_prints_is_the_documented_model():
    documented = " ".join(inspect.getdoc(fills_package).split())
    with override("en"):
        points = [" ".join(str(point).split()) for point in STATEMENT]

    assert len(points) == 12
    for number, point in enumerate(points, start=1):
        assert f"{number}. {point}" in documented


def test_an_entry_cancelled_for_cash_before_any_fill_is_no_trade_and_the_next_signal_counts():
    # Capital 150, whole units. Trade 1: enter at bar 1's open (100), leave at bar 3's (100).
    # The entry decided at bar 3 finds no volume at bar 4, and bar 5 opens at 160: 150 buys
    # no whole unit, so the order is cancelled with nothing filled. The entry decided at bar 6
    # fills at bar 7 (100) and leaves at bar 9 (110): pnl 10. (Before, the cancelled order was
    # held as if it were a position, watching trade 1's stop, and bar 6's signal was lost.)
    candles = bars(
        *flat(5),
        (160, 160, 160, 160),
        *flat(2),
        (110, 110, 110, 110),
        (110, 110, 110, 110),
        volume=[1e9, 1e9, 1e9, 1e9, 0, 1e9, 1e9, 1e9, 1e9, 1e9],
    )
    model = FillModel(fee=0, max_volume_share=0.1)
    result = run(
        candles,
        signals(10, enter=[0, 3, 6], exit_=[2, 8]),
        model=model,
        market=Market(amount_step=1),
        risk=Risk(stop_loss_pct=0.05),
        capital=150.0,
    )

    assert [(t.entry_bar, t.exit_bar, t.size, t.pnl) for t in result.trades] == [
        (1, 3, 1, 0),
        (7, 9, 1, 10),
    ]
    statuses = [(order.bar, order.leg, order.status) for order in result.orders]
    assert statuses[2] == (4, "entry", "cancelled")
