"""Stop-and-reverse (the fill model's point 10) on hand-checked series: every expected number
is worked out in a comment, and the plain per-bar loop of test_backtest_reference checks the
same rule over thousands of bars."""

from pathlib import Path

import pytest

from strategies.engine import FillModel, Market, ShortsNotAllowed, backtest
from strategies.i18n import override
from strategies.rules import DocumentError, dump, parse, sentences
from strategies.rules.model import Risk
from tests.strategies.backtest_helpers import bars, flat, run, signals

SHORTS = Market(allows_shorts=True)
# Long decided at bar 0's close (filled at bar 1's open, 100); short decided at bar 2's close
# (bar 3 opens at 120); long again at bar 4's close (bar 5 opens at 100).
SWINGS = [
    (100, 101, 99, 100),
    (100, 101, 99, 100),
    (110, 111, 109, 110),
    (120, 121, 119, 120),
    (100, 101, 99, 100),
    (100, 101, 99, 100),
    (100, 101, 99, 100),
]
TURNS = signals(7, enter=[0, 4], enter_short=[2])


def test_a_reversal_leaves_and_enters_at_one_open_both_fills_paying_slippage_and_fee():
    # fee 1 %, slippage 50 bps.
    # Bar 1: buy at 100 x 1.005 = 100.5; amount a1 = 1000 / (100.5 x 1.01) = 9.85173144.
    # Bar 3: sell a1 at 120 x 0.995 = 119.4 (fee 1 %): cash c1 = 0.99 x 119.4 x a1;
    #   then sell short at the same open and price, a2 = c1 / (119.4 x 1.01).
    # Bar 5: buy a2 back at 100 x 1.005 = 100.5, then buy a3 = c2 / (100.5 x 1.01).
    model = FillModel(fee=0.01, slippage_bps=50, max_volume_share=0)
    result = run(bars(*SWINGS), TURNS, model=model, market=SHORTS, reverse=True)

    a1 = 1000 / (100.5 * 1.01)
    c1 = 0.99 * 119.4 * a1
    a2 = c1 / (119.4 * 1.01)
    short_pnl = a2 * (119.4 - 100.5) - 0.01 * a2 * (119.4 + 100.5)
    a3 = (c1 + short_pnl) / (100.5 * 1.01)
    long_trade, short_trade = result.trades
    assert (long_trade.side, long_trade.entry_bar, long_trade.exit_bar) == ("long", 1, 3)
    assert (short_trade.side, short_trade.entry_bar, short_trade.exit_bar) == ("short", 3, 5)
    assert long_trade.exit_reason == short_trade.exit_reason == "reversal"
    assert (long_trade.entry_price, long_trade.exit_price) == pytest.approx((100.5, 119.4))
    assert (short_trade.entry_price, short_trade.exit_price) == pytest.approx((119.4, 100.5))
    assert (long_trade.size, short_trade.size) == pytest.approx((a1, a2))
    assert long_trade.pnl == pytest.approx(c1 - 1000)
    assert short_trade.pnl == pytest.approx(short_pnl)
    [still_open] = result.open_trades
    assert (still_open.side, still_open.entry_bar, still_open.size) == (
        "long",
        5,
        pytest.approx(a3),
    )
    # At each turn the exit is sent first, then the entry, both at that open.
    turns = [(o.bar, o.leg, o.side, o.reason) for o in result.orders if o.bar in (3, 5)]
    assert turns == [
        (3, "exit", "long", "reversal"),
        (3, "entry", "short", "signal"),
        (5, "exit", "short", "reversal"),
        (5, "entry", "long", "signal"),
    ]
    assert list(result.held[2:6]) == pytest.approx([a1, -a2, -a2, a3])


