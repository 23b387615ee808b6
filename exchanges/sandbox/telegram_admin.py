"""The user's side of the sandbox's Telegram, for tests and the demo: ``/_sandbox/telegram/...``.

- ``POST /_sandbox/telegram/messages`` ``{"chat_id": 42, "text": "/start abc", "first_name":
  "Ada", "last_name": "L", "username": "ada", "language_code": "en", "bot": "<username>"}``
  (all but chat_id and text optional; ``bot`` defaults to the first bot): the user writes to the
  bot, opening the private chat (its id is the user's). Answers 201 with the Update it made.
- ``GET /_sandbox/telegram/messages?chat_id=42[&bot=...]``: what the bot sent to that chat, oldest
  first, ``[{"message_id", "date", "text", "parse_mode"}]``, the text as the bot sent it.
- ``POST /_sandbox/telegram/block`` ``{"chat_id": 42, "blocked": true, "bot": ...}``: the user
  blocks (or unblocks) the bot. Answers ``{"chat_id": 42, "blocked": true}``.
- ``GET /_sandbox/telegram/bots``: the bots, tokens included (they are sandbox-only).
- ``GET /_sandbox/telegram/chat?chat_id=42[&start=...][&bot=...]``: the chat page
  (telegram_chat.py); ``POST`` to the same path (a form: chat_id, text, bot) writes as the user
  and answers 303 back to the page.

A bad request answers 400 ``{"error": "..."}``; an unknown bot or chat, 404.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from exchanges.sandbox.telegram_chat import chat_page, content_security_policy, page_url, pick_page
from exchanges.sandbox.telegram_state import WHO, TelegramState
from exchanges.sandbox.wire import Request, Response, json_response, text_response

PREFIX = "/_sandbox/telegram"
FIELDS = {"chat_id", "text", "bot", *WHO}
USER_ID = re.compile(r"[0-9]{1,15}")


def admin(state: TelegramState, request: Request) -> Response:
    route = (request.method, request.path.rstrip("/").removeprefix(PREFIX))
    try:
        if route == ("POST", "/messages"):
            data = _json(request, FIELDS)
            who = {k: _text(data, k) for k in WHO if k in data}
            chat = chat_id(data.get("chat_id"))
            update = state.user_says(chat, data.get("text", ""), bot=_text(data, "bot"), **who)
            return json_response(update, 201)
        if route == ("GET", "/messages"):
            params = request.params()
            return json_response(state.sent(chat_id(params.get("chat_id")), params.get("bot")))
        if route == ("POST", "/block"):
            data = _json(request, {"chat_id", "blocked", "bot"})
            chat, blocked = chat_id(data.get("chat_id")), data.get("blocked", True)
            if not isinstance(blocked, bool):
                raise ValueError("blocked must be true or false")
            state.block(chat, blocked, _text(data, "bot"))
            return json_response({"chat_id": chat, "blocked": blocked})
        if route == ("GET", "/bots"):
            bots = [s.bot for s in state.bots.values()]
            return json_response([{"id": b.id, **b.user(), "token": b.token} for b in bots])
        if route == ("GET", "/chat"):
            return _chat_page(state, request.params())
        if route == ("POST", "/chat"):
            return _chat_post(state, request.params())
    except LookupError as error:
        return json_response({"error": str(error)}, 404)
    except (ValueError, TypeError) as error:
        return json_response({"error": str(error)}, 400)
    return json_response({"error": "unknown admin endpoint"}, 404)


def chat_id(value: object) -> int:
    """A user's id (= their private chat's id) from JSON or a form: a positive integer."""
    if isinstance(value, str) and USER_ID.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("chat_id must be a user's id, a positive integer")
    return value


def _chat_page(state: TelegramState, params: dict[str, str]) -> Response:
    bot = state.find(params.get("bot") or None).bot
    start, nonce = params.get("start", ""), secrets.token_urlsafe(16)
    if not params.get("chat_id", "").strip():
        return _html(pick_page(bot, start, nonce), 200, nonce)
    try:
        chat = chat_id(params["chat_id"])
    except ValueError as error:
        return _html(pick_page(bot, start, nonce, str(error)), 400, nonce)
    history, blocked = state.history(chat, bot.username)
    return _html(chat_page(bot, chat, history, blocked, start, nonce), 200, nonce)


def _chat_post(state: TelegramState, params: dict[str, str]) -> Response:
    bot = state.find(params.get("bot") or None).bot
    chat, text = chat_id(params.get("chat_id")), params.get("text", "")
    if text.strip():  # an empty form sends nothing, as Telegram's Send button would not
        state.user_says(chat, text, bot=bot.username)
    return Response(
        303, b"", "text/plain; charset=utf-8", [("Location", page_url(chat, bot.username))]
    )


def _html(page: str, status: int, nonce: str) -> Response:
    response = text_response(page, status, "text/html")
    response.headers += [
        ("Content-Security-Policy", content_security_policy(nonce)),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    return response


def _json(request: Request, fields: set[str]) -> dict[str, Any]:
    data = json.loads(request.body or b"{}")
    if not isinstance(data, dict):
        raise ValueError("the body is a JSON object")
    unknown = set(data) - fields
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    return data


def _text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    return value
