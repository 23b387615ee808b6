"""The HTTP paths of the channels. Telegram's API is ours to trust (requests, a session); a
user's address is not: `post_pinned` connects to the address `addresses.resolve_public`
checked, certificate checked against the URL's host name, no redirect followed, the answer
read no further than 64 KiB. No error carries the URL (a bot's or a Discord token is in it)."""

import base64
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
import urllib3
from django.conf import settings
from requests.certs import where as ca_bundle

from notifications import addresses
from notifications.senders.errors import ChannelGone, MessageRefused, RateLimited, SendFailed

session = requests.Session()
# The longest pause a channel may ask for that we honour as asked; beyond it, an hour.
LONGEST_PAUSE_S = 3600.0


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def post_json(url: str, body: Any) -> requests.Response:
    """POST to a service we trust (Telegram's API, or the sandbox standing for it)."""
    try:
        return session.post(
            url, json=body, timeout=settings.NOTIFICATION_TIMEOUT, allow_redirects=False
        )
    except requests.RequestException as error:
        raise SendFailed(type(error).__name__) from None


def post_pinned(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to a user's address, connected to the address checked as public."""
    try:
        ip, port = addresses.resolve_public(url)
    except addresses.AddressRefused as refused:
        if refused.code == "unknown_host":  # a resolver's hiccup: worth another attempt
            raise SendFailed("host did not resolve", code="unknown_host") from None
        raise ChannelGone(refused.code, code="not_public") from None
    parts = urlsplit(url)
    headers = {**headers, "Host": parts.netloc.rpartition("@")[2]}
    if parts.username:
        secret = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(secret).decode()
    timeout = urllib3.Timeout(connect=5.0, read=settings.NOTIFICATION_TIMEOUT)
    if parts.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            ip,
            port,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED",
            ca_certs=ca_bundle(),
            timeout=timeout,
            retries=False,
        )
    else:
        pool = urllib3.HTTPConnectionPool(ip, port, timeout=timeout, retries=False)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        response = pool.urlopen(
            "POST", path, body=body, headers=headers, redirect=False, preload_content=False
        )
        data = response.read(65536)
        response.release_conn()
    except urllib3.exceptions.HTTPError as error:
        raise SendFailed(type(error).__name__) from None
    finally:
        pool.close()
    return Answer(response.status, dict(response.headers), data)


def pause(value: object, default: float = 1.0) -> float:
    """A pause a channel asks for, in seconds: a finite number within an hour, else `default`
    (a hostile answer's NaN or 1e300 must neither break the retry nor defer it for ever)."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    if not math.isfinite(seconds):
        return default
    return min(max(seconds, 0.0), LONGEST_PAUSE_S)


def raise_for_answer(answer: Answer, gone: tuple[int, ...]) -> None:
    """Class an answer that is not 2xx: `gone` statuses end the channel, 429 waits, other 4xx
    refuse this message, anything else is worth another attempt."""
    status = answer.status
    if 200 <= status < 300:
        return
    if status == 429:
        folded = {name.lower(): value for name, value in answer.headers.items()}
        raise RateLimited(pause(folded.get("retry-after")))
    if status in gone:
        raise ChannelGone(f"HTTP {status}")
    if 400 <= status < 500:
        raise MessageRefused(f"HTTP {status}")
    raise SendFailed(f"HTTP {status}")
