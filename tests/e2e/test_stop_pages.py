"""Stopping in a browser: a live run stopped while the venue refuses its cancel says plainly
that an order may still rest (English, desktop; French, phone), and a stopped paper run's
position is closed from its page with the keyboard only, in French on a phone."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from exchanges import retry
from exchanges.sandbox import Fault
from strategies.models import RunStatus, RunTrade
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.e2e.browsing import PHONE, accessibility_problems, sign_in
from tests.strategies.run_helpers import paper_run, stored
from tests.strategies.test_runs_stop import resting, with_a_resting_stop
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_stop_whose_cancel_fails_says_an_order_may_still_rest(
    live_server, page: Page, steps, venue, settings, monkeypatch
):
    call_command("load_guides", verbosity=0)  # transactional tests empty the database
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    settings.RUNS_MIN_MARKET_VOLUME = 1000
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    venue.freeze_time(1_790_000_000.0)
    run = with_a_resting_stop(venue, "stopping@example.com")
    venue.inject(Fault("unavailable", endpoint="CancelOrder", count=50))
    sign_in(page, live_server, run.owner)

    with steps("the run's page, Stop pressed"):
        page.goto(f"{live_server.url}/en/runs/{run.pk}/")
        page.get_by_role("button", name="Stop the run").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "An order of this run may still rest at Kraken"
        )
        expect(page.get_by_text("Its position stays open at the exchange")).to_be_visible()
        assert accessibility_problems(page) == []
    assert len(resting(venue)) == 1
    with steps("the runs dashboard"):
        page.goto(f"{live_server.url}/en/runs/")
        expect(page.get_by_text("Orders may rest at Kraken")).to_be_visible()
    with steps("the run's page in French on a phone"):
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}/fr/runs/{run.pk}/")
        expect(page.get_by_role("alert")).to_contain_text("peut encore attendre chez Kraken")
        assert accessibility_problems(page) == []


def test_a_stopped_paper_runs_position_closed_with_the_keyboard_in_french(
    live_server, page: Page, steps
):
    call_command("load_guides", verbosity=0)
    candles = hand_candles()
    stored(candles)
    user = make_user("paper-close@example.com")
    run = paper_run(
        user, HAND, candles, start=1, capital=1000.0, fee=0, slippage_bps=0, max_volume_share=0
    )
    for bar_ms in candles.time[1:3].tolist():
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    sign_in(page, live_server, user)
    page.set_viewport_size(PHONE)

    with steps("stopped: the position stays, and says so"):
        page.goto(f"{live_server.url}/fr/runs/{run.pk}/")
        page.get_by_role("button", name="Arrêter la session").click()
        expect(page.get_by_text("Session arrêtée. Sa position papier reste")).to_be_visible()
        assert accessibility_problems(page) == []
    with steps("closed with the keyboard"):
        button = page.get_by_role("button", name="Fermer la position papier")
        for _ in range(80):
            if button.evaluate("el => el === document.activeElement"):
                break
            page.keyboard.press("Tab")
        else:
            pytest.fail("Tab never reached the close button")
        page.keyboard.press("Enter")
        expect(page.get_by_text("Fermeture de la position papier")).to_be_visible()
    run.refresh_from_db()
    assert (run.status, run.held) == (RunStatus.STOPPED, 0.0)
    assert RunTrade.objects.get(run=run).exit_price == 120.0  # bar 3's open
