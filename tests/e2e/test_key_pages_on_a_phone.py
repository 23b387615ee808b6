"""The keys list and a key page on a phone-sized screen: nothing scrolls sideways, even with a
50-character label, and each status badge has the colour of its meaning, its words kept."""

import pytest
from django.core.management import call_command
from django_q.conf import Conf
from playwright.sync_api import Page

from exchanges.models import Exchange, ExchangeKey, KeyStatus
from exchanges.services import exchange_key_create
from tests.accounts.helpers import enrol, make_user
from tests.e2e.browsing import PHONE, sign_in
from tests.exchanges.conftest import kraken_credentials

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# 50 characters (the label's maximum) and no place to break a line.
LONG_LABEL = "kraken_spot_main_account_for_the_trend_bot_2026_v2"
# site.css's --color-success, --color-danger and --color-warning, as the browser computes them.
GREEN, RED, AMBER = "rgb(21, 128, 61)", "rgb(185, 28, 28)", "rgb(161, 98, 7)"


@pytest.fixture
def keys(monkeypatch):
    """A signed-in user's keys in each status (no worker: their tests stay queued)."""
    monkeypatch.setattr(Conf, "SYNC", False)
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    user = make_user("phone@example.com")
    kraken = Exchange.objects.get(slug="kraken")
    statuses = {
        LONG_LABEL: KeyStatus.OK,
        "failed": KeyStatus.FAILED,
        "refused": KeyStatus.REFUSED,
        "untested": KeyStatus.UNTESTED,
        "testing": KeyStatus.TESTING,
    }
    for label, status in statuses.items():
        key = exchange_key_create(
            user=user, exchange=kraken, label=label, credentials=kraken_credentials()
        )
        ExchangeKey.objects.filter(pk=key.pk).update(status=status)
    return user


@pytest.fixture
def phone(live_server, page: Page, keys) -> Page:
    sign_in(page, live_server, keys, device=enrol(keys))
    page.set_viewport_size(PHONE)
    return page


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_keys_list_and_a_long_labelled_key_fit_a_390_px_screen(live_server, phone, language):
    phone.goto(f"{live_server.url}/{language}/profile/keys/")
    assert phone.get_by_text(LONG_LABEL).is_visible()
    assert scroll_width(phone) <= PHONE["width"]

    phone.get_by_text(LONG_LABEL).click()
    phone.wait_for_url("**/keys/*/")
    assert phone.get_by_role("heading", name=LONG_LABEL).is_visible()
    assert scroll_width(phone) <= PHONE["width"]


def test_status_badges_have_the_colour_of_their_meaning_and_keep_their_words(live_server, phone):
    phone.goto(f"{live_server.url}/en/profile/keys/")

    expected = {
        "Connected": GREEN,
        "Connection failed": RED,
        "Refused": RED,
        "Not tested yet": AMBER,
        "Testing…": AMBER,
    }
    for words, colour in expected.items():
        badge = phone.locator(".badge", has_text=words)
        assert badge.count() == 1, words
        assert badge.evaluate("element => getComputedStyle(element).color") == colour, words
        assert badge.inner_text().strip() == words  # the text stays, for screen readers too
