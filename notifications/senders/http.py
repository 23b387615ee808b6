"""The one HTTP path of every channel: a timeout, no secret in any error (a Discord address or
a bot token is in the URL), and answers classed the same way for each channel."""

from typing import Any

import requests
from django.conf import settings

from notifications.senders.errors import ChannelGone, MessageRefused, RateLimited, SendFailed

session = requests.Session()


def post(url: str, *, json_body: Any = None, data: bytes | None = None, headers=None):
    """POST and return the response; a connection failure or timeout is SendFailed, named by
    its class only (requests' messages repeat the URL)."""
    try:
        return session.post(
            url,
            json=json_body,
            data=data,
            headers=headers,
            timeout=settings.NOTIFICATION_TIMEOUT,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        raise SendFailed(type(error).__name__) from None


def retry_after(response: requests.Response, default: float = 1.0) -> float:
    """The pause a 429 asks for: the Retry-After header (seconds), else the default."""
    try:
        return max(float(response.headers.get("Retry-After", default)), 0.0)
    except ValueError:
        return default


def raise_for_answer(response: requests.Response, gone: tuple[int, ...]) -> None:
    """Class an answer that is not 2xx: `gone` statuses end the channel, 429 waits, other 4xx
    refuse this message, anything else is worth another attempt."""
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 429:
        raise RateLimited(retry_after(response))
    if status in gone:
        raise ChannelGone(f"HTTP {status}")
    if 400 <= status < 500:
        raise MessageRefused(f"HTTP {status}")
    raise SendFailed(f"HTTP {status}")
