"""Addresses a user gives us to POST to (a Discord webhook, their own receiver). Our workers
send there, so an address must not reach into our own network (Redis, the database, a
cloud's metadata service): a host that resolves to a private, loopback or link-local address
is refused when the form is saved and again before each send (DNS can change in between)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DISCORD_HOSTS = ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com")
PRIVATE = _("This address leads into a private network; give one that the internet can reach.")
UNKNOWN_HOST = _("This address's host name does not resolve; check it for typing mistakes.")
HTTPS_ONLY = _("The address must start with https:// (the messages are signed, not hidden).")
NOT_DISCORD = _(
    "This is not a Discord webhook address. In Discord: the channel's settings, "
    "Integrations, Webhooks, then “Copy Webhook URL”."
)


def check_public(url: str) -> None:
    """ValidationError unless every address the host resolves to is public (any address,
    when settings.NOTIFICATION_PRIVATE_ADDRESSES allows it: tests and the offline demo)."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not settings.NOTIFICATION_PRIVATE_ADDRESSES:
        raise ValidationError(HTTPS_ONLY, code="https")
    if settings.NOTIFICATION_PRIVATE_ADDRESSES:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname or "", parts.port or 443)
    except (socket.gaierror, UnicodeError):
        raise ValidationError(UNKNOWN_HOST, code="unknown_host") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ValidationError(PRIVATE, code="private")


def check_discord(url: str) -> None:
    parts = urlsplit(url)
    allowed = settings.NOTIFICATION_PRIVATE_ADDRESSES or parts.hostname in DISCORD_HOSTS
    if not allowed or not parts.path.startswith("/api/webhooks/"):
        raise ValidationError(NOT_DISCORD, code="not_discord")
    check_public(url)
