"""Stops anchored to the chart on hand-made bars (the fill model's point 12), every number
worked out here: the signal candle's low and a swing's, a short's high, a stop too wide
skipped, clamped or replaced by the percentage, an anchor the entry opened beyond, and risk
sizing and a target in R measured from each trade's own stop."""

import pytest

from strategies.engine import Market, history_bars
from strategies.engine.fills.anchors import anchor_prices
from strategies.engine.study.space import SpaceError, dimension
from strategies.i18n import override
from strategies.rules import DocumentError, dump, parse, sentences
from strategies.rules.model import Risk, RiskPerTrade, StopAnchor
from tests.strategies.backtest_helpers import bars, run, signals

SIGNAL_LOW = StopAnchor(at="signal_candle", max_pct=0.05)


def anchored(candles, sig, risk, **more):
    return run(candles, sig, risk=risk, anchors=anchor_prices(risk.stop_anchor, candles), **more)


def test_the_stop_is_the_low_of_the_candle_whose_close_decided_the_entry():
    # Bar 0 decides (its low 97); bar 1 buys 10 at 100; bar 2's low reaches 97: sold there.
    candles = bars((100, 101, 97, 100), (100, 101, 99, 100), (99, 100, 96, 96.5))
    result = anchored(candles, signals(3, enter=[0]), Risk(stop_anchor=SIGNAL_LOW))

    [trade] = result.trades
    assert (trade.exit_bar, trade.exit_reason, trade.exit_price) == (2, "stop_loss", 97)
    assert trade.pnl == pytest.approx(10 * (97 - 100))


def test_risk_sizing_and_a_target_in_r_measure_from_each_trades_own_stop():
    # 1 % risked at a 3 % stop (the signal candle's low, 97): a third of 1000 buys 3.33 at
    # 100. Target 2 R: 6 % above, 106, which bar 2 reaches: 3.33 x 6 = 20, 2 % of 1000.
    candles = bars((100, 101, 97, 100), (100, 101, 99, 100), (101, 107, 100, 106))
    risk = Risk(stop_anchor=SIGNAL_LOW, take_profit_r=2)
    result = anchored(
        candles,
        signals(3, enter=[0]),
        risk,
        sizing=RiskPerTrade(kind="risk_per_trade", risk_pct=0.01),
    )

    [trade] = result.trades
    assert trade.size == pytest.approx(1000 / 3 / 100)
    assert (trade.exit_reason, trade.exit_price) == ("take_profit", pytest.approx(106))
    assert trade.pnl == pytest.approx(20)


@pytest.mark.parametrize(
    ("too_wide", "stop_loss_pct", "stop"),
    [("clamp", None, 95.0), ("percent", 0.03, 97.0)],
)
def test_a_stop_too_wide_is_clamped_or_replaced_by_the_percentage(too_wide, stop_loss_pct, stop):
    # The signal candle's low is 90: 10 % under the entry at 100, wider than the 5 % allowed.
    anchor = StopAnchor(at="signal_candle", max_pct=0.05, too_wide=too_wide)
    candles = bars((100, 101, 90, 100), (100, 101, 99, 100), (99, 99, 94, 94))
    risk = Risk(stop_anchor=anchor, stop_loss_pct=stop_loss_pct)
    result = anchored(candles, signals(3, enter=[0]), risk)

    [trade] = result.trades
    assert (trade.exit_reason, trade.exit_price) == ("stop_loss", pytest.approx(stop))


def test_a_stop_too_wide_skips_the_entry_and_the_next_close_may_decide():
    # Bar 0's low (90) is too far: no entry at bar 1. Bar 1 decides again (low 98): bar 2
    # buys at 100 with its stop at 98.
    candles = bars((100, 101, 90, 100), (100, 101, 98, 100), (100, 101, 99, 100), (99, 99, 97, 97))
    result = anchored(candles, signals(4, enter=[0, 1]), Risk(stop_anchor=SIGNAL_LOW))

    [trade] = result.trades
    assert (trade.entry_bar, trade.exit_price) == (2, 98)
    assert [order.bar for order in result.orders if order.leg == "entry"] == [2]


def test_an_entry_that_opens_beyond_its_anchor_follows_too_wide():
    # The signal candle's low is 101, and bar 1 opens at 100, under it: no stop there can
    # protect a long. Clamped: the stop goes 5 % under the entry, 95.
    anchor = StopAnchor(at="signal_candle", max_pct=0.05, too_wide="clamp")
    candles = bars((103, 104, 101, 103), (100, 101, 99, 100), (99, 99, 94, 94))
    result = anchored(candles, signals(3, enter=[0]), Risk(stop_anchor=anchor))

    [trade] = result.trades
    assert trade.exit_price == pytest.approx(95)


def test_a_swing_is_the_lowest_low_of_its_bars_and_a_shorts_the_highest_high():
    # Lows 96, 98, 99 over the three bars up to the signal (bar 2): a long's stop at 96.
    long_candles = bars(
        (100, 101, 96, 100), (100, 101, 98, 100), (100, 101, 99, 100), (100, 101, 99, 100),
        (99, 99, 95, 95),
    )  # fmt: skip
    swing = StopAnchor(at="swing", bars=3, max_pct=0.05)
    long_trade = anchored(long_candles, signals(5, enter=[2]), Risk(stop_anchor=swing)).trades[0]
    assert long_trade.exit_price == 96
    # Highs 103, 102, 101: a short sold at 100 stops at 103.
    short_candles = bars(
        (100, 103, 99, 100), (100, 102, 99, 100), (100, 101, 99, 100), (100, 101, 99, 100),
        (101, 104, 101, 104),
    )  # fmt: skip
    result = anchored(
        short_candles,
        signals(5, enter_short=[2]),
        Risk(stop_anchor=swing),
        market=Market(allows_shorts=True),
    )
    [short_trade] = result.trades
    assert (short_trade.side, short_trade.exit_price) == ("short", 103)


