"""Fault injection: make the next N matching calls fail (or stall) the way a real venue does.

A fault matches a request when its ``key`` is None (global) or equals the request's API key, its
``venue`` is None or the request's dialect ("spot", "futures", "binance" for Binance Spot,
"binanceusdm" for Binance USDⓈ-M, "telegram" for the Bot API, whose key is the bot token), and
its ``endpoint`` is None or part of the request's path ("AddOrder", "sendorder", "sendMessage").
Each request consumes at most one fault: the oldest that matches. Kinds:

- ``http_error``: the given HTTP status (default 502) with a gateway-style HTML body, as a
  CDN in front of the venue answers when the venue behind it is down;
- ``unavailable``: the venue's own "service unavailable" error (Spot ``EService:Unavailable``,
  Futures ``unavailable``, Binance -1008) with HTTP status ``status`` (default 503); Telegram's
  ``{"ok": false, "error_code": 502, "description": "Bad Gateway"}`` (or ``status``);
- ``rate_limit``: the venue's rate-limit error (Spot ``EAPI:Rate limit exceeded``, Futures
  ``apiLimitExceeded``), HTTP 200 as for every other Kraken API error; Binance's -1003 with
  HTTP 429 and ``Retry-After``; Telegram's 429 with ``retry_after`` = ``seconds`` (at least 1);
- ``malformed``: the real answer cut in half, still labelled application/json;
- ``slow``: the real answer, after ``seconds`` seconds;
- ``lost_answer``: the request is carried out (an order is placed), then, after ``seconds``
  seconds (0 by default), the client gets a gateway timeout (HTTP 504) instead of the answer:
  the ambiguous outcome a trading client must resolve by looking the order up, never by
  sending it again.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("http_error", "unavailable", "rate_limit", "malformed", "slow", "lost_answer")
DIALECTS = ("spot", "futures", "binance", "binanceusdm", "telegram")


@dataclass
class Fault:
    kind: str
    count: int = 1
    key: str | None = None
    venue: str | None = None
    status: int | None = None
    seconds: float = 0.0
    endpoint: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(KINDS)}")
        if self.count < 1:
            raise ValueError("count must be at least 1")
        if self.venue is not None and self.venue not in DIALECTS:
            raise ValueError(f"venue must be one of {', '.join(DIALECTS)}, or null")
        if self.kind == "slow" and self.seconds <= 0:
            raise ValueError("a slow fault needs seconds > 0")

    def matches(self, key: str | None, venue: str, path: str = "") -> bool:
        return (
            (self.key is None or self.key == key)
            and self.venue in (None, venue)
            and (self.endpoint is None or self.endpoint in path)
        )

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        if not isinstance(data, dict):
            raise ValueError("a fault is a JSON object")
        fields = {"kind", "count", "key", "venue", "status", "seconds", "endpoint"}
        unknown = set(data) - fields
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        return cls(**data)


class FaultQueue:
    """Pending faults, oldest first; its own lock so a test can add faults while requests run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, key: str | None, venue: str, path: str = "") -> Fault | None:
        """The oldest fault matching this request, with one use consumed."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(key, venue, path):
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(fault) for fault in self._faults]


GATEWAY_PAGE = (
    "<html><head><title>{status} {reason}</title></head><body>"
    "<h1>{status} {reason}</h1><p>The sandbox venue's gateway answered for it (injected fault)."
    "</p></body></html>"
)


def truncate(body: bytes) -> bytes:
    """Half of a real answer: what a client sees when a connection is cut mid-way."""
    return body[: max(1, len(body) // 2)]
