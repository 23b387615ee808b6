import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.e2e.browsing import PHONE, accessibility_problems

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def guides(transactional_db):
    # Transactional tests empty the database: load the guides again.
    call_command("load_guides", verbosity=0)


def test_visitor_filters_the_guides_and_reads_kraken_in_french(
    guides, live_server, page: Page, tmp_path
):
    page.goto(f"{live_server.url}/fr/guides/")
    page.get_by_label("Région").select_option("us_friendly")
    page.get_by_role("button", name="Filtrer").click()

    expect(page).to_have_url(re.compile(r"region=us_friendly"))
    expect(page.get_by_role("link", name="Connecte Binance à ton trading bot")).to_have_count(0)
    page.get_by_role("link", name="Connecte Kraken à ton trading bot").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Connecte Kraken à ton trading bot")
    expect(page.get_by_text("Ne jamais accorder le retrait\u00a0:")).to_be_visible()
    page.screenshot(path=tmp_path / "kraken-fr.png", full_page=True)


def test_copy_button_copies_our_ip_address(guides, live_server, page: Page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}/en/guides/kraken/")

    # Located by its target: the button's name changes when it has copied.
    button = page.locator("button[data-copy-target='egress-ips']")
    expect(button).to_have_text("Copy")
    button.click()

    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "51.38.112.198"


def test_troubleshooting_anchor_deep_links_to_the_error(guides, live_server, page: Page):
    page.goto(f"{live_server.url}/en/guides/kraken/#error-eapi-invalid-signature")

    entry = page.locator("#error-eapi-invalid-signature")
    expect(entry).to_be_in_viewport()
    expect(entry.get_by_role("heading")).to_have_text("EAPI:Invalid signature")


def test_the_language_switcher_keeps_the_section_being_read(guides, live_server, page: Page):
    page.goto(f"{live_server.url}/en/guides/kraken/#permissions")
    page.locator(".language-switcher a[hreflang=fr]").first.click()

    expect(page).to_have_url(f"{live_server.url}/fr/guides/kraken/#permissions")

    page.goto(f"{live_server.url}/fr/guides/kraken/")
    page.evaluate("window.location.hash = 'ip-whitelist'")
    page.locator(".language-switcher a[hreflang=en]").first.click()

    expect(page).to_have_url(f"{live_server.url}/en/guides/kraken/#ip-whitelist")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_live_exchanges_page_on_a_phone(guides, live_server, page: Page, steps, language):
    page.set_viewport_size(PHONE)
    heading = {"en": "Which exchanges trade live", "fr": "Quelles plateformes tradent en réel"}
    with steps(f"the live exchanges table in {language} at 390 px"):
        page.goto(f"{live_server.url}/{language}/exchanges/")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading[language])
        expect(page.get_by_role("link", name="Kraken Futures")).to_be_visible()
        assert accessibility_problems(page) == []
