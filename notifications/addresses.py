"""Addresses a user gives us to POST to (a Discord webhook, their own receiver). Our workers
send there, so an address must not reach into our own network (Redis, the database, a
cloud's metadata service): its host is resolved, every address it resolves to must be public
(not private, loopback, link-local, nor an IPv6 prefix that embeds an IPv4 address), and the
send then connects to the very address checked (senders.http), so a DNS answer that changes
between the check and the connection (rebinding) cannot take it elsewhere."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DISCORD_HOSTS = ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com")
# NAT64 and 6to4 carry an IPv4 address inside an IPv6 one; Python 3.11 calls them global.
EMBEDDING = tuple(
    ipaddress.ip_network(net) for net in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16")
)
PRIVATE = _("This address leads into a private network; give one that the internet can reach.")
UNKNOWN_HOST = _("This address's host name does not resolve; check it for typing mistakes.")
HTTPS_ONLY = _("The address must start with https:// (the messages are signed, not hidden).")
PORT = _("The address must use the port for https (443, or no port at all).")
NOT_DISCORD = _(
    "This is not a Discord webhook address. In Discord: the channel's settings, "
    "Integrations, Webhooks, then “Copy Webhook URL”."
)
MESSAGES = {"private": PRIVATE, "unknown_host": UNKNOWN_HOST, "https": HTTPS_ONLY, "port": PORT}


class AddressRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def resolve_public(url: str) -> tuple[str, int]:
    """The address to connect to for `url`, and its port; AddressRefused("https" | "port" |
    "unknown_host" | "private") otherwise. Anything goes when
    settings.NOTIFICATION_PRIVATE_ADDRESSES allows it (tests, the offline demo)."""
    parts = urlsplit(url)
    relaxed = settings.NOTIFICATION_PRIVATE_ADDRESSES
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port beyond 65535
        raise AddressRefused("port") from None
    if not relaxed and parts.scheme != "https":
        raise AddressRefused("https")
    if not relaxed and port != 443:
        raise AddressRefused("port")
    try:
        infos = socket.getaddrinfo(parts.hostname or "", port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise AddressRefused("unknown_host") from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise AddressRefused("unknown_host")
    if not relaxed and any(not _public(address) for address in addresses):
        raise AddressRefused("private")
    return str(addresses[0]), port


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _public(address.ipv4_mapped)
    return address.is_global and not any(address in net for net in EMBEDDING)


def check_public(url: str) -> None:
    """The form's check: ValidationError with the reason, in the user's language."""
    try:
        resolve_public(url)
    except AddressRefused as refused:
        raise ValidationError(MESSAGES[refused.code], code=refused.code) from None


def check_discord(url: str) -> None:
    parts = urlsplit(url)
    allowed = settings.NOTIFICATION_PRIVATE_ADDRESSES or parts.hostname in DISCORD_HOSTS
    if not allowed or not parts.path.startswith("/api/webhooks/"):
        raise ValidationError(NOT_DISCORD, code="not_discord")
    check_public(url)
