"""The key page in a browser: saved, "Testing…", then the verdict by itself, through a real
worker and the sandbox venue."""

import time

import pytest
from django.core.management import call_command
from django_q.conf import Conf
from playwright.sync_api import Page, expect

from exchanges.models import ConnectionTest
from tests.accounts.helpers import enrol, make_user
from tests.e2e.browsing import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.cluster, pytest.mark.django_db(transaction=True)]

# The promise: the page shows the verdict within 2 s of the task ending (it polls
# every second).
VERDICT_SHOWN_WITHIN = 2.0


@pytest.fixture
def signed_in_page(live_server, page: Page) -> Page:
    """A browser whose session passed both factors (the login itself has its own test)."""
    user = make_user("keys-browser@example.com")
    sign_in(page, live_server, user, device=enrol(user))
    return page


def test_the_key_page_turns_into_the_verdict_by_itself(
    live_server, signed_in_page, venue, settings, start_qcluster, monkeypatch, tmp_path
):
    page = signed_in_page
    monkeypatch.setattr(Conf, "SYNC", False)  # the worker process runs the test
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    start_qcluster(EXCHANGE_API_OVERRIDES=f"kraken={venue.url}")
    demo = venue.key("spot-full")
    # The exchange takes 2 s on its first answer: long enough to see "Testing…" for sure.
    venue.inject_slow(seconds=2, count=1)

    page.goto(f"{live_server.url}/en/profile/keys/add/kraken/")
    page.get_by_label("Label").fill("browser")
    page.get_by_label("API key").fill(demo.key)
    page.get_by_label("Secret").fill(demo.secret)
    page.get_by_role("button", name="Save the key").click()

    expect(page.get_by_text("Testing the key (nothing is traded or moved)")).to_be_visible()
    expect(page.get_by_text("✓ Connected")).to_be_visible(timeout=30_000)
    shown = time.time()

    test = ConnectionTest.objects.get(key__label="browser")
    delay = shown - test.finished_at.timestamp()
    print(f"verdict shown {delay * 1000:.0f} ms after the task ended")  # pytest -s shows it
    assert delay < VERDICT_SHOWN_WITHIN
    expect(page.get_by_text("Currencies seen on the account")).to_be_visible()
    expect(page.get_by_role("cell", name="Connected")).to_be_visible()  # the tests' history
    page.screenshot(path=tmp_path / "key-verdict.png", full_page=True)