def test_without_reversal_an_exit_rule_at_the_flip_loses_the_other_sides_entry():
    # The Supertrend bug: the flip closes the long (exit rule at bar 2) and fires the short
    # entry at the same close; flat only from bar 3's open, the short entry is gone.
    turns = signals(7, enter=[0], exit_=[2], enter_short=[2])
    plain = run(bars(*SWINGS), turns, market=SHORTS)
    reversing = run(bars(*SWINGS), turns, market=SHORTS, reverse=True)

    assert [(t.side, t.exit_reason) for t in plain.trades] == [("long", "signal")]
    assert plain.open_trades == []
    # Reversing: the exit rule firing at the same close changes nothing (point 10).
    assert [(t.side, t.exit_bar, t.exit_reason) for t in reversing.trades] == [
        ("long", 3, "reversal")
    ]
    [short] = reversing.open_trades
    assert (short.side, short.entry_bar, short.entry_price) == ("short", 3, 120)


def test_the_cooldown_does_not_delay_a_reversal_but_follows_a_stop():
    # No costs, 1000 at 100: 10 units long. Cooldown 5 bars: the reversal at bar 3 still
    # happens (a short of 1200 / 120 = 10 units); the reversal back at bar 5 too.
    result = run(bars(*SWINGS), TURNS, market=SHORTS, reverse=True, risk=Risk(cooldown_bars=5))

    assert [(t.side, t.entry_bar, t.exit_bar) for t in result.trades] == [
        ("long", 1, 3),
        ("short", 3, 5),
    ]
    assert result.trades[1].size == pytest.approx(10)


def test_a_stop_reached_in_the_signal_bar_leaves_first_and_the_entry_is_an_ordinary_one():
    # Long 10 at 100, stop 10 %: 90. Bar 2 falls to 85 (stop filled at 90, reason stop_loss)
    # and closes where the short is decided. Cooldown 0: flat at bar 2's close, the short
    # fills at bar 3's open (88) as any entry. Cooldown 2: the first close that may decide is
    # bar 4's, so no short.
    rows = [*flat(2), (100, 101, 85, 88), (88, 89, 87, 88), *flat(2, 88)]
    sig = signals(6, enter=[0], enter_short=[2])
    stop = Risk(stop_loss_pct=0.1)
    quick = run(bars(*rows), sig, market=SHORTS, reverse=True, risk=stop)
    cooled = run(
        bars(*rows),
        sig,
        market=SHORTS,
        reverse=True,
        risk=stop.model_copy(update={"cooldown_bars": 2}),
    )

    [long_trade] = quick.trades
    assert (long_trade.exit_bar, long_trade.exit_price, long_trade.exit_reason) == (
        2,
        90,
        "stop_loss",
    )
    [short] = quick.open_trades
    # 1000 - 10 x 10 = 900 of cash: 900 / 88 units short.
    assert (short.side, short.entry_bar, short.size) == ("short", 3, pytest.approx(900 / 88))
    assert [t.exit_reason for t in cooled.trades] == ["stop_loss"]
    assert cooled.open_trades == []


def test_the_new_sides_stop_is_live_in_the_bar_it_enters():
    # Long 10 at 100; reversal at bar 3's open (120): the long's 1200 sells 10 short at 120,
    # its stop 10 % above: 132. Bar 3 reaches 135: bought back at 132 in bar 3 itself.
    # Long pnl 10 x 20 = 200; short pnl 10 x (120 - 132) = -120.
    rows = [*SWINGS[:3], (120, 135, 119, 130), *SWINGS[4:]]
    sig = signals(7, enter=[0], enter_short=[2])
    result = run(bars(*rows), sig, market=SHORTS, reverse=True, risk=Risk(stop_loss_pct=0.1))

    long_trade, short_trade = result.trades
    assert (long_trade.exit_reason, long_trade.pnl) == ("reversal", pytest.approx(200))
    assert (short_trade.entry_bar, short_trade.exit_bar, short_trade.exit_reason) == (
        3,
        3,
        "stop_loss",
    )
    assert (short_trade.exit_price, short_trade.pnl) == (pytest.approx(132), pytest.approx(-120))


