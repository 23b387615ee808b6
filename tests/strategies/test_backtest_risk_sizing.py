"""Risk-based sizing and targets in R (the fill model's points 2 and 3) on hand-checked bars,
in the document grammar, in the sentences and at the exchange's levels. The plain per-bar loop
of test_backtest_reference checks both over thousands of bars."""

from pathlib import Path

import pytest

from strategies.engine import Market
from strategies.engine.fills.watch import exchange_levels
from strategies.engine.study.space import SpaceError, dimension
from strategies.i18n import override
from strategies.rules import DocumentError, dump, parse, sentences
from strategies.rules.model import Risk, RiskPerTrade
from tests.strategies.backtest_helpers import bars, run, signals
from tests.strategies.test_backtest_fills import ENTRY_AT_100

ONE_PERCENT = RiskPerTrade(kind="risk_per_trade", risk_pct=0.01)


def test_a_stop_reached_loses_the_share_of_equity_the_document_risks():
    # Risk 1 % of 1000 with a 5 % stop: commit 0.01 / 0.05 = 20 % of the equity, 200 at 100:
    # 2 units. Bar 2 reaches the 95 stop: the loss is 2 x 5 = 10, 1 % of 1000.
    candles = bars(*ENTRY_AT_100, (98, 99, 94, 95), (95, 96, 94, 95))
    result = run(candles, signals(4, enter=[0]), risk=Risk(stop_loss_pct=0.05), sizing=ONE_PERCENT)

    [trade] = result.trades
    assert (trade.exit_price, trade.exit_reason) == (95, "stop_loss")
    assert trade.size == pytest.approx(2)
    assert trade.pnl == pytest.approx(-10)


def test_a_nearer_trailing_stop_is_what_the_risk_is_measured_to():
    # Stop-loss 5 %, trailing stop 4 %: the stop starts at the trailing stop's 96 (and stays
    # there: the entry bar's high is the entry price). 1 % risked commits 0.01 / 0.04 = 25 %:
    # 2.5 units, and the 96 stop loses 2.5 x 4 = 10.
    candles = bars((100, 101, 99, 100), (100, 100, 99, 100), (98, 99, 95, 95), (95, 96, 94, 95))
    risk = Risk(stop_loss_pct=0.05, trailing_stop_pct=0.04)
    [trade] = run(candles, signals(4, enter=[0]), risk=risk, sizing=ONE_PERCENT).trades

    assert (trade.exit_price, trade.exit_reason) == (pytest.approx(96), "trailing_stop")
    assert trade.size == pytest.approx(2.5)
    assert trade.pnl == pytest.approx(-10)


def test_risk_sizing_stops_at_the_cash():
    # Risk 10 % with a 5 % stop would commit twice the equity: all of it instead, 10 units at
    # 100, and the stop at 95 loses 50 (5 %, not the 10 % asked).
    ten_percent = RiskPerTrade(kind="risk_per_trade", risk_pct=0.1)
    candles = bars(*ENTRY_AT_100, (98, 99, 94, 95), (95, 96, 94, 95))
    [trade] = run(
        candles, signals(4, enter=[0]), risk=Risk(stop_loss_pct=0.05), sizing=ten_percent
    ).trades

    assert trade.size == 10
    assert trade.pnl == pytest.approx(-50)


def test_a_target_in_r_is_that_many_stop_distances_away_on_either_side():
    # Stop 2 %, target 3 R: 3 x 2 % = 6 % from the entry at 100. A long's at 106: bar 2
    # reaches 107, sold at 106. A short's at 94: bar 2 reaches 93, bought back at 94.
    risk = Risk(stop_loss_pct=0.02, take_profit_r=3)
    long_bars = bars(*ENTRY_AT_100, (101, 107, 100, 105), (105, 106, 104, 105))
    short_bars = bars(*ENTRY_AT_100, (99, 100, 93, 95), (95, 96, 94, 95))
    [long_trade] = run(long_bars, signals(4, enter=[0]), risk=risk).trades
    [short] = run(
        short_bars, signals(4, enter_short=[0]), risk=risk, market=Market(allows_shorts=True)
    ).trades

    assert (long_trade.exit_price, long_trade.exit_reason) == (pytest.approx(106), "take_profit")
    assert long_trade.pnl == pytest.approx(10 * 6)
    assert (short.exit_price, short.exit_reason) == (pytest.approx(94), "take_profit")
    assert short.pnl == pytest.approx(10 * 6)


