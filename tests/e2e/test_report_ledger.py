"""A long ledger in a browser: a page of 50 trades at a time, back to the first page when
sorted, and each trade shown on the price chart from its row, by keyboard, on a phone."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.accounts.helpers import make_user
from tests.e2e.browsing import PHONE, accessibility_problems, fits_the_screen, sign_in
from tests.strategies.test_page_edges import report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOUR_MS = 3_600_000
TRADES = 60


def ledger_report(owner):
    """A finished report of 60 one-hour trades over 130 hourly candles."""
    prices = [[hour * HOUR_MS, 100.0, 101.0, 99.0, 100.5] for hour in range(130)]
    equity = [[(hour + 1) * HOUR_MS, 10_000.0 + hour] for hour in range(130)]
    trades = [
        {
            "side": "long",
            "entry_time": 2 * number * HOUR_MS,
            "entry_price": 100.0,
            "size": 1.0,
            "pnl": float(number % 7 - 3),
            "fees": 0.1,
            "funding": 0.0,
            "exit_time": (2 * number + 1) * HOUR_MS,
            "exit_price": 100.0 + number % 7 - 3,
            "exit_reason": "signal",
            "mae": -0.01,
            "mfe": 0.02,
        }
        for number in range(TRADES)
    ]
    return report(
        owner, prices=prices, equity=equity, trades=trades, bars=130, end_ms=130 * HOUR_MS
    )


def test_a_long_ledger_pages_sorts_and_shows_a_trade_on_the_chart(
    transactional_db, live_server, page: Page
):
    call_command("load_guides", verbosity=0)
    call_command("load_strategies", verbosity=0)
    user = make_user("ledger-browser@example.com")
    backtest = ledger_report(user)
    sign_in(page, live_server, user)
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}{backtest.get_absolute_url()}")

    ledger = page.locator("table.sortable").first
    rows = ledger.locator("tbody tr")
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    assert rows.evaluate_all("rows => rows.filter(row => !row.hidden).length") == 50
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    assert rows.evaluate_all("rows => rows.filter(row => !row.hidden).length") == TRADES - 50
    expect(page.get_by_role("button", name="Next")).to_be_disabled()

    # Sorted: the first page of the new order.
    ledger.locator("thead th", has_text="Profit or loss").get_by_role("button").click()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()

    # By keyboard, from the first visible row: the price chart comes into view and takes focus.
    show = ledger.get_by_role("button", name="Show this trade on the price chart").first
    show.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#price-chart")).to_be_focused()
    expect(page.locator("#price-chart")).to_be_in_viewport()
    assert fits_the_screen(page)
    assert accessibility_problems(page) == []
