"""A backtest report's charts: their data apart from the page (columns of numbers, cached,
private to the owner) and every page compressed on the way out."""

import gzip
import json

import numpy as np
import pytest
from django.urls import reverse

from strategies.services.backtest_results import equity_points, hold_points
from strategies.views.backtest_display import equity_chart
from tests.strategies.mine_helpers import signed_in
from tests.strategies.test_page_edges import report

pytestmark = pytest.mark.django_db

HOUR_S = 3600


def test_the_equity_and_its_drawdown_are_columns_from_the_capitals_peak():
    # By hand: capital 100; 90 is 10 % under it, 120 a new peak, 108 is 10 % under that.
    points = [[HOUR_S * 1000, 90.0], [2 * HOUR_S * 1000, 120.0], [3 * HOUR_S * 1000, 108.0]]

    chart = equity_chart(100.0, points)

    assert chart["equity"] == {
        "time": [HOUR_S, 2 * HOUR_S, 3 * HOUR_S],
        "value": [90.0, 120.0, 108.0],
        "drawdown": [-10.0, 0.0, -10.0],
    }


def test_the_chart_data_is_its_owners_alone_and_kept_by_the_browser():
    (mine_client, owner), (their_client, _other) = signed_in("a@example.com"), signed_in("b@x.org")
    prices = [[0, 1.0, 2.0, 0.5, 1.5], [HOUR_S * 1000, 1.5, 3.0, 1.0, 2.0]]
    trades = [{"side": "long", "entry_time": 0, "exit_time": HOUR_S * 1000, "pnl": 1.0}]
    backtest = report(owner, equity=[[HOUR_S * 1000, 10_001.0]], prices=prices, trades=trades)
    url = reverse("strategies:backtests:chart", args=[backtest.pk])

    mine = mine_client.get(url)
    theirs = their_client.get(url)

    assert theirs.status_code == 404
    assert mine["Cache-Control"] == "private, max-age=86400"
    assert mine.json()["prices"] == {
        "time": [0, HOUR_S],
        "open": [1.0, 1.5],
        "high": [2.0, 3.0],
        "low": [0.5, 1.0],
        "close": [1.5, 2.0],
    }
    assert mine.json()["markers"] == {
        "time": [0, HOUR_S],
        "entry": [True, False],
        "long": [True, True],
    }


def test_a_report_still_running_has_no_chart_data():
    client, owner = signed_in("owner@example.com")
    backtest = report(owner, status="running", equity=[])

    response = client.get(reverse("strategies:backtests:chart", args=[backtest.pk]))

    assert response.status_code == 404


def test_pages_are_compressed_for_browsers_that_accept_it():
    client, owner = signed_in("owner@example.com")
    backtest = report(owner, equity=[[HOUR_S * 1000, 10_001.0]], prices=[[0, 1, 1, 1, 1]])

    plain = client.get(backtest.get_absolute_url())
    packed = client.get(backtest.get_absolute_url(), headers={"accept-encoding": "gzip"})

    assert packed["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain
    text = gzip.decompress(packed.content).decode()
    assert "Backtest of EMA crossover" in text
    assert len(packed.content) < len(plain.content) / 2


def test_the_chart_data_is_kept_compressed_and_unpacked_for_a_client_without_gzip():
    client, owner = signed_in("owner@example.com")
    backtest = report(owner, equity=[[HOUR_S * 1000, 10_001.0]], prices=[[0, 1, 2, 0.5, 1.5]])
    url = reverse("strategies:backtests:chart", args=[backtest.pk])

    plain = client.get(url)
    packed = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    again = client.get(url, headers={"accept-encoding": "gzip"})

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == again["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert "Accept-Encoding" in plain["Vary"]
    # The same numbers either way, and the kept bytes served as they are.
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert packed.content == again.content
    assert plain.json()["prices"]["high"] == [2.0]


def test_buy_and_hold_is_kept_at_the_bars_the_equity_line_shows():
    closes = np.arange(1, 9, dtype=np.int64) * HOUR_S * 1000
    equity = np.array([10.0, 9.0, 11.0, 12.0, 8.0, 13.0, 14.0, 15.0])
    hold = np.arange(100.0, 108.0)

    # Four points at most: buckets of four bars, each giving its lowest bar and its last.
    shown = equity_points(closes, equity, points=4)
    held = hold_points(closes, equity, hold, points=4)

    hours = [ms // (HOUR_S * 1000) for ms, _value in shown]
    assert hours == [2, 4, 5, 8]
    assert held == [[ms, 100.0 + ms // (HOUR_S * 1000) - 1] for ms, _value in shown]
