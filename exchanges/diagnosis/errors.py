"""Reading the exchange's own error codes out of a ccxt exception.

ccxt raises `ExchangeError("<id> <body>")`; its class is often too coarse (Kraken's
"EAPI:Invalid signature" is a plain ExchangeError), so the body is what we read.
"""

import json
from typing import Any

import ccxt


def error_body(exchange_id: str, error: Exception) -> Any:
    """The JSON body ccxt put in the message, or the raw text when it is not JSON."""
    message = str(error)
    prefix = f"{exchange_id} "
    text = message[len(prefix) :] if message.startswith(prefix) else message
    try:
        return json.loads(text)
    except ValueError:
        return text


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def raw_codes(exchange_id: str, body: Any) -> list[str]:
    """The exchange's own codes and messages, most specific first, as strings."""
    if isinstance(body, str):
        return [body.strip()] if body.strip() else []
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
    return [code for code in codes if code]


TRANSIENT_ERRORS = (
    ccxt.BadResponse,  # a cut-off or garbled answer: the exchange's trouble, not the key's
    ccxt.NullResponse,
    ccxt.RequestTimeout,
    ccxt.DDoSProtection,  # includes RateLimitExceeded
    ccxt.ExchangeNotAvailable,  # includes OnMaintenance
    ccxt.NetworkError,
)
