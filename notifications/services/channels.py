"""Writes to a user's channels: linking and unlinking, addresses, the events each carries.

Telegram is linked by the user sending the bot a one-time token (`/start <token>`, which
Telegram's deep link types for them): we never ask for a chat id, and a token read by someone
else is worthless after its first use or after `LINK_TOKEN_TTL`.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from notifications import signing
from notifications.events import DEFAULT_EVENTS, Event
from notifications.models import Channel, ChannelKind, Preferences, TelegramLinkToken
from notifications.senders import telegram
from notifications.senders.channels import url_hint

LINK_TOKEN_TTL = timedelta(minutes=15)


def email_channel(user: User) -> Channel:
    """The user's email channel, made with its default events the first time it is needed."""
    channel, _created = Channel.objects.get_or_create(
        user=user, kind=ChannelKind.EMAIL, defaults={"events": DEFAULT_EVENTS["email"]}
    )
    return channel


@transaction.atomic
def channel_events_set(*, user: User, kind: str, events: list[str]) -> Channel:
    """The events the user's channel of `kind` carries (unknown names are dropped)."""
    channel = Channel.objects.select_for_update().get(user=user, kind=kind)
    channel.events = [event for event in Event.values if event in events]
    channel.save(update_fields=["events"])
    return channel


@transaction.atomic
def telegram_link_start(*, user: User) -> str:
    """A new one-time token for the user (any earlier one is forgotten); the deep link."""
    TelegramLinkToken.objects.filter(user=user).delete()
    token = secrets.token_urlsafe(24)  # Telegram's start payload: A-Z a-z 0-9 _ -, up to 64
    TelegramLinkToken.objects.create(
        user=user,
        digest=telegram.link_digest(token),
        expires_at=timezone.now() + LINK_TOKEN_TTL,
    )
    return settings.TELEGRAM_LINK_URL.format(bot=settings.TELEGRAM_BOT_USERNAME, token=token)


class LinkRefused(Exception):
    """Why a chat was not linked: the token is unknown or expired, or the chat is another
    account's."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@transaction.atomic
def telegram_link_complete(*, token: str, chat_id: int, name: str) -> Channel:
    """Link the chat that sent the token to the token's user (the token is used up)."""
    link = (
        TelegramLinkToken.objects.select_for_update()
        .select_related("user")
        .filter(digest=telegram.link_digest(token))
        .first()
    )
    if link is None or link.expires_at < timezone.now():
        raise LinkRefused("expired")
    user = link.user
    link.delete()
    other = Channel.objects.filter(telegram_chat_id=chat_id).exclude(user=user).first()
    if other is not None:
        raise LinkRefused("other_account")
    channel = Channel.objects.filter(user=user, kind=ChannelKind.TELEGRAM).first() or Channel(
        user=user, kind=ChannelKind.TELEGRAM, events=DEFAULT_EVENTS["telegram"]
    )
    channel.telegram_chat_id, channel.telegram_name = chat_id, name[:80]
    channel.broken_reason = ""
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError:  # the same chat linked by another account at this very moment
        raise LinkRefused("other_account") from None
    return channel


def channel_unlink(*, user: User, kind: str) -> None:
    """Forget the channel (its pending deliveries go with it). Email is switched off, not
    removed: the address is the account's."""
    if kind == ChannelKind.EMAIL:
        channel_events_set(user=user, kind=kind, events=[])
        return
    Channel.objects.filter(user=user, kind=kind).delete()


@transaction.atomic
def channel_address_set(*, user: User, kind: str, url: str) -> str | None:
    """A Discord or webhook channel at `url`; for a webhook, its new signing secret (shown
    once: only the receiver keeps it), else None."""
    channel = Channel.objects.select_for_update().filter(user=user, kind=kind).first()
    if channel is None:
        channel = Channel(user=user, kind=kind, events=DEFAULT_EVENTS[kind])
    channel.url, channel.url_hint, channel.broken_reason = url, url_hint(url), ""
    secret = None
    if kind == ChannelKind.WEBHOOK:
        secret = signing.new_secret()
        channel.signing_secret = secret
    channel.save()
    return secret


def preferences_of(user: User) -> Preferences:
    """The user's preferences, or their defaults (unsaved: a tick or the hourly summary only
    reads them; the page's form saves them)."""
    return Preferences.objects.filter(user=user).first() or Preferences(user=user)


def preferences_set(*, user: User, drift_threshold_pct, summary_hour: int, time_zone: str) -> None:
    Preferences.objects.update_or_create(
        user=user,
        defaults={
            "drift_threshold_pct": drift_threshold_pct,
            "summary_hour": summary_hour,
            "time_zone": time_zone,
        },
    )
