"""Telegram against the sandbox venue's Bot API dialect: linking with a one-time token, what an
unlinked chat gets, delivery with Telegram's HTML, 429's retry_after honoured, a blocked bot."""

import time

import pytest
from django.utils import timezone

from exchanges.sandbox.faults import Fault
from notifications.events import Event, Message, renderers
from notifications.models import Channel, Delivery, DeliveryStatus, TelegramLinkToken
from notifications.services.outbox import notify
from tests.notifications.telegram_helpers import (
    CHAT,
    deliver,
    link,
    point_at_sandbox,
    replies,
    says,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bot(settings, venue):
    point_at_sandbox(settings, venue)
    return venue


@pytest.fixture(autouse=True)
def _renderer(monkeypatch):
    monkeypatch.setitem(
        renderers,
        Event.RUN_STARTED,
        lambda params: Message(
            title=f"Run <{params['run']}> started", paragraphs=("A & B.",), url="https://x.test/r"
        ),
    )


def test_linking_a_chat_with_the_deep_link_token(person, person_client, bot):
    page = person_client.get("/en/profile/notifications/").content.decode()
    assert "Link Telegram" in page

    channel = link(person_client, bot)

    assert (channel.user, channel.telegram_name) == (person, "@ada")
    assert channel.events == [
        "fill",
        "run_started",
        "run_ended",
        "risk",
        "reconciliation",
        "key",
        "drift",
        "daily",
    ]
    assert "Linked. This chat now gets your Noon Barbari notifications" in replies(bot)[-1]
    assert not TelegramLinkToken.objects.exists()  # used up
    page = person_client.get("/en/profile/notifications/").content.decode()
    assert "Linked to the Telegram chat of @ada" in page


def test_a_token_works_once_and_a_chat_speaks_for_one_account(person, person_client, bot):
    page = person_client.post("/en/profile/notifications/telegram/link/").content.decode()
    token = page.split("start=")[1].split('"')[0]
    says(bot, f"/start {token}")
    says(bot, f"/start {token}", chat=CHAT + 1)  # the same link opened by someone else

    assert Channel.objects.filter(kind="telegram").count() == 1
    assert "This link has expired or was used already" in replies(bot, CHAT + 1)[-1]


def test_an_expired_token_links_nothing(person, person_client, bot):
    page = person_client.post("/en/profile/notifications/telegram/link/").content.decode()
    token = page.split("start=")[1].split('"')[0]
    TelegramLinkToken.objects.update(expires_at=timezone.now())
    says(bot, f"/start {token}")

    assert not Channel.objects.filter(kind="telegram").exists()
    assert "This link has expired" in replies(bot)[-1]


def test_an_unlinked_chat_gets_only_how_to_link_in_its_language(bot):
    says(bot, "/status", chat=77, language_code="en")
    says(bot, "/kill 123456", chat=78, language_code="fr")

    assert replies(bot, 77) == [
        "This chat is not linked to a Noon Barbari account. To link it, sign in on Noon "
        "Barbari, open your notifications page and press “Link Telegram”."
    ]
    (french,) = replies(bot, 78)
    assert french.startswith("Ce chat n’est lié à aucun compte Noon Barbari.")


def test_the_webhook_refuses_a_request_without_our_secret(bot):
    update = bot.telegram_user_says(79, "/status")
    assert deliver(update, secret="guessed").status_code == 403
    assert replies(bot, 79) == []


def test_an_update_sent_twice_is_acted_on_once(bot):
    update = bot.telegram_user_says(80, "/status")
    deliver(update)
    deliver(update)
    assert len(replies(bot, 80)) == 1


def test_a_notification_arrives_in_the_chat_as_telegram_html(
    person, person_client, bot, django_capture_on_commit_callbacks
):
    link(person_client, bot)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=person, event=Event.RUN_STARTED, key="run_started:1", params={"run": 1})

    last = bot.telegram_messages(CHAT)[-1]
    assert last["parse_mode"] == "HTML"
    assert last["text"] == (
        "<b>Run &lt;1&gt; started</b>\n\nA &amp; B.\n\n"
        '<a href="https://x.test/r">Open in Noon Barbari</a>'
    )
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_telegrams_429_is_honoured_with_its_retry_after(
    person, person_client, bot, django_capture_on_commit_callbacks
):
    link(person_client, bot)
    bot.inject(Fault("rate_limit", venue="telegram", endpoint="sendMessage", seconds=2))
    began = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=person, event=Event.RUN_STARTED, key="run_started:2", params={"run": 2})

    assert time.monotonic() - began >= 2.0
    assert bot.faults.pending() == []
    assert replies(bot)[-1].startswith("<b>Run &lt;2&gt; started</b>")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)  # a 429 is no failure


def test_a_burst_to_one_chat_is_paced_at_one_message_a_second(
    person, person_client, bot, django_capture_on_commit_callbacks
):
    link(person_client, bot)
    began = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        for run in range(4):
            notify(user=person, event=Event.RUN_STARTED, key=f"s:{run}", params={"run": run})

    assert time.monotonic() - began >= 2.5  # four messages: three one-second gaps at least
    assert len(replies(bot)) == 1 + 4  # the link's answer, then each once
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def test_a_blocked_bot_ends_the_channel_and_the_pages_say_so(
    person, person_client, bot, django_capture_on_commit_callbacks
):
    link(person_client, bot)
    bot.telegram_block(CHAT)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=person, event=Event.RUN_STARTED, key="run_started:3", params={"run": 3})

    channel = Channel.objects.get(kind="telegram")
    assert channel.broken_reason == "blocked"
    assert Delivery.objects.get().status == DeliveryStatus.FAILED
    page = person_client.get("/en/profile/notifications/").content.decode()
    assert "This channel stopped taking messages: you blocked the bot, or left Telegram." in page
    assert "Messages that did not arrive" in page
    profile = person_client.get("/en/profile/").content.decode()
    assert "1 message did not arrive" in profile


def test_unlinking_is_one_click_and_drops_what_was_still_to_send(person, person_client, bot):
    link(person_client, bot)
    response = person_client.post("/en/profile/notifications/telegram/unlink/")
    assert response.status_code == 302
    assert not Channel.objects.filter(kind="telegram").exists()
    says(bot, "/runs")
    assert "not linked" in replies(bot)[-1]
