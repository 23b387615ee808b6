"""Each channel's way of showing a `Message`, and of sending it. A sender raises a
`senders.errors` class on failure; it never logs the address it posts to."""

import json
import time
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from accounts.emails import absolute_url, send_user_email
from notifications import addresses, signing
from notifications.events import Message
from notifications.models import Channel, ChannelKind, Delivery
from notifications.senders import http, telegram
from notifications.senders.errors import ChannelGone

# Discord refuses a description longer than this in an embed.
DISCORD_DESCRIPTION = 4096


def telegram_html(message: Message) -> str:
    parts = [f"<b>{escape(message.title)}</b>", *(escape(p) for p in message.paragraphs)]
    if message.url:
        parts.append(f'<a href="{escape(message.url)}">{escape(_("Open in Noon Barbari"))}</a>')
    return "\n\n".join(parts)


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
    response = http.post(_address(channel), json_body=body)
    # Discord answers 404 for a deleted webhook and 401 for a wrong token.
    http.raise_for_answer(response, gone=(401, 403, 404))


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
    response = http.post(_address(channel), data=body, headers=headers)
    http.raise_for_answer(response, gone=(404, 410))


def _address(channel: Channel) -> str:
    """The channel's address, checked again: its host may resolve elsewhere since it was saved."""
    if channel.url is None:
        raise ChannelGone("no address")
    url = channel.url.reveal()
    try:
        addresses.check_public(url)
    except ValidationError:
        raise ChannelGone("address not public") from None
    return url


def url_hint(url: str) -> str:
    """What a page shows of a webhook address: scheme and host, never the path's token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…"


SENDERS = {
    ChannelKind.EMAIL: send_email,
    ChannelKind.TELEGRAM: send_telegram,
    ChannelKind.DISCORD: send_discord,
    ChannelKind.WEBHOOK: send_webhook,
}
