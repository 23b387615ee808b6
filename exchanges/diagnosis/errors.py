"""Reading the exchange's own error codes out of a ccxt exception.

ccxt raises `ExchangeError("<id> <body>")`; its class is often too coarse (Kraken's
"EAPI:Invalid signature" is a plain ExchangeError), so the body is what we read. When the
exchange's own error handler let a non-2xx answer through, ccxt raises
"<id> <METHOD> <url> <status> <reason> <body>" instead (Coinbase's plain-text 401): then the
status counts as a code too, written "401 Unauthorized".
"""

import json
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import ccxt

_HTTP_FAILURE = re.compile(
    r"^(?:GET|POST|PUT|PATCH|DELETE) \S+ (?P<status>[1-5]\d\d) (?P<rest>.*)$", re.DOTALL
)


@dataclass(frozen=True)
class HttpFailure:
    """A non-2xx answer that the exchange's error handler did not recognise."""

    status: int
    body: Any

    @property
    def code(self) -> str:
        phrase = _phrase(self.status)
        return f"{self.status} {phrase}" if phrase else f"HTTP {self.status}"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # a status Python does not name
        return ""


def error_body(exchange_id: str, error: Exception) -> Any:
    """The JSON body ccxt put in the message, an HttpFailure, or the raw text."""
    message = str(error)
    prefix = f"{exchange_id} "
    text = message[len(prefix) :] if message.startswith(prefix) else message
    match = _HTTP_FAILURE.match(text)
    if match is None:
        return _json_or_text(text)
    status, rest = int(match["status"]), match["rest"]
    # The server's reason phrase, then the body: drop the phrase when it is the standard one.
    phrase = _phrase(status)
    if phrase and rest.lower().startswith(phrase.lower()):
        rest = rest[len(phrase) :]
    return HttpFailure(status=status, body=_json_or_text(rest.strip()))


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def raw_codes(exchange_id: str, body: Any) -> list[str]:
    """The exchange's own codes and messages, most specific first, as strings."""
    if isinstance(body, HttpFailure):
        if isinstance(body.body, dict | list):  # the exchange's codes say more than the status
            return [*raw_codes(exchange_id, body.body), body.code]
        return [body.code, *raw_codes(exchange_id, body.body)]
    if isinstance(body, str):
        first_line = body.strip().split("\n", 1)[0].strip()  # of an HTML error page, say
        return [first_line] if first_line else []
    codes: list[str] = []
    if isinstance(body, list):  # Bitfinex: ["error", 10100, "apikey: invalid"]
        codes += [str(item) for item in body if item not in ("error", None)]
    elif isinstance(body, dict):
        for key in ("error", "code", "retCode", "label", "sCode", "msg", "retMsg", "message"):
            for value in _as_list(body.get(key)):
                if value not in (None, "", [], 0, "0"):
                    codes.append(str(value))
        for item in _as_list(body.get("data") or []):
            if isinstance(item, dict) and item.get("sCode") not in (None, "", "0"):
                codes += [str(item["sCode"]), str(item.get("sMsg", ""))]
        # Coinbase's v2 API: {"errors": [{"id": "invalid_scope", "message": "..."}]}
        for item in _as_list(body.get("errors") or []):
            if isinstance(item, dict):
                codes += [str(item[name]) for name in ("id", "message") if item.get(name)]
    return [code for code in codes if code]


TRANSIENT_ERRORS = (
    # What ccxt itself calls a failure to try again (its parent of the classes below), as it
    # raises Binance's -1008 "Server is currently overloaded" or -1001 "Internal error".
    ccxt.OperationFailed,
    ccxt.BadResponse,  # a cut-off or garbled answer: the exchange's trouble, not the key's
    ccxt.NullResponse,
    ccxt.RequestTimeout,
    ccxt.DDoSProtection,  # includes RateLimitExceeded
    ccxt.ExchangeNotAvailable,  # includes OnMaintenance
    ccxt.NetworkError,
)
