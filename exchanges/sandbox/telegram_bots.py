"""The sandbox's Telegram bots: who answers at ``/bot<token>/...``.

A keys file may list them beside its API keys: ``"telegram_bots": [{"token": ..., "username":
..., "first_name": ...}, ...]``. A token has Telegram's shape, ``<bot id>:<secret>`` (digits, a
colon, then letters, digits, ``_`` and ``-``); the part before the colon is the bot's user id, as
in a real token. A bot's username ends in ``bot`` (any case), as Telegram requires of bots.
The demo file's bot is sandbox-only: its token opens nothing at api.telegram.org.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exchanges.sandbox.keys import DEMO_KEYS_PATH, KeysFileError

TOKEN_PATTERN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,128}")
USERNAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]")


@dataclass(frozen=True)
class TelegramBot:
    token: str
    username: str
    first_name: str

    @property
    def id(self) -> int:
        return int(self.token.split(":", 1)[0])

    def user(self) -> dict[str, Any]:
        """The bot as a Telegram ``User`` (the ``from`` of what it sends)."""
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }


def load_bots(path: str | Path = DEMO_KEYS_PATH) -> list[TelegramBot]:
    """The bots a keys file lists; none when it has no ``telegram_bots``."""
    with open(path, encoding="utf-8") as handle:
        return parse_bots(json.load(handle))


def parse_bots(data: Any) -> list[TelegramBot]:
    entries = data.get("telegram_bots", []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise KeysFileError('telegram_bots is a list: "telegram_bots": [ ... ]')
    bots = [_parse_bot(entry, index) for index, entry in enumerate(entries)]
    for attribute in ("token", "username"):
        values = [getattr(bot, attribute).lower() for bot in bots]
        if len(set(values)) != len(values):
            raise KeysFileError(f"two telegram_bots have the same {attribute}")
    return bots


def _parse_bot(entry: Any, index: int) -> TelegramBot:
    if not isinstance(entry, dict):
        raise KeysFileError(f"telegram_bots[{index}] is not an object")
    token, username = entry.get("token"), entry.get("username")
    where = f"telegram_bots[{index}] ({username or '?'})"
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        raise KeysFileError(f"{where}: token must look like Telegram's, <digits>:<secret>")
    if not isinstance(username, str) or not USERNAME_PATTERN.fullmatch(username):
        raise KeysFileError(f"{where}: username must be 5-32 letters, digits or _, ending in bot")
    first_name = entry.get("first_name") or username
    if not isinstance(first_name, str):
        raise KeysFileError(f"{where}: first_name must be a string")
    return TelegramBot(token=token, username=username, first_name=first_name)
