"""Scale-in (DCA) on hand-made bars, every number worked out here (the fill model's point 11):
a safety order filled inside a bar, a gap through two of them, the target and the stop moved
by the average entry, a short's ladder, the volume limit, the market's minimum."""

import pytest

from strategies.engine import FillModel, Market
from strategies.engine.enums import Kind, Leg, Status
from strategies.i18n import override
from strategies.rules import DocumentError, dump, parse, sentences
from strategies.rules.ladder import SafetyOrders
from strategies.rules.model import EquityFraction, FixedQuote, Risk
from tests.strategies.backtest_helpers import bars, run, signals

QUARTER = EquityFraction(fraction=0.25)  # a base order of 250 from 1000
# Rungs 2 % and 4 % away, costing 250 and 500: the worst case is the whole 1000.
TWO_RUNGS = SafetyOrders(count=2, deviation_pct=0.02, volume_scale=2.0)


def safety_orders(result):
    return [order for order in result.orders if order.leg == Leg.SAFETY]


def test_a_safety_order_filled_inside_a_bar_moves_the_target_to_the_new_average():
    # Bar 1 buys 2.5 at 100; the rungs rest at 98 (250 / 98 units) and 96 (500 / 96).
    # Bar 2's low reaches 98: the position holds 2.5 + 2.5510... for 500, an average of
    # 98.9899 and a target of 1.03 x that = 101.9596, which bar 3's high (102.5) reaches;
    # the first fill's target (103) it does not. Sold at the target: 500 x 1.03 - 500 = 15.
    candles = bars(
        (100, 101, 99, 100),
        (100, 100.5, 99, 99.5),
        (99.5, 100, 97.5, 98.5),
        (98.5, 102.5, 98.2, 102),
        (102, 102, 102, 102),
    )
    result = run(
        candles,
        signals(5, enter=[0]),
        risk=Risk(take_profit_pct=0.03),
        sizing=QUARTER,
        ladder=TWO_RUNGS,
    )

    [trade] = result.trades
    average = 500 / (2.5 + 250 / 98)
    assert trade.entry_price == pytest.approx(average)
    assert trade.size == pytest.approx(2.5 + 250 / 98)
    assert (trade.exit_bar, trade.exit_reason) == (3, "take_profit")
    assert trade.exit_price == pytest.approx(average * 1.03)
    assert trade.pnl == pytest.approx(15)
    first, second = safety_orders(result)
    assert (first.kind, first.trigger, first.amount, first.status) == (
        Kind.LIMIT,
        pytest.approx(98),
        pytest.approx(250 / 98),
        Status.FILLED,
    )
    assert [(fill.bar, fill.price) for fill in first.fills] == [(2, pytest.approx(98))]
    assert (second.trigger, second.amount, second.status) == (
        pytest.approx(96),
        pytest.approx(500 / 96),
        Status.CANCELLED,
    )
    assert second.fills == []


def test_a_gap_through_two_safety_orders_fills_both_at_the_open():
    # Bar 2 opens at 95, below both rungs (98, 96): both fill at 95. The exit rule at bar 3's
    # close sells everything at bar 4's open (100).
    candles = bars(
        (100, 101, 99, 100),
        (100, 100.5, 99.5, 100),
        (95, 95.5, 94.5, 95),
        (95, 99, 95, 99),
        (100, 100, 100, 100),
    )
    result = run(candles, signals(5, enter=[0], exit_=[3]), sizing=QUARTER, ladder=TWO_RUNGS)

    [trade] = result.trades
    added = 250 / 98 + 500 / 96
    assert trade.size == pytest.approx(2.5 + added)
    assert trade.entry_price == pytest.approx((250 + 95 * added) / (2.5 + added))
    assert trade.pnl == pytest.approx((2.5 + added) * 100 - (250 + 95 * added))
    assert [[(f.bar, f.price) for f in o.fills] for o in safety_orders(result)] == [
        [(2, 95)],
        [(2, 95)],
    ]