def test_an_exit_filled_over_two_bars_starts_the_new_side_at_the_open_it_completes_in():
    # Volume limit 50 %. Long 10 at 100. Bar 3 trades 12: 6 sold at 120 (720); bar 4 opens at
    # 130 with volume to spare: the other 4 at 130 (520). Cash 1240: the short starts at bar
    # 4's open, 1240 / 130 units. The long's exit price is the average, 1240 / 10 = 124.
    rows = [*SWINGS[:3], (120, 121, 119, 120), (130, 131, 129, 130), *flat(2, 130)]
    volume = [1e9, 1e9, 1e9, 12, 1e9, 1e9, 1e9]
    model = FillModel(fee=0.0, slippage_bps=0.0, max_volume_share=0.5)
    sig = signals(7, enter=[0], enter_short=[2])
    result = run(bars(*rows, volume=volume), sig, model=model, market=SHORTS, reverse=True)

    [long_trade] = result.trades
    assert (long_trade.exit_bar, long_trade.exit_price) == (4, pytest.approx(124))
    [short] = result.open_trades
    assert (short.entry_bar, short.entry_price, short.size) == (4, 130, pytest.approx(1240 / 130))
    assert result.orders_partial == 1  # the exit, cut by the volume limit in its first bar


SUPER_TREND = Path("strategies/content/super_trend/strategy.yaml").read_text()
ONE_SIDED = """name: one side
long_only: true
stop_and_reverse: true
indicators:
  fast: {kind: ema, period: 5}
entry: {lhs: {bar: close}, op: gt, rhs: {indicator: fast}}
risk: {stop_loss_pct: 0.05}
"""


def test_the_catalog_supertrend_reverses_and_says_so():
    document = parse(SUPER_TREND)

    assert document.stop_and_reverse is True
    assert parse(dump(document)) == document
    assert "stop_and_reverse: true" in dump(document)
    with override("en"):
        said = sentences(document)
    assert (
        "While a position is open, the other direction's entry closes it and opens the new one "
        "at the same open (stop and reverse)."
    ) in said


def test_a_document_that_does_not_reverse_dumps_as_before():
    document = parse(SUPER_TREND.replace("stop_and_reverse: true\n", ""))

    assert document.stop_and_reverse is False
    assert "stop_and_reverse" not in dump(document)


def test_reversing_with_one_direction_is_refused_on_its_line():
    with override("en"), pytest.raises(DocumentError) as refused:
        parse(ONE_SIDED)

    [problem] = refused.value.errors
    assert (problem.path, problem.line) == ("stop_and_reverse", 3)
    assert str(problem.message).startswith("stop_and_reverse needs an entry in each direction")


def test_a_reversing_document_is_refused_on_a_spot_market():
    candles = bars(*SWINGS)
    with pytest.raises(ShortsNotAllowed):
        backtest(parse(SUPER_TREND), candles, capital=1000.0, market=Market(allows_shorts=False))


def test_a_skipped_reversal_entry_leaves_the_account_flat_and_the_cooldown_counts():
    # Short 10 at 100 (bar 1). The long decided at bar 2's close reverses at bar 3's open
    # (140): buying back costs 1400, cash 1000 + 1000 - 1400 = 600, and 600 / 140 = 4.29
    # units is below the market's minimum of 5: skipped. Cooldown 3 from the exit in bar 3:
    # the long decided at bar 3's close is too early; the one at bar 6's close buys 600 / 100
    # = 6 units at bar 7's open.
    rows = [*flat(2), (120, 121, 119, 120), (140, 141, 139, 140), *flat(5)]
    sig = signals(9, enter=[2, 3, 6], enter_short=[0])
    market = Market(allows_shorts=True, min_amount=5)
    result = run(bars(*rows), sig, market=market, reverse=True, risk=Risk(cooldown_bars=3))

    orders = [(o.bar, o.leg, o.side, o.status) for o in result.orders]
    assert orders == [
        (1, "entry", "short", "filled"),
        (3, "exit", "short", "filled"),
        (3, "entry", "long", "skipped"),
        (7, "entry", "long", "filled"),
    ]
    [short] = result.trades
    assert (short.exit_reason, short.pnl) == ("reversal", pytest.approx(-400))
    [long_] = result.open_trades
    assert long_.size == pytest.approx(6)
