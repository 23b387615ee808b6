"""A study in a browser, in French on a 390 px phone: from a catalog strategy's finished report
to the verdict, the folds, the objective over the two numbers varied and the out-of-sample
equity, then the numbers the latest fold chose saved as a version of the user's own copy, and
the paper run's form filled in with them; no sideways scroll and no serious accessibility
problem (the long jobs run inline in tests, as the backtests' do)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from strategies.models import Backtest, CatalogEntry, Strategy
from tests.accounts.helpers import enrol, make_user
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
    # The report of the catalog's take-profit strategy: the study's market, whose choices
    # are worked out by hand in test_study_walk_forward.py, under a catalog entry's name.
    entry = CatalogEntry.objects.get(slug="ema-crossover")
    Backtest.objects.filter(pk=backtest.pk).update(catalog_entry=entry)
    sign_in(page, live_server, user, device=enrol(user))
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

    keep = page.get_by_role("group", name="Enregistre ces nombres", exact=False)
    expect(keep.get_by_role("radio").first).to_be_checked()  # the latest fold's numbers
    page.get_by_role("button", name="Enregistrer comme nouvelle version").click()

    expect(page.get_by_text("Enregistré comme version 2 de", exact=False)).to_be_visible()
    copy = Strategy.objects.get(owner=user)
    assert copy.copied_from == entry
    expect(page.get_by_label("Stratégie")).to_have_value(f"mine:{copy.pk}")
    assert fits_the_screen(page)
