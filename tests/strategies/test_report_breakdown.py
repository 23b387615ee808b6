"""The report's closed trades split by direction and by exit reason, worked out by hand."""

import pytest
from django.utils import translation

from strategies.views.report_breakdown import breakdown_tables
from tests.strategies.mine_helpers import signed_in
from tests.strategies.test_page_edges import report

HOUR_MS = 3_600_000


def closed(side: str, pnl: float, reason: str) -> dict:
    return {
        "side": side,
        "entry_time": 0,
        "entry_price": 100.0,
        "size": 1.0,
        "pnl": pnl,
        "fees": 0.1,
        "exit_time": HOUR_MS,
        "exit_price": 100.0 + pnl,
        "exit_reason": reason,
    }


TRADES = [
    closed("long", 30.0, "take_profit"),
    closed("long", -10.0, "stop_loss"),
    closed("long", 20.0, "signal"),
    closed("short", -5.0, "stop_loss"),
    closed("short", 15.0, "signal"),
]


def test_trades_split_by_direction_and_by_exit_reason():
    # Long: 30, -10, 20: 2 of 3 won (66.67 %), net 40, profit factor 50 / 10 = 5, mean 13.33.
    # Short: -5, 15: 1 of 2, net 10, factor 15 / 5 = 3, mean 5.
    # Exit rule: 20, 15 (both won, no loss: no factor); stop-loss: -10, -5 (net -15, mean
    # -7.50, no gain: a factor of 0); take-profit: 30. No trailing stop or manual exit: no row.
    with translation.override("en"):
        (sides, _, side_caption), (reasons, _, reason_caption) = breakdown_tables(TRADES)

    assert (side_caption, reason_caption) == ("By direction", "By exit reason")
    assert [
        (r.label, r.trades, r.win_rate, r.net_profit, r.profit_factor, r.average) for r in sides
    ] == [
        ("long", "3", "66.67 %", "40.00", "5.00", "13.33"),
        ("short", "2", "50.00 %", "10.00", "3.00", "5.00"),
    ]
    assert [(r.label, r.net_profit, r.profit_factor, r.average) for r in reasons] == [
        ("exit rule", "35.00", "not enough data", "17.50"),
        ("stop-loss", "-15.00", "0.00", "-7.50"),
        ("take-profit", "30.00", "not enough data", "30.00"),
    ]


def test_no_closed_trade_no_tables():
    assert breakdown_tables([]) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ["Trades by direction and by exit", "By exit reason", "Take-profit"]),
        ("fr", ["Trades par sens et par sortie", "Par raison de sortie", "Take-profit"]),
    ],
)
def test_the_report_page_shows_the_split(language, texts):
    client, owner = signed_in("split@example.com")
    backtest = report(owner, trades=TRADES)

    text = client.get(f"/{language}/strategies/backtests/{backtest.pk}/").content.decode()

    for expected in texts:
        assert expected in text