ANCHORED = """name: anchored
indicators:
  rsi: {kind: rsi, period: 14}
entry: {lhs: {indicator: rsi}, op: lt, rhs: {value: 30}}
risk: {take_profit_r: 2, stop_anchor: {at: swing, bars: 10, max_pct: 0.04, too_wide: clamp}}
sizing: {kind: risk_per_trade, risk_pct: 0.01}
"""


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        ("too_wide: clamp", "too_wide: percent", "risk.stop_anchor.too_wide", "too_wide: percent"),
        ("{take_profit_r: 2,", "{stop_loss_pct: 0.02, take_profit_r: 2,", "risk.stop_loss_pct",
         "the anchor sets the stop-loss"),
        ("at: swing", "at: signal_candle", "risk.stop_anchor.bars", "bars counts the candles"),
        ("too_wide: clamp", "too_wide: widen", "risk.stop_anchor.too_wide",
         'unknown value "widen": use skip, clamp, percent'),
        ("at: swing", "at: candle", "risk.stop_anchor.at",
         'unknown value "candle": use signal_candle, swing'),
        ("max_pct: 0.04", "max_pct: 1.5", "risk.stop_anchor.max_pct", "must be less than 1"),
    ],
    ids=["percent-without-stop", "stop-loss-beside", "bars-without-swing", "too-wide-word",
         "at-word", "max-over-one"],
)  # fmt: skip
def test_what_an_anchor_needs_is_said_on_its_line(old, new, path, message):
    with override("en"), pytest.raises(DocumentError) as refused:
        parse(ANCHORED.replace(old, new))

    [problem] = refused.value.errors
    assert (problem.path, problem.line) == (path, 5)
    assert str(problem.message).startswith(message)


def test_an_anchor_is_said_in_words_and_written_back_as_it_was_read():
    document = parse(ANCHORED)
    assert parse(dump(document)) == document
    assert "stop_anchor: {at: swing, bars: 10, max_pct: 0.04, too_wide: clamp}" in dump(document)

    with override("en"):
        said = sentences(document)

    assert said[1:5] == [
        "Stop-loss at the lowest low of the 10 candles up to the one whose close decided the "
        "entry, at most 4% below the entry price.",
        "When it is farther, or on the wrong side of the entry price, the stop is set 4% away.",
        "Take-profit at 2 times the distance from the entry price to the stop, on the other "
        "side of the entry price.",
        "Each entry risks 1% of the equity: sized so that reaching its stop loses that much "
        "before costs (at most all of the equity).",
    ]


def test_a_reversals_entry_skipped_for_its_anchor_leaves_the_cooldown_to_run():
    # Long from bar 1 (its stop at bar 0's low, 99). Bar 2's close decides a short whose
    # anchor, bar 2's high of 120, is 20 % away: the reversal leaves the long at bar 3's open
    # and its entry is skipped (points 10 and 12). With a cooldown of 3, bar 4's short signal
    # is too early; bar 6's is taken, at bar 7's open.
    flat = (100, 101, 99.5, 100)
    quiet = (100, 100.5, 99.5, 100)  # under bar 6's high, where the short's stop rests
    candles = bars((100, 101, 99, 100), flat, (100, 120, 99.5, 100), *[flat] * 4, quiet)
    risk = Risk(stop_anchor=SIGNAL_LOW, cooldown_bars=3)
    result = anchored(
        candles,
        signals(8, enter=[0], enter_short=[2, 4, 6]),
        risk,
        market=Market(allows_shorts=True),
        reverse=True,
    )

    [long_trade] = result.trades
    assert (long_trade.entry_bar, long_trade.exit_bar, long_trade.exit_reason) == (
        1,
        3,
        "reversal",
    )
    [short_trade] = result.open_trades
    assert (short_trade.side, short_trade.entry_bar) == ("short", 7)


def test_a_swing_anchor_has_its_bars_of_history_and_a_study_never_varies_a_dead_percentage():
    document = parse(ANCHORED)  # a 10-bar swing; RSI 14 needs more
    swing_only = parse(ANCHORED.replace("bars: 10", "bars: 40"))

    assert history_bars(swing_only, "1h") >= 40  # the first decision's swing is whole
    assert history_bars(document, "1h") == history_bars(
        parse(
            ANCHORED.replace(
                ", stop_anchor: {at: swing, bars: 10, max_pct: 0.04, too_wide: clamp}", ""
            ).replace("{take_profit_r: 2}", "{stop_loss_pct: 0.03, take_profit_r: 2}")
        ),
        "1h",
    )
    # The clamp never reads stop_loss_pct: a study may not vary it; the R target it may.
    with pytest.raises(SpaceError):
        dimension(document, "risk.stop_loss_pct", 0.01, 0.03, 0.01)
    assert dimension(document, "risk.take_profit_r", 1, 3, 1).values == (1, 2, 3)
