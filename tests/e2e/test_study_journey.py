"""A study in a browser, in French on a 390 px phone: from a finished report to the verdict, the
folds, the objective over the two numbers varied and the out-of-sample equity, with no sideways
scroll and no serious accessibility problem (the long jobs run inline in tests, as the
backtests' do)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.accounts.helpers import make_user
from tests.e2e.browsing import PHONE, accessibility_problems, fits_the_screen, sign_in
from tests.strategies.test_studies import finished_backtest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_report_studied_on_a_phone_in_french(transactional_db, live_server, page: Page):
    call_command("load_guides", verbosity=0)
    call_command("load_strategies", verbosity=0)
    user = make_user("etude@example.com")
    user.preferred_language = "fr"
    user.save()
    backtest = finished_backtest(user)
    sign_in(page, live_server, user)
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/fr/strategies/backtests/{backtest.pk}/")
    page.get_by_role("link", name="Robuste ou sur-ajustée ? Étudie-la").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("robuste ou sur-ajustée")
    assert fits_the_screen(page)
    page.get_by_label("Take-profit", exact=False).first.check()
    page.get_by_label("Stop-loss", exact=False).first.check()
    page.get_by_role("button", name="Lancer l’étude").click()

    expect(page.get_by_role("heading", name="Verdict")).to_be_visible()
    expect(page.get_by_text("Robustesse", exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name="Plis", exact=True)).to_be_visible()
    expect(page.locator("#equity-chart canvas").first).to_be_visible()
    expect(page.get_by_role("heading", name="L’objectif selon deux nombres")).to_be_visible()
    assert fits_the_screen(page)
    assert accessibility_problems(page) == []
