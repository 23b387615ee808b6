"""A paper run's page in a browser, in French, on a phone-sized screen: the equity chart drawn,
the decision log in the strategy's words, and no sideways scroll."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.e2e.browsing import PHONE, fits_the_screen, sign_in
from tests.strategies.run_helpers import paper_run, stored
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_run_page_on_a_phone_in_french(live_server, page: Page, tmp_path):
    call_command("load_guides", verbosity=0)  # transactional tests empty the database
    user = make_user("run-browser@example.com")
    candles = hand_candles()
    stored(candles)
    run = paper_run(user, HAND, candles, start=1, capital=1000.0, max_volume_share=0.5)
    for bar_ms in candles.time[1:4].tolist():
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    sign_in(page, live_server, user)
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/fr/runs/")
    page.get_by_role("link", name="hand-worked").click()

    expect(page.get_by_role("heading", name="Journal des décisions")).to_be_visible()
    expect(page.locator(".run-decisions li").first).to_contain_text("la clôture dépasse 100")
    expect(page.locator("#equity-chart canvas").first).to_be_visible()
    assert fits_the_screen(page)
    page.screenshot(path=tmp_path / "run.png", full_page=True)