def test_the_stop_from_the_average_comes_before_a_safety_order_beyond_it():
    # Stop 3 %. Rungs at 98 and 95 (gaps 2 % then 3 %), 250 each. Bar 2 falls to 94: the rung
    # at 98 fills first (the stop, 97, is below it); the average is then 98.9899 and the stop
    # 0.97 x that = 96.0202, met before the rung at 95, which never fills. 500 x 0.97 - 500.
    ladder = SafetyOrders(count=2, deviation_pct=0.02, step_scale=1.5)
    candles = bars((100, 101, 99, 100), (100, 100.5, 99.5, 100), (99, 99.5, 94, 94.5))
    result = run(
        candles,
        signals(3, enter=[0]),
        risk=Risk(stop_loss_pct=0.03),
        sizing=QUARTER,
        ladder=ladder,
    )

    [trade] = result.trades
    assert (trade.exit_bar, trade.exit_reason) == (2, "stop_loss")
    assert trade.exit_price == pytest.approx(500 / (2.5 + 250 / 98) * 0.97)
    assert trade.pnl == pytest.approx(-15)
    assert [order.status for order in safety_orders(result)] == [Status.FILLED, Status.CANCELLED]
    assert safety_orders(result)[1].trigger == pytest.approx(95)


def test_a_short_ladder_rests_above_and_its_target_follows_the_average_down():
    # Short 2.5 at 100; its rung rests at 102 and fills when bar 2's high reaches it: the
    # position sold 2.5 + 250 / 102 for 500, an average of 100.990..., a target 3 % below
    # (97.96) that bar 3's low reaches. Bought back at the target: 500 - 500 x 0.97 = 15.
    candles = bars(
        (100, 101, 99, 100),
        (100, 101, 99.5, 100.5),
        (100.5, 102.5, 100, 101.5),
        (101.5, 101.8, 97.5, 98),
    )
    result = run(
        candles,
        signals(4, enter_short=[0]),
        risk=Risk(take_profit_pct=0.03),
        sizing=QUARTER,
        market=Market(allows_shorts=True),
        ladder=SafetyOrders(count=1, deviation_pct=0.02),
    )

    [trade] = result.trades
    assert trade.side == "short"
    assert trade.entry_price == pytest.approx(500 / (2.5 + 250 / 102))
    assert (trade.exit_bar, trade.exit_reason) == (3, "take_profit")
    assert trade.pnl == pytest.approx(15)
    [rung] = safety_orders(result)
    assert (rung.trigger, rung.fills[0].price, rung.action) == (
        pytest.approx(102),
        pytest.approx(102),
        "sell",
    )


def test_a_safety_order_takes_its_share_of_each_bar_and_the_rest_rests_at_its_level():
    # Volume limit 10 %. Bar 2 reaches 98 with a volume of 15: 1.5 of the rung's 2.5510...
    # fill; bar 3 stays above 98 (nothing); bar 4 reaches it again and fills the rest at 98.
    model = FillModel(fee=0.0, slippage_bps=0.0, max_volume_share=0.1)
    candles = bars(
        (100, 101, 99, 100),
        (100, 100.5, 99.5, 100),
        (99.5, 99.8, 97.5, 98.5),
        (98.6, 99, 98.5, 98.8),
        (98.8, 99, 97.8, 98),
        (98, 98, 98, 98),
        volume=[1000, 1000, 15, 1000, 1000, 1000],
    )
    result = run(
        candles,
        signals(6, enter=[0]),
        sizing=QUARTER,
        model=model,
        ladder=SafetyOrders(count=1, deviation_pct=0.02),
    )

    [rung] = safety_orders(result)
    assert [(f.bar, f.amount, f.price) for f in rung.fills] == [
        (2, pytest.approx(1.5), 98),
        (4, pytest.approx(250 / 98 - 1.5), 98),
    ]
    assert rung.status == Status.FILLED
    assert result.orders_partial == 1
    [trade] = result.open_trades
    assert trade.size == pytest.approx(2.5 + 250 / 98)


def test_a_safety_order_below_the_market_minimum_is_skipped_and_counted():
    # Minimum cost 240: the first rung (0.9 x 250 = 225) is never sent; the second (450) is.
    ladder = SafetyOrders(count=2, deviation_pct=0.02, size_ratio=0.9, volume_scale=2.0)
    candles = bars((100, 101, 99, 100), (100, 100.5, 99.5, 100), (100, 100.5, 99.5, 100))
    result = run(
        candles,
        signals(3, enter=[0]),
        sizing=QUARTER,
        market=Market(min_cost=240),
        ladder=ladder,
    )

    assert [o.status for o in safety_orders(result)] == [Status.SKIPPED, Status.WORKING]
    assert result.orders_below_minimum == 1
    assert safety_orders(result)[1].amount == pytest.approx(450 / 96)