def test_a_live_run_rests_the_target_in_r_where_the_backtest_takes_it():
    # Entry 200, stop 2 % (196), target 2.5 R: 2.5 x 2 % = 5 %: 210 for a long, 190 short.
    risk = Risk(stop_loss_pct=0.02, take_profit_r=2.5)

    assert exchange_levels(risk, "long", 200.0, 200.0).target == pytest.approx(210)
    assert exchange_levels(risk, "short", 200.0, 200.0).target == pytest.approx(190)
    assert exchange_levels(risk, "short", 200.0, 200.0).stop == pytest.approx(204)
    # A short's target 150 % below its entry is no price: nothing rests (a document is
    # refused such a target; this guards what a study's numbers could make of it).
    beyond = Risk(stop_loss_pct=0.5, take_profit_r=3)
    assert exchange_levels(beyond, "short", 200.0, 200.0).target is None


RISKED = """name: risked
indicators:
  fast: {kind: ema, period: 5}
entry: {lhs: {bar: close}, op: gt, rhs: {indicator: fast}}
risk: {stop_loss_pct: 0.03, take_profit_r: 2.5}
sizing: {kind: risk_per_trade, risk_pct: 0.01}
"""


def test_the_document_says_its_risk_and_its_target_in_words():
    document = parse(RISKED)

    assert parse(dump(document)) == document
    with override("en"):
        said = sentences(document)
    assert said[1:] == [
        "Stop-loss 3% below the entry price.",
        "Take-profit at 2.5 times the distance from the entry price to the initial stop: 7.5% "
        "above the entry price.",
        "Each entry risks 1% of the equity: sized so that reaching the initial stop loses that "
        "much before costs (33.33% of the equity committed, at most all of it).",
    ]


def test_a_document_without_a_target_in_r_dumps_as_before():
    text = RISKED.replace(", take_profit_r: 2.5", ", take_profit_pct: 0.05")

    assert "take_profit_r" not in dump(parse(text))


@pytest.mark.parametrize(
    ("old", "new", "path", "line", "opening"),
    [
        (
            "take_profit_r: 2.5",
            "take_profit_r: 2.5, take_profit_pct: 0.05",
            "risk.take_profit_r",
            5,
            "take_profit_pct and take_profit_r both set the target",
        ),
        (
            "stop_loss_pct: 0.03, take_profit_r: 2.5}\nsizing: {kind: risk_per_trade, "
            "risk_pct: 0.01",
            "take_profit_r: 2.5}\nsizing: {kind: equity_fraction, fraction: 0.5",
            "risk.take_profit_r",
            5,
            "take_profit_r is a multiple of the distance to the stop",
        ),
        (
            "stop_loss_pct: 0.03, take_profit_r: 2.5",
            "take_profit_pct: 0.05",
            "sizing.kind",
            6,
            "risk_per_trade sizes each entry by its loss at the stop",
        ),
        ("risk_pct: 0.01", "risk_pct: 1.5", "sizing.risk_pct", 6, "must be less than 1"),
        ("take_profit_r: 2.5", "take_profit_r: 0", "risk.take_profit_r", 5, "must be greater"),
    ],
    ids=[
        "two-targets",
        "r-without-stop",
        "risk-without-stop",
        "risk-over-one",
        "r-zero",
    ],
)
def test_what_risk_sizing_and_r_targets_need_is_said_on_its_line(old, new, path, line, opening):
    with override("en"), pytest.raises(DocumentError) as refused:
        parse(RISKED.replace(old, new))

    [problem] = refused.value.errors
    assert (problem.path, problem.line) == (path, line)
    assert str(problem.message).startswith(opening)


MACD_TREND = Path("strategies/content/macd-trend/strategy.yaml").read_text()


def test_a_target_in_r_a_short_could_never_reach_is_refused():
    # 25 R at a 5 % stop: 125 % from the entry, a short's target below zero. A long-only
    # document may aim that high.
    text = MACD_TREND.replace("stop_loss_pct: 0.035,", "stop_loss_pct: 0.05, take_profit_r: 25,")
    with override("en"), pytest.raises(DocumentError) as refused:
        parse(text)

    [problem] = refused.value.errors
    assert problem.path == "risk.take_profit_r"
    assert str(problem.message).startswith("take_profit_r times the stop's distance reaches 100%")
    assert parse(RISKED.replace("take_profit_r: 2.5", "take_profit_r: 40")).risk.take_profit_r == 40


def test_a_study_varies_no_second_target():
    percent_target = parse(RISKED.replace("take_profit_r: 2.5", "take_profit_pct: 0.05"))
    with pytest.raises(SpaceError):
        dimension(percent_target, "risk.take_profit_r", 1, 3, 1)
    with pytest.raises(SpaceError):
        dimension(parse(RISKED), "risk.take_profit_pct", 0.02, 0.06, 0.02)
    assert dimension(parse(RISKED), "risk.take_profit_r", 1, 3, 1).values == (1, 2, 3)
