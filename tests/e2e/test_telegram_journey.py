"""Telegram in a real browser: a user with two-factor on links Telegram from their notifications
page through the sandbox venue's chat page, hears their live run's entry fill there, and stops
the run from the chat with /stop and a fresh authenticator code (refused without one).

What is real and what is not:
- Real: Debian's chromium; the site on pytest-django's live server; the bot's webhook, which
  the sandbox's Telegram (set with the Bot API's setWebhook, as `manage.py telegram_webhook`
  does) POSTs each update to, with the secret header; the bot's replies and the fill notice
  sent back through the Bot API's sendMessage; the run's orders at the sandbox venue in
  Kraken's dialect; a TOTP code computed from the user's device.
- Not real, and why: Telegram is the sandbox's chat page, where the browser plays the user
  (no test may reach the internet); the run's tick is called in the test process, on candles
  the test stored, at the venue's frozen clock (no waiting for an hour's candle to close).
  Tasks run inline (tests.settings: `sync`), each in the process whose transaction queued it
  on commit: the fill's delivery in this process after the tick, the stop's cancel in the
  live server's thread that answers the webhook.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from exchanges import retry
from notifications.senders import telegram
from strategies.models import RunStatus
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import enrol, totp_code
from tests.e2e.browsing import PHONE, accessibility_problems, sign_in
from tests.notifications.telegram_helpers import CHAT, point_at_sandbox
from tests.strategies.test_runs_stop import flat_live_run, resting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT = 15_000  # ms: a webhook delivery and the chat page's next poll (every 3 s)
NEEDS_CODE = "This command needs a fresh code from your authenticator app"


@pytest.fixture
def telegram_at_the_sandbox(live_server, venue, settings, monkeypatch):
    """The sandbox standing in for Kraken and for Telegram: the deep link opens its chat page
    as user CHAT, and the bot's webhook is the live server's."""
    call_command("load_guides", verbosity=0)  # transactional tests empty the database
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    settings.RUNS_MIN_MARKET_VOLUME = 1000.0
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    point_at_sandbox(settings, venue)
    settings.TELEGRAM_LINK_URL = (
        f"{venue.url}/_sandbox/telegram/chat?chat_id={CHAT}&bot={{bot}}&start={{token}}"
    )
    telegram.call(
        "setWebhook",
        url=f"{live_server.url}/telegram/webhook/",
        secret_token=telegram.webhook_secret(),
    )
    return venue


def test_link_telegram_hear_a_fill_and_stop_a_run_with_a_code(
    telegram_at_the_sandbox, live_server, page: Page, steps
):
    venue, url = telegram_at_the_sandbox, live_server.url
    venue.freeze_time(1_790_000_000.0)
    run, candles = flat_live_run(venue, "telegram@example.com")
    device = enrol(run.owner)
    sign_in(page, live_server, run.owner, device=device)
    page.set_default_timeout(WAIT)
    expect.set_options(timeout=WAIT)

    with steps("the notifications page, from the profile"):
        page.goto(f"{url}/en/profile/")
        page.get_by_role("link", name="Manage notifications").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
        telegram_panel = page.get_by_role("region", name="Telegram")
        expect(telegram_panel.get_by_role("button", name="Link Telegram")).to_be_visible()

    with steps("Link Telegram pressed: the link to open"):
        telegram_panel.get_by_role("button", name="Link Telegram").click()
        link = page.locator("#telegram-link")
        expect(link).to_have_text("Open Telegram and link this chat")
        expect(page.get_by_text("It works once, within 15 minutes")).to_be_visible()
        assert accessibility_problems(page) == []

    with page.context.expect_page() as opened:
        link.click()  # target=_blank: "Telegram" opens beside the site
    chat = opened.value
    site, steps.page = page, chat  # the next steps' screenshots are the chat's
    bot = venue.telegram_bot.username
    conversation = chat.get_by_role("list", name="Conversation")

    with steps("the sandbox chat, Start pressed: linked"):
        expect(chat.get_by_role("heading", level=1)).to_contain_text(f"@{bot}")
        chat.get_by_role("button", name="Start").click()
        expect(conversation).to_contain_text("/start ")
        expect(conversation).to_contain_text("Linked. This chat now gets your Noon Barbari")

    with steps("the run ticks: its fill told in the chat"):
        run_tick(run_id=run.pk, bar_ms=int(candles.time[1]))
        run.refresh_from_db()
        assert run.position is not None, "the run must have bought"
        expect(conversation).to_contain_text(
            re.compile(r"Bought [0-9.]+ BTC at [0-9.,]+ USD \(entry\)")
        )
        assert [order.type for order in resting(venue)] == ["stop-loss"]

    message = chat.get_by_label(f"Message to @{bot}")

    with steps("/stop without a code: refused"):
        message.fill(f"/stop {run.pk}")
        chat.get_by_role("button", name="Send").click()
        expect(conversation.locator(".from-bot").last).to_contain_text(NEEDS_CODE)
        run.refresh_from_db()
        assert run.status == RunStatus.RUNNING
        assert len(resting(venue)) == 1

    with steps("/stop with a fresh code: stopped"):
        message.fill(f"/stop {run.pk} {totp_code(device)}")
        chat.get_by_role("button", name="Send").click()
        expect(conversation).to_contain_text(f"Stopped run #{run.pk}. Its orders at the exchange")
        run.refresh_from_db()
        assert run.status == RunStatus.STOPPED

    with steps("the chat on a phone"):
        chat.set_viewport_size(PHONE)  # the steps check it does not scroll sideways
        expect(message).to_be_visible()
        expect(chat.get_by_role("button", name="Send")).to_be_visible()

    steps.page = site
    with steps("the run's page: stopped, nothing left at Kraken"):
        page.goto(f"{url}/en/runs/{run.pk}/")
        expect(page.locator("#run-live .badge").first).to_have_text("Stopped")
        expect(page.get_by_text("the position it opened stays open at Kraken")).to_be_visible()
        expect(page.get_by_text("may still rest at Kraken")).to_have_count(0)
        assert resting(venue) == []

    with steps("the notifications page on a phone: linked"):
        page.set_viewport_size(PHONE)
        page.goto(f"{url}/en/profile/notifications/")
        panel = page.get_by_role("region", name="Telegram")
        expect(panel).to_contain_text("Linked to the Telegram chat of")
        expect(panel.get_by_role("button", name="Unlink Telegram")).to_be_visible()
        assert accessibility_problems(page) == []
