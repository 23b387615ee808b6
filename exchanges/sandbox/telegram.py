"""The Telegram Bot API dialect (core.telegram.org/bots/api): ``/bot<token>/<method>``, so the
product's bot can send notifications and read commands without reaching the internet.

Every answer is ``{"ok": true, "result": ...}`` (with a ``description`` where Telegram adds
one) or ``{"ok": false, "error_code": N, "description": "...", "parameters": {"retry_after":
N}}`` with HTTP status N. Parameters come as a query string, a form (urlencoded or multipart) or
a JSON body, GET or POST; method names are case-insensitive. An unknown token answers
401 ``Unauthorized``, an unknown method 404 ``Not Found``.

Methods: ``getMe``, ``sendMessage``, ``getUpdates``, ``setWebhook``, ``deleteWebhook``,
``getWebhookInfo``. The user's side (writing to the bot, blocking it, the chat page) is
telegram_admin.py; what the sandbox chooses where Telegram is silent, telegram_state.py; the
flood limits, telegram_records.py; webhook delivery, telegram_webhook.py; HTML formatting,
telegram_html.py; the bots and their keys-file entry, telegram_bots.py.

Sandbox choices, beside the documented behaviour:

- sendMessage: ``parse_mode`` ``HTML`` is checked as Telegram does; ``MarkdownV2`` and
  ``Markdown`` are accepted unchecked, their text kept (and answered) as sent. Other
  parameters (``reply_markup``, ``link_preview_options``, ...) are accepted and ignored.
  Only private chats exist, so a ``chat_id`` that is not a known user's id is "chat not found".
- setWebhook accepts ``http://`` URLs and any port: the real API requires HTTPS on port 443,
  80, 88 or 8443, but a test's receiver is plain HTTP on 127.0.0.1. An empty ``url`` removes
  the webhook, as documented. ``allowed_updates`` is kept for getWebhookInfo but filters
  nothing, nor does getUpdates' own.
- getUpdates: ``limit`` is clamped to 1-100; ``timeout`` to 0-3600 seconds.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from exchanges.sandbox.faults import Fault
from exchanges.sandbox.telegram_html import HtmlError, parse_html, trim
from exchanges.sandbox.telegram_records import TelegramError, Webhook, too_many_requests
from exchanges.sandbox.telegram_state import MAX_TEXT, TelegramState
from exchanges.sandbox.wire import Request, Response, json_response

logger = logging.getLogger(__name__)
PATH = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)/?")
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
PARSE_MODES = {"html": "HTML", "markdownv2": "MarkdownV2", "markdown": "Markdown"}
LONGEST_POLL = 3600
# Telegram's words for a non-HTTPS URL; here only a scheme other than http(s) earns them.
HTTPS_REQUIRED = "An HTTPS URL must be provided for webhook"


@dataclass
class Described:
    """A result Telegram answers with a ``description`` beside it (the webhook methods)."""

    result: Any
    description: str


Method = Callable[[TelegramState, str, dict[str, str]], Any]


class TelegramDialect:
    name = "telegram"

    def __init__(self, state: TelegramState) -> None:
        self.state = state
        state.webhooks.reply = self.reply

    @staticmethod
    def handles(path: str) -> bool:
        return path.startswith("/bot")

    @staticmethod
    def api_key(request: Request) -> str | None:
        """The bot token: a fault with ``key`` set to a token applies to that bot only."""
        match = PATH.fullmatch(request.path)
        return match["token"] if match else None

    def handle(self, request: Request) -> Response:
        """Answer a call. Runs without the venue's lock (the state has its own, and a
        getUpdates long poll waits)."""
        match = PATH.fullmatch(request.path)
        if match is not None and match["token"] not in self.state.bots:
            return _error(TelegramError(401, "Unauthorized"))
        if match is None or match["method"].lower() not in METHODS:
            return _error(TelegramError(404, "Not Found"))
        try:
            params = _params(request)
        except ValueError:  # a JSON or form body that does not decode
            return _error(TelegramError(400, "Bad Request: can't parse request parameters"))
        return self.call(match["token"], match["method"].lower(), params)

    def call(self, token: str, method: str, params: dict[str, str]) -> Response:
        try:
            answer = METHODS[method](self.state, token, params)
        except TelegramError as error:
            return _error(error)
        if isinstance(answer, Described):
            body = {"ok": True, "result": answer.result, "description": answer.description}
            return json_response(body)
        return json_response({"ok": True, "result": answer})

    def reply(self, token: str, payload: dict[str, Any]) -> None:
        """A method call a webhook answered with (its outcome goes nowhere, as on Telegram)."""
        method = str(payload.get("method", "")).lower()
        if method not in METHODS or method == "getupdates":
            logger.info("sandbox telegram: a webhook answered with unknown method %r", method)
            return
        params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
        response = self.call(token, method, params)
        if response.status != 200:
            logger.info("sandbox telegram: a webhook's %s failed: %s", method, response.body)

    @staticmethod
    def fault_response(fault: Fault) -> Response:
        """``rate_limit``: 429 with ``retry_after`` = the fault's seconds (at least 1);
        ``unavailable``: what Telegram's front answers when the Bot API behind it is down,
        ``{"ok": false, "error_code": 502, "description": "Bad Gateway"}`` (or the fault's
        status)."""
        if fault.kind == "rate_limit":
            error = too_many_requests(max(1, math.ceil(fault.seconds)))
            return json_response(error.payload(), fault.status or 429)
        status = fault.status or 502
        return _error(TelegramError(status, _phrase(status)))


# --- methods -----------------------------------------------------------------------------------


def get_me(state: TelegramState, token: str, params: dict[str, str]) -> dict[str, Any]:
    return state.bots[token].bot.user() | {
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def send_message(state: TelegramState, token: str, params: dict[str, str]) -> dict[str, Any]:
    raw_chat = params.get("chat_id", "").strip()
    if not raw_chat:
        raise TelegramError(400, "Bad Request: chat_id is empty")
    try:
        chat_id = int(raw_chat)
    except ValueError:  # "@channel" or garbage: the sandbox has private chats only
        raise TelegramError(400, "Bad Request: chat not found") from None
    sent, mode = params.get("text", ""), _parse_mode(params.get("parse_mode", ""))
    entities: list[dict[str, Any]] = []
    text = sent
    if mode == "HTML":
        try:
            text, entities = parse_html(sent)
        except HtmlError as error:
            raise TelegramError(400, f"Bad Request: can't parse entities: {error}") from None
    text, entities = trim(text, entities)
    if not text:
        raise TelegramError(400, "Bad Request: message text is empty")
    if len(text) > MAX_TEXT:
        raise TelegramError(400, "Bad Request: message is too long")
    return state.send(token, chat_id, (sent, mode), text, entities)


def get_updates(state: TelegramState, token: str, params: dict[str, str]) -> list[dict]:
    offset = _int(params, "offset", 0)
    limit = min(max(_int(params, "limit", 100), 1), 100)
    timeout = min(max(_int(params, "timeout", 0), 0), LONGEST_POLL)
    return state.poll(token, offset, limit, timeout)


def set_webhook(state: TelegramState, token: str, params: dict[str, str]) -> Described:
    url = params.get("url", "").strip()
    drop = _bool(params.get("drop_pending_updates"))
    if not url:
        return Described(True, state.delete_webhook(token, drop))
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), parts.hostname
    except ValueError:  # an unparsable authority ("http://[::1")
        scheme, host = "", None
    if scheme not in ("http", "https"):
        raise TelegramError(400, f"Bad Request: bad webhook: {HTTPS_REQUIRED}")
    if not host:
        raise TelegramError(400, "Bad Request: bad webhook: Failed to resolve host")
    secret = params.get("secret_token") or None
    if secret is not None and len(secret) > 256:
        raise TelegramError(400, "Bad Request: secret token is too long")
    if secret is not None and not SECRET_TOKEN.fullmatch(secret):
        raise TelegramError(400, "Bad Request: secret token contains unallowed characters")
    allowed = params.get("allowed_updates")
    webhook = Webhook(
        url=url,
        secret=secret,
        max_connections=min(max(_int(params, "max_connections", 40), 1), 100),
        allowed_updates=_string_list(allowed) if allowed else None,
    )
    return Described(True, state.set_webhook(token, webhook, drop))


def delete_webhook(state: TelegramState, token: str, params: dict[str, str]) -> Described:
    drop = _bool(params.get("drop_pending_updates"))
    return Described(True, state.delete_webhook(token, drop))


def get_webhook_info(state: TelegramState, token: str, params: dict[str, str]) -> dict[str, Any]:
    return state.webhook_info(token)


METHODS: dict[str, Method] = {
    "getme": get_me,
    "sendmessage": send_message,
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
}


# --- parameters ----------------------------------------------------------------------------------


def _params(request: Request) -> dict[str, str]:
    """Query and body parameters; multipart/form-data too, which some Bot API clients send."""
    content_type = request.header("content-type") or ""
    if not content_type.startswith("multipart/form-data"):
        return request.params()
    params = dict(parse_qsl(request.query, keep_blank_values=True))
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + request.body)
    for part in message.iter_parts():
        name, payload = (
            part.get_param("name", header="content-disposition"),
            part.get_payload(decode=True),
        )
        if isinstance(name, str) and isinstance(payload, bytes):
            params[name] = payload.decode("utf-8")
    return params


def _parse_mode(raw: str) -> str | None:
    if not raw:
        return None
    mode = PARSE_MODES.get(raw.lower())
    if mode is None:
        raise TelegramError(400, "Bad Request: unsupported parse_mode")
    return mode


def _int(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise TelegramError(400, f"Bad Request: invalid {name} specified") from None


def _bool(raw: str | None) -> bool:
    return (raw or "").strip().lower() in ("true", "1")


def _string_list(raw: str) -> list[str]:
    try:
        values = json.loads(raw)
    except ValueError:
        values = None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise TelegramError(400, "Bad Request: can't parse allowed updates")
    return values


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _error(error: TelegramError) -> Response:
    return json_response(error.payload(), error.status)
