"""The Telegram dialect's state: per bot, the private chats users opened with it, its queue of
updates, its webhook and its send limits; all of it guarded by one Condition.

Its own lock, not the venue's: a getUpdates long poll waits on this Condition (waiting releases
it), webhook deliveries run with no lock held, and nothing here touches the market's ledger.

The sandbox's own choices, where Telegram documents nothing or the sandbox simplifies:

- a chat exists once its user has written to the bot; its id is the user's id (a private chat);
- update ids start at a number derived from the token and keep increasing across `reset()`, so
  an offset a client kept from before a reset never hides a new update;
- message dates follow the venue's clock (the one `freeze_time` sets); the send limits use the
  real monotonic clock, as a client's back-off does;
- blocking and unblocking the bot send it a ``my_chat_member`` update (``member`` ->
  ``kicked`` and back), as Telegram does in private chats; a blocked user who writes again
  unblocks the bot first, as Telegram's "Restart" button does.
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from typing import Any

from exchanges.sandbox.telegram_bots import TelegramBot
from exchanges.sandbox.telegram_html import utf16_length
from exchanges.sandbox.telegram_records import BotState, Chat, Said, TelegramError, Webhook
from exchanges.sandbox.telegram_webhook import WebhookDeliverer

MAX_TEXT = 4096  # characters, after entity parsing (sendMessage's documented limit)
MAX_PENDING = 10_000  # Telegram keeps unconfirmed updates for 24 hours; the sandbox, this many
COMMAND = re.compile(r"(?:^|(?<=\s))/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w@/])")
WHO = ("first_name", "last_name", "username", "language_code")


class TelegramState:
    """Every bot's state, by token. Each method takes `cond` (the lock) itself; `poll` waits on
    it. `clock` dates messages (the venue's), `monotonic` times the send limits, and `stopping`
    (the venue's) ends waits when the venue stops."""

    def __init__(
        self,
        bots: Iterable[TelegramBot],
        clock: Callable[[], float],
        stopping: threading.Event,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cond = threading.Condition()
        self.clock, self.stopping, self.monotonic = clock, stopping, monotonic
        self.bots = {bot.token: BotState(bot, _first_update_id(bot)) for bot in bots}
        self.webhooks = WebhookDeliverer(self.cond, stopping, clock, lambda: self.bots)

    # --- lifecycle -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Chats, updates, webhooks and send limits forgotten; the bots (and their update ids)
        kept. A waiting poll or delivery sees its BotState replaced and ends."""
        with self.cond:
            self.bots = {t: BotState(s.bot, s.next_update_id) for t, s in self.bots.items()}
            self.cond.notify_all()

    def resume(self) -> None:
        """After the venue (re)starts: deliver what webhooks still have pending."""
        with self.cond:
            for bot_state in self.bots.values():
                self.webhooks.kick(bot_state)

    def stop(self, timeout: float = 1.0) -> None:
        """Wake every waiting poll and delivery (the `stopping` event is set): none outlives
        this by more than an in-flight webhook request."""
        with self.cond:
            self.cond.notify_all()
        self.webhooks.join(timeout)

    def find(self, username: str | None = None) -> BotState:
        """A bot by username (any case), or the first bot."""
        for bot_state in self.bots.values():
            if username is None or bot_state.bot.username.lower() == username.lower():
                return bot_state
        raise LookupError(f"no Telegram bot {username!r}" if username else "no Telegram bot")

    # --- the user's side -------------------------------------------------------------------------

    def user_says(
        self, chat_id: int, text: str, bot: str | None = None, **who: str | None
    ) -> dict[str, Any]:
        """The user `chat_id` writes `text` to the bot (opening the chat): the Update it makes."""
        if isinstance(chat_id, bool) or not isinstance(chat_id, int) or chat_id <= 0:
            raise ValueError("chat_id must be a positive integer (a user's id)")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            raise ValueError(f"text must be 1-{MAX_TEXT} characters")
        unknown = set(who) - set(WHO)
        if unknown:
            raise ValueError(f"unknown user fields: {', '.join(sorted(unknown))}")
        with self.cond:
            state = self.find(bot)
            chat = state.chats.get(chat_id)
            if chat is None:
                chat = state.chats[chat_id] = Chat({"id": chat_id, "is_bot": False})
                chat.user["first_name"] = who.get("first_name") or "Sandbox user"
            chat.user.update({k: str(v) for k, v in who.items() if v})
            if chat.blocked:
                self._set_blocked(state, chat, False)
            said = chat.say(text, None, int(self.clock()), from_bot=False)
            message = {
                "message_id": said.message_id,
                "from": dict(chat.user),
                "chat": chat.as_chat(),
                "date": said.date,
                "text": text,
            }
            entities = _commands(text)
            if entities:
                message["entities"] = entities
            return self._add_update(state, "message", message)

    def block(self, chat_id: int, blocked: bool = True, bot: str | None = None) -> None:
        with self.cond:
            state = self.find(bot)
            chat = state.chats.get(chat_id)
            if chat is None:
                raise LookupError(f"user {chat_id} never wrote to @{state.bot.username}")
            if chat.blocked != blocked:
                self._set_blocked(state, chat, blocked)

    def history(self, chat_id: int, bot: str | None = None) -> tuple[list[Said], bool]:
        """Both sides' messages, oldest first, and whether the user blocked the bot."""
        with self.cond:
            chat = self.find(bot).chats.get(chat_id)
            return (list(chat.history), chat.blocked) if chat else ([], False)

    def sent(self, chat_id: int, bot: str | None = None) -> list[dict[str, Any]]:
        """What the bot sent to the chat, oldest first, its text and parse mode as sent."""
        history, _ = self.history(chat_id, bot)
        return [
            {"message_id": s.message_id, "date": s.date, "text": s.text, "parse_mode": s.parse_mode}
            for s in history
            if s.from_bot
        ]

    # --- the bot's side --------------------------------------------------------------------------

    def send(
        self,
        token: str,
        chat_id: int,
        sent: tuple[str, str | None],
        text: str,
        entities: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """Deliver a checked message (`sent`: the text and parse mode as the bot sent them;
        `text`, `entities`: as Telegram keeps them): the Message, or a TelegramError."""
        with self.cond:
            state = self.bots[token]
            chat = state.chats.get(chat_id)
            if chat is None:
                raise TelegramError(400, "Bad Request: chat not found")
            if chat.blocked:
                raise TelegramError(403, "Forbidden: bot was blocked by the user")
            state.limiter.admit(chat_id, self.monotonic())
            said = chat.say(sent[0], sent[1], int(self.clock()), from_bot=True)
            message = {
                "message_id": said.message_id,
                "from": state.bot.user(),
                "chat": chat.as_chat(),
                "date": said.date,
                "text": text,
            }
            return message | ({"entities": entities} if entities else {})

    def poll(self, token: str, offset: int, limit: int, timeout: float) -> list[dict[str, Any]]:
        """getUpdates: confirm what lies below `offset`, then answer the pending updates, waiting
        up to `timeout` seconds for one. A newer getUpdates call ends this one with a conflict."""
        with self.cond:
            state = self.bots[token]
            self._refuse_if_webhook(state)
            if offset > 0:
                state.updates = [u for u in state.updates if u["update_id"] >= offset]
            elif offset < 0:  # "-offset updates from the end"; all before them forgotten
                state.updates = state.updates[offset:]
            state.poller += 1
            me, deadline = state.poller, self.monotonic() + timeout
            while True:
                if self.bots.get(token) is not state or self.stopping.is_set():
                    return []
                self._refuse_if_webhook(state)
                if state.poller != me:
                    raise TelegramError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that "
                        "only one bot instance is running",
                    )
                remaining = deadline - self.monotonic()
                if state.updates or remaining <= 0:
                    return state.updates[:limit]
                self.cond.wait(remaining)

    def set_webhook(self, token: str, webhook: Webhook, drop_pending: bool) -> str:
        with self.cond:
            state = self.bots[token]
            if drop_pending:
                state.updates.clear()
            old = state.webhook
            if old is not None and (old.url, old.secret) == (webhook.url, webhook.secret):
                return "Webhook is already set"
            state.webhook = webhook
            self.webhooks.kick(state)
            self.cond.notify_all()  # a waiting getUpdates now conflicts
            return "Webhook was set"

    def delete_webhook(self, token: str, drop_pending: bool) -> str:
        with self.cond:
            state = self.bots[token]
            if drop_pending:
                state.updates.clear()
            if state.webhook is None:
                return "Webhook is already deleted"
            state.webhook = None
            self.cond.notify_all()
            return "Webhook was deleted"

    def webhook_info(self, token: str) -> dict[str, Any]:
        with self.cond:
            state = self.bots[token]
            hook = state.webhook
            info: dict[str, Any] = {
                "url": hook.url if hook else "",
                "has_custom_certificate": False,
                "pending_update_count": len(state.updates),
            }
            if hook is None:
                return info
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            return info

    # --- under the lock --------------------------------------------------------------------------

    def _add_update(self, state: BotState, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": state.next_update_id, kind: payload}
        state.next_update_id += 1
        state.updates.append(update)
        del state.updates[:-MAX_PENDING]
        self.webhooks.kick(state)
        self.cond.notify_all()
        return update

    def _set_blocked(self, state: BotState, chat: Chat, blocked: bool) -> None:
        chat.blocked = blocked
        member: dict[str, Any] = {"user": state.bot.user(), "status": "member"}
        kicked: dict[str, Any] = {"user": state.bot.user(), "status": "kicked", "until_date": 0}
        old, new = (member, kicked) if blocked else (kicked, member)
        change = {
            "chat": chat.as_chat(),
            "from": dict(chat.user),
            "date": int(self.clock()),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        self._add_update(state, "my_chat_member", change)

    @staticmethod
    def _refuse_if_webhook(state: BotState) -> None:
        if state.webhook is not None:
            raise TelegramError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )


def _commands(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` entities Telegram marks in a user's text (``/start``, ``/help@bot``)."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_length(text[: match.start()]),
            "length": utf16_length(match.group()),
        }
        for match in COMMAND.finditer(text)
    ]


def _first_update_id(bot: TelegramBot) -> int:
    # Telegram's ids start at some positive number; a stable one per bot keeps runs repeatable.
    return 100_000_000 + zlib.crc32(bot.token.encode()) % 800_000_000
