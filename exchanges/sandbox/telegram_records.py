"""What the Telegram dialect keeps, per bot: private chats and their messages, the queue of
updates, the webhook and the send limits; and the Bot API's error answer.

Plain records: TelegramState (telegram_state.py) guards them with its lock, and the webhook
deliverer (telegram_webhook.py) reads them under that lock.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from exchanges.sandbox.telegram_bots import TelegramBot


class TelegramError(Exception):
    """A refused call, as the Bot API words it: ``{"ok": false, "error_code", "description"}``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            payload["parameters"] = {"retry_after": self.retry_after}
        return payload


def too_many_requests(retry_after: int) -> TelegramError:
    return TelegramError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


@dataclass
class SendLimiter:
    """The limits Telegram's bot FAQ states: about one message per second in one chat (short
    bursts tolerated: `burst` at once, then one per second), and 30 messages per second over all
    chats. Refusals do not count; the answer says how many whole seconds to wait (at least 1)."""

    burst: int = 3
    per_chat_per_second: float = 1.0
    overall_per_second: int = 30
    chats: dict[int, tuple[float, float]] = field(default_factory=dict)  # chat -> (allowance, at)
    recent: deque[float] = field(default_factory=deque)  # send times within the last second

    def admit(self, chat_id: int, now: float) -> None:
        allowance, at = self.chats.get(chat_id, (float(self.burst), now))
        allowance = min(float(self.burst), allowance + (now - at) * self.per_chat_per_second)
        while self.recent and self.recent[0] <= now - 1.0:
            self.recent.popleft()
        if allowance < 1.0:
            self.chats[chat_id] = (allowance, now)
            raise too_many_requests(_seconds((1.0 - allowance) / self.per_chat_per_second))
        if len(self.recent) >= self.overall_per_second:
            raise too_many_requests(_seconds(self.recent[0] + 1.0 - now))
        self.chats[chat_id] = (allowance - 1.0, now)
        self.recent.append(now)


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))


@dataclass
class Said:
    """One message of a chat, from either side; a bot's text as sent (HTML keeps its tags)."""

    message_id: int
    date: int
    text: str
    parse_mode: str | None
    from_bot: bool


@dataclass
class Chat:
    user: dict[str, Any]  # the Telegram User on the other side
    blocked: bool = False
    history: list[Said] = field(default_factory=list)

    def as_chat(self) -> dict[str, Any]:
        """The private Chat object Telegram puts in a Message."""
        chat = {"id": self.user["id"], "type": "private"}
        return chat | {
            k: self.user[k] for k in ("first_name", "last_name", "username") if k in self.user
        }

    def say(self, text: str, parse_mode: str | None, date: int, from_bot: bool) -> Said:
        # Both sides share one sequence of message ids in a private chat.
        said = Said(len(self.history) + 1, date, text, parse_mode, from_bot)
        self.history.append(said)
        return said


@dataclass
class Webhook:
    url: str
    secret: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class BotState:
    bot: TelegramBot
    next_update_id: int
    chats: dict[int, Chat] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)  # not yet confirmed/delivered
    webhook: Webhook | None = None
    poller: int = 0  # which getUpdates call is the current one
    limiter: SendLimiter = field(default_factory=SendLimiter)
