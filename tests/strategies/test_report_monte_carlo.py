"""The report's trades replayed in other orders: the figures against hand-worked cases, and the
section on the report page in both languages."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from strategies.views.monte_carlo_display import MIN_TRADES, monte_carlo_shown
from tests.strategies.mine_helpers import signed_in
from tests.strategies.test_page_edges import report

HOUR_MS = 3_600_000

CAPITAL = 10_000.0


def replayed(returns: list[float]) -> SimpleNamespace:
    """A finished report whose closed trades made these returns on the equity they entered
    with, one after another."""
    trades, equity = [], CAPITAL
    for made in returns:
        trades.append({"pnl": equity * made})
        equity *= 1 + made
    return SimpleNamespace(
        stats={"total_return": equity / CAPITAL - 1}, trades=trades, capital=CAPITAL
    )


def test_trades_that_all_win_the_same_replay_the_same_whatever_the_order():
    # Ten trades of +10 %: every order and every draw is ten +10 % trades: 1.1^10 - 1 =
    # 159.3742 %, and no fall at all.
    with translation.override("en"):
        shown = monte_carlo_shown(replayed([0.1] * 10))

    assert shown.trades == 10
    assert [row.happened for row in shown.rows] == ["0.00 %", "0.00 %", "159.37 %"]
    for row in shown.rows:
        assert row.p5 == row.p50 == row.p95 == row.happened


def test_the_fall_as_it_happened_is_measured_from_trade_to_trade():
    # Nine trades of +10 % then one of -50 %: the peak 1.1^9 = 2.35795, then half of it: a
    # fall of 50 % from the peak; final return 1.1^9 x 0.5 - 1 = 17.8974 %. Reshuffled, the
    # final return never moves (a product does not care for order) and the fall is always 50 %
    # (one losing trade, a fall of its own size, wherever it lands after the start).
    with translation.override("fr"):
        shown = monte_carlo_shown(replayed([0.1] * 9 + [-0.5]))

    reshuffled_fall, resampled_fall, resampled_return = shown.rows
    assert reshuffled_fall.happened == "50,00 %"
    assert reshuffled_fall.p5 == reshuffled_fall.p95 == "50,00 %"
    assert resampled_return.happened == "17,90 %"
    assert str(resampled_fall.label) == "Pire chute, trades tirés au hasard"


def test_too_few_trades_say_how_many_are_needed():
    shown = monte_carlo_shown(replayed([0.1] * (MIN_TRADES - 1)))

    assert shown.rows == []
    assert shown.min_trades == MIN_TRADES


def test_a_trade_that_lost_everything_cannot_be_replayed_and_says_so():
    # Nine trades of +1 % then one that loses more than the whole equity (a short squeezed).
    shown = monte_carlo_shown(replayed([0.01] * 9 + [-1.2]))

    assert shown.wiped_out
    assert shown.rows == []


def test_many_trades_get_fewer_replays():
    shown = monte_carlo_shown(replayed([0.001, -0.0005] * 5_000))

    assert shown.trades == 10_000
    assert shown.runs == 200  # 2,000,000 cells / 10,000 trades
    assert len(shown.rows) == 3


def test_no_report_no_replays():
    assert monte_carlo_shown(SimpleNamespace(stats=None, trades=[], capital=CAPITAL)) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "column"),
    [
        ("en", "The same trades in other orders", "95th percentile"),
        ("fr", "Les mêmes trades dans d’autres ordres", "95ᵉ centile"),
    ],
)
def test_the_report_page_shows_the_replays(language, heading, column):
    client, owner = signed_in("replays@example.com")
    trades = [
        {
            "side": "long",
            "entry_time": HOUR_MS * index,
            "entry_price": 100.0,
            "size": 1.0,
            "pnl": trade["pnl"],
            "fees": 0.0,
            "exit_time": HOUR_MS * index + HOUR_MS // 2,
            "exit_price": 100.0 + trade["pnl"],
            "exit_reason": "signal",
        }
        for index, trade in enumerate(replayed([0.05, -0.02] * 6).trades)
    ]
    backtest = report(owner, trades=trades, end_ms=HOUR_MS * 13)

    text = client.get(f"/{language}/strategies/backtests/{backtest.pk}/").content.decode()

    assert heading in text
    assert column in text
    assert {"en": "Your 12 closed trades", "fr": "Tes 12 trades clôturés"}[language] in text
