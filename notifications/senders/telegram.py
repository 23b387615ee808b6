"""A thin client of Telegram's Bot API (sendMessage, setWebhook, getMe): three JSON calls do not
need a framework (python-telegram-bot is asynchronous and brings its own application loop),
and the sandbox venue speaks the same dialect for tests and the demo.

Telegram answers `{"ok": false, "error_code": N, "description": ..., "parameters":
{"retry_after": N}}`; `TelegramError` keeps the code, the description and the pause.
"""

import hashlib
from typing import Any

from django.conf import settings

from notifications.senders import http
from notifications.senders.errors import ChannelGone, MessageRefused, RateLimited, SendFailed

# Telegram refuses a longer text.
MAX_TEXT = 4096


def configured() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN and settings.TELEGRAM_BOT_USERNAME)


def webhook_secret() -> str:
    """What Telegram sends back in X-Telegram-Bot-Api-Secret-Token: derived from the bot's
    token (only Telegram and we know it), so there is no third setting to keep in step, and
    rotating the site's SECRET_KEY does not silently shut the bot's commands out."""
    digest = hashlib.sha256(
        b"noon-barbari-telegram-webhook:" + settings.TELEGRAM_BOT_TOKEN.encode()
    )
    return digest.hexdigest()


def call(method: str, **params: Any) -> Any:
    """One Bot API call; its `result`, or a SendFailed subclass saying what to do next."""
    url = f"{settings.TELEGRAM_API_URL.rstrip('/')}/bot{settings.TELEGRAM_BOT_TOKEN}/{method}"
    response = http.post_json(url, params)
    try:
        answer = response.json()
    except ValueError:
        raise SendFailed(f"HTTP {response.status_code}") from None
    if isinstance(answer, dict) and answer.get("ok"):
        return answer.get("result")
    raise _error(response.status_code, answer if isinstance(answer, dict) else {})


def _error(status: int, answer: dict) -> SendFailed:
    code = answer.get("error_code", status)
    description = str(answer.get("description", ""))[:150]
    if code == 429:
        return RateLimited(http.pause((answer.get("parameters") or {}).get("retry_after")))
    # 403: the user blocked the bot or deleted their account; 400 "chat not found": the
    # chat is gone. Neither comes back by waiting.
    if code == 403:
        return ChannelGone(f"Telegram {code}: {description}", code="blocked")
    if code == 400 and "chat not found" in description.lower():
        return ChannelGone(f"Telegram {code}: {description}")
    if code == 400:
        return MessageRefused(f"Telegram {code}: {description}")
    return SendFailed(f"Telegram {code}: {description}")


def send_text(chat_id: int, html: str) -> Any:
    """`html` must already fit MAX_TEXT (cut before formatting: a cut tag is refused)."""
    return call(
        "sendMessage",
        chat_id=chat_id,
        text=html,
        parse_mode="HTML",
        link_preview_options={"is_disabled": True},
    )


def link_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
