"""The site's bot pointed at the sandbox venue's Telegram dialect, and a user's chat with it."""

import re
import time

from django.test import Client

from notifications.models import Channel
from notifications.senders import telegram
from notifications.senders.errors import RateLimited

CHAT = 4242


def point_at_sandbox(settings, venue) -> None:
    settings.TELEGRAM_BOT_TOKEN = venue.telegram_bot.token
    settings.TELEGRAM_BOT_USERNAME = venue.telegram_bot.username
    settings.TELEGRAM_API_URL = venue.url
    settings.TELEGRAM_LINK_URL = venue.url + "/_sandbox/telegram/chat?bot={bot}&start={token}"


def deliver(update: dict, secret: str | None = None):
    """POST the update to our webhook as Telegram does, and carry out the method our answer
    names (the Bot API runs it, as the sandbox's own webhook delivery does)."""
    response = Client().post(
        "/telegram/webhook/",
        update,
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": secret or telegram.webhook_secret()},
    )
    if response.status_code == 200 and (answer := response.json()).get("method"):
        method = answer.pop("method")
        try:
            telegram.call(method, **answer)
        except RateLimited as limited:  # the chat's pace, as Telegram keeps it
            time.sleep(limited.seconds)
            telegram.call(method, **answer)
    return response


def says(venue, text: str, chat: int = CHAT, **who):
    """The user types `text` in the chat; Telegram hands the update to our webhook."""
    return deliver(venue.telegram_user_says(chat, text, **who))


def replies(venue, chat: int = CHAT) -> list[str]:
    return [message["text"] for message in venue.telegram_messages(chat)]


def link(client: Client, venue, chat: int = CHAT) -> Channel:
    """Press "Link Telegram", open the deep link, press Start."""
    page = client.post("/en/profile/notifications/telegram/link/").content.decode()
    token = re.search(r"start=([A-Za-z0-9_-]+)", page).group(1)
    response = says(venue, f"/start {token}", chat, first_name="Ada", username="ada")
    assert response.status_code == 200
    return Channel.objects.get(kind="telegram", telegram_chat_id=chat)