LADDER_DOCUMENT = """name: ladder
indicators:
  rsi: {kind: rsi, period: 14}
entry: {lhs: {indicator: rsi}, op: lt, rhs: {value: 30}}
risk: {stop_loss_pct: 0.1, take_profit_pct: 0.02}
sizing: {kind: equity_fraction, fraction: 0.1}
safety_orders: {count: 3, deviation_pct: 0.02, step_scale: 1.5, volume_scale: 2}
"""


@pytest.mark.parametrize(
    ("old", "new", "path", "line", "message"),
    [
        (
            "fraction: 0.1}",
            "fraction: 0.2}",
            "sizing.fraction",
            6,
            # 0.2 x (1 + 1 + 2 + 4): the worst case is 160 % of the equity.
            "the base order and every safety order would need 160% of the equity",
        ),
        (
            "deviation_pct: 0.02,",
            "deviation_pct: 0.25,",
            "safety_orders.deviation_pct",
            7,
            # 25 % + 37.5 % + 56.25 %: the last rung 118.75 % below the first fill.
            "the last safety order would be 100% or more below the first fill",
        ),
        (
            "{kind: equity_fraction, fraction: 0.1}",
            "{kind: risk_per_trade, risk_pct: 0.01}",
            "sizing.kind",
            6,
            "risk_per_trade cannot size a ladder",
        ),
        ("count: 3,", "count: 0,", "safety_orders.count", 7, "must be at least 1"),
        ("volume_scale: 2}", "volume_scale: 11}", "safety_orders.volume_scale", 7, "must be at"),
    ],
    ids=["worst-case-over-the-equity", "rung-below-zero", "risk-sizing", "no-rung", "scale"],
)
def test_what_a_ladder_needs_is_said_on_its_line(old, new, path, line, message):
    with override("en"), pytest.raises(DocumentError) as refused:
        parse(LADDER_DOCUMENT.replace(old, new))

    [problem] = refused.value.errors
    assert (problem.path, problem.line) == (path, line)
    assert str(problem.message).startswith(message)


def test_a_ladder_is_said_in_words_with_its_worst_case():
    document = parse(LADDER_DOCUMENT)
    assert parse(dump(document)) == document

    with override("en"):
        said = sentences(document)

    # Rungs at 2 %, 2 + 3 = 5 % and 5 + 4.5 = 9.5 %, costing 1, 2 and 4 base orders: the
    # worst case is 8 base orders of 10 %.
    assert said[-3:] == [
        "After the base order fills, 3 safety orders rest as limit orders 2%, 5% and 9.5% below "
        "the first fill, costing 1, 2 and 4 times the base order.",
        "Stop-loss, take-profit and trailing stop are measured from the average entry price, "
        "and move with each safety order filled.",
        "Worst case, every safety order filled: 80% of the equity, 8 times the base order.",
    ]


def test_a_safety_order_the_cash_cannot_pay_fills_what_it_can_and_cancels_those_beyond():
    # 1000 of capital, a base order of 600 (6 at 100): 400 is left. Bar 2 falls to 95.5,
    # through both safety orders (600 each, at 98 and 96): the first gets 400 / 98 = 4.08...
    # units and its remainder is cancelled, as is the second, which no cash is left for.
    candles = bars((100, 101, 99, 100), (100, 100.5, 99.5, 100), (99, 99.5, 95.5, 96))
    result = run(
        candles,
        signals(3, enter=[0]),
        sizing=FixedQuote(kind="fixed_quote", amount=600),
        ladder=SafetyOrders(count=2, deviation_pct=0.02),
    )

    first, second = safety_orders(result)
    assert [(f.bar, f.amount, f.price) for f in first.fills] == [(2, pytest.approx(400 / 98), 98)]
    assert (first.status, second.status) == (Status.PARTIAL, Status.CANCELLED)
    [trade] = result.open_trades
    assert trade.size == pytest.approx(6 + 400 / 98)
    assert trade.entry_price == pytest.approx(1000 / (6 + 400 / 98))
