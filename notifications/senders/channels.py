"""Each channel's way of showing a `Message`, and of sending it. A sender raises a
`senders.errors` class on failure; it never logs the address it posts to."""

import json
import time
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from accounts.emails import absolute_url, send_user_email
from notifications import signing
from notifications.events import Message
from notifications.models import Channel, ChannelKind, Delivery
from notifications.senders import http, telegram
from notifications.senders.errors import ChannelGone

# Discord refuses a description longer than this in an embed.
DISCORD_DESCRIPTION = 4096


def telegram_html(message: Message) -> str:
    """The message in Telegram's HTML: the title in bold, the paragraphs, the link; the text
    cut before it is marked up, so that a long run name can never cut a tag in two."""
    link = _("Open in Noon Barbari")
    room = telegram.MAX_TEXT - len(link) - len(message.url) - 64
    parts, used = [message.title], len(message.title)
    for paragraph in message.paragraphs:
        if used + len(paragraph) + 2 > room:
            break
        parts.append(paragraph)
        used += len(paragraph) + 2
    html = [f"<b>{escape(parts[0][:room])}</b>", *(escape(p) for p in parts[1:])]
    if message.url:
        html.append(f'<a href="{escape(message.url)}">{escape(link)}</a>')
    return "\n\n".join(html)


def send_email(channel: Channel, message: Message, delivery: Delivery) -> None:
    settings_url = absolute_url(reverse("notifications:settings"))
    send_user_email(
        channel.user,
        "notifications/email/notice",
        {"message": message, "settings_url": settings_url},
    )


def send_telegram(channel: Channel, message: Message, delivery: Delivery) -> None:
    if channel.telegram_chat_id is None:
        raise ChannelGone("no chat linked")
    telegram.send_text(channel.telegram_chat_id, telegram_html(message))


def send_discord(channel: Channel, message: Message, delivery: Delivery) -> None:
    body = {
        "embeds": [
            {
                "title": message.title[:256],
                "description": "\n\n".join(message.paragraphs)[:DISCORD_DESCRIPTION],
                **({"url": message.url} if message.url else {}),
            }
        ],
        # A run's name is the user's own text: it must never ping anybody.
        "allowed_mentions": {"parse": []},
    }
    data = json.dumps(body).encode()
    answer = http.post_pinned(_address(channel), data, {"Content-Type": "application/json"})
    # Discord answers 404 for a deleted webhook and 401 for a wrong token.
    http.raise_for_answer(answer, gone=(401, 403, 404))


def webhook_body(message: Message, delivery: Delivery) -> bytes:
    notification = delivery.notification
    payload = {
        "id": str(delivery.idempotency_key),
        "event": notification.event,
        "created_at": notification.created_at.isoformat(),
        "title": message.title,
        "text": "\n\n".join(message.paragraphs),
        "url": message.url,
        "data": message.data,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def send_webhook(channel: Channel, message: Message, delivery: Delivery) -> None:
    if channel.signing_secret is None:
        raise ChannelGone("no signing secret")
    body = webhook_body(message, delivery)
    headers = signing.signed_headers(
        channel.signing_secret.reveal(), int(time.time()), body, str(delivery.idempotency_key)
    )
    answer = http.post_pinned(_address(channel), body, headers)
    http.raise_for_answer(answer, gone=(404, 410))


def _address(channel: Channel) -> str:
    if channel.url is None:
        raise ChannelGone("no address")
    return channel.url.reveal()


def url_hint(url: str) -> str:
    """What a page shows of a webhook address: scheme, host and port, never the path's token
    nor a user name and password written into it."""
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}/…"[:120]


SENDERS = {
    ChannelKind.EMAIL: send_email,
    ChannelKind.TELEGRAM: send_telegram,
    ChannelKind.DISCORD: send_discord,
    ChannelKind.WEBHOOK: send_webhook,
}
