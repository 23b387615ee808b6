import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_visitor_reads_the_home_page_and_switches_to_french(live_server, page: Page, tmp_path):
    page.goto(f"{live_server.url}/en/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Connect your exchange safely. Run your strategy honestly."
    )

    page.get_by_role("link", name="FR").click()

    expect(page).to_have_url(re.compile(r"/fr/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Connecte ton exchange")
    expect(page.get_by_role("link", name="S’inscrire")).to_be_visible()
    page.screenshot(path=tmp_path / "home-fr.png", full_page=True)


def test_layout_holds_on_a_phone_screen(live_server, page: Page):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/fr/")

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375
    expect(page.get_by_role("link", name="Guides", exact=True)).to_be_visible()
