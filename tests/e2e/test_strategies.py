"""The strategy library in a browser, in French, on a phone-sized screen: read a strategy,
copy it, break its document and see the problem at its line, then fix it."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.accounts.helpers import make_user
from tests.e2e.browsing import PHONE, fits_the_screen, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog(transactional_db):
    # Transactional tests empty the database: load the content again.
    call_command("load_guides", verbosity=0)
    call_command("load_strategies", verbosity=0)


def test_a_reader_copies_a_strategy_and_fixes_a_broken_document(
    catalog, live_server, page: Page, tmp_path
):
    user = make_user("strategies-browser@example.com")
    sign_in(page, live_server, user)
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/fr/")
    page.get_by_role("navigation", name="Principal").get_by_role(
        "link", name="Stratégies", exact=True
    ).click()
    page.get_by_label("Catégorie").select_option("confluence")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name="Confluence de tendances multi-unités").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Confluence de tendances multi-unités"
    )
    rules = page.locator("ol.rules > li")
    expect(rules.first).to_contain_text("Entre en position longue quand")
    assert fits_the_screen(page)
    page.screenshot(path=tmp_path / "strategy-fr.png", full_page=True)

    page.get_by_role("button", name="En faire une copie").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confluence de tendances")
    page.get_by_role("link", name="Modifier le document").click()

    editor = page.get_by_label("Document")
    text = editor.input_value()
    editor.fill(text.replace("kind: ema", "kind: emma", 1))
    page.get_by_role("button", name="Enregistrer comme nouvelle version").click()

    problems = page.locator("#problems")
    expect(problems).to_contain_text(
        "ligne 7\u00a0: indicators.ema_trigger.kind: type d’indicateur inconnu «\u00a0emma\u00a0»"
    )
    assert fits_the_screen(page)
    page.screenshot(path=tmp_path / "editor-fr.png", full_page=True)

    # The text typed is still there: fix it with the keyboard and save.
    page.get_by_label("Document").fill(text)
    page.get_by_label("Document").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#problems")).to_have_count(0)
