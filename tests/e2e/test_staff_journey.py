"""A staff member's journey in a real browser: logs in with a code, edits the French tagline of
the Kraken guide and the French thesis of a catalog strategy in the admin, reads both on the
public French pages, then stops every run of one user with the per-user kill switch.

Real: Debian's chromium, the whole site on pytest-django's live server, the login pages and
the admin as staff use them, the public pages' cache (an edit must reach the pages through
it). The users and their paper runs are created directly: their own journey is
test_journey.py's subject, and paper runs need no worker to be stopped.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from strategies.models import RunStatus
from tests.accounts.helpers import PASSWORD, enrol, make_user, totp_code
from tests.strategies.run_helpers import paper_run
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TAGLINE = "Le guide revu par l'équipe : une clé en lecture et trading, jamais en retrait."
THESIS = "Une thèse réécrite par l'équipe pour tester l'admin de bout en bout."


def test_a_staff_members_journey(live_server, page: Page, steps):
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    call_command("load_strategies", verbosity=0)
    staff = make_user("staff@example.com", is_staff=True, is_superuser=True)
    device = enrol(staff)
    trader, bystander = make_user("trader@example.com"), make_user("bystander@example.com")
    candles = hand_candles()
    runs = [paper_run(trader, HAND, candles, start=1) for _ in range(2)]
    other = paper_run(bystander, HAND, candles, start=1)
    url = live_server.url
    expect.set_options(timeout=15_000)

    with steps("log in with a code"):
        page.goto(f"{url}/en/accounts/login/")
        page.get_by_label("Email address").fill(staff.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_label("Code").fill(totp_code(device))
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")

    with steps("the French tagline of the Kraken guide"):
        page.goto(f"{url}/en/admin/")
        page.locator("#guides-guide").get_by_role("link", name="Guides").click()
        page.get_by_role("link", name="Kraken", exact=True).click()
        french_inline(page, "translations").locator("[name$='-tagline']").fill(TAGLINE)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    with steps("the French thesis of a catalog strategy"):
        page.goto(f"{url}/en/admin/")
        page.locator("#strategies-catalogentry").get_by_role("link").first.click()
        page.get_by_role("link", name="premium_discount_zones", exact=True).click()
        french_inline(page, "texts").locator("[name$='-thesis']").fill(THESIS)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    with steps("both on the public pages"):
        page.goto(f"{url}/fr/guides/kraken/")
        expect(page.locator("p.lead")).to_have_text(TAGLINE)
        page.goto(f"{url}/fr/strategies/premium_discount_zones/")
        expect(page.get_by_text(THESIS)).to_be_visible()

    with steps("the kill switch on a user's runs"):
        page.goto(f"{url}/en/admin/strategies/strategyrun/?q=trader%40example.com")
        page.locator("input[name=_selected_action]").first.check()
        page.get_by_label("Action:").select_option("stop_all_of_their_owners")
        page.get_by_role("button", name="Go").click()
        expect(page.locator(".messagelist")).to_contain_text("2 runs stopped.")

    for run in runs:
        run.refresh_from_db()
        assert (run.status, run.stop_code) == (RunStatus.STOPPED, "killed_by_staff")
    other.refresh_from_db()
    assert other.status == RunStatus.RUNNING  # another user's run goes on


def french_inline(page: Page, prefix: str):
    """The admin inline form whose language is French."""
    languages = page.locator(f"select[name^='{prefix}-'][name$='-language']")
    expect(languages.first).to_be_attached()  # the page may still be loading
    for index in range(languages.count()):
        if languages.nth(index).input_value() == "fr":
            return page.locator(f".inline-related:has(select[name='{prefix}-{index}-language'])")
    raise AssertionError("no French inline")
