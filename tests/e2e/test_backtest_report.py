"""A backtest report in a browser: the form, the run, the charts drawn, the ledger sorted."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from exchanges import retry
from tests.accounts.helpers import make_user
from tests.e2e.browsing import PHONE, fits_the_screen, sign_in
from tests.strategies.backtest_run_helpers import days_ago

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kraken_on_sandbox(transactional_db, venue, settings, monkeypatch):
    # Transactional tests empty the database: load the content again.
    call_command("load_guides", verbosity=0)
    call_command("load_strategies", verbosity=0)
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    return venue


def test_a_report_draws_its_charts_and_sorts_its_ledger(
    kraken_on_sandbox, live_server, page: Page, tmp_path
):
    user = make_user("report-browser@example.com")
    sign_in(page, live_server, user)
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/en/strategies/ema-crossover/")
    page.get_by_role("link", name="Backtest it").click()
    page.locator("select[name=exchange]").select_option("kraken")
    page.locator("input[name=symbol]").fill("BTC/USD")
    page.locator("input[name=start]").fill(days_ago(25).isoformat())
    page.locator("input[name=end]").fill(days_ago(1).isoformat())
    page.get_by_role("button", name="Run the backtest").click()

    expect(page.get_by_role("heading", name="Statistics")).to_be_visible()
    expect(page.locator("canvas").first).to_be_visible()  # lightweight-charts drew
    # Drawn to the end, the strategy's indicators included: the ledger's buttons that show a
    # trade on the price chart appear once it is (an error drawing a line once hid them).
    show = page.get_by_role("button", name="Show this trade on the price chart").first
    expect(show).to_be_visible()
    assert fits_the_screen(page)
    page.screenshot(path=tmp_path / "report.png", full_page=True)

    ledger = page.locator("table.sortable").first  # the trade ledger, the first sortable table
    header = ledger.locator("thead th", has_text="Profit or loss")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    column = [h.inner_text() for h in ledger.locator("thead th").all()].index(header.inner_text())
    values = ledger.locator(f"tbody tr td:nth-child({column + 1})").evaluate_all(
        "cells => cells.map(cell => Number(cell.dataset.sort))"
    )
    assert len(values) >= 2
    assert values == sorted(values)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
