"""The HTTP request and response as the dialects see them, independent of the WSGI plumbing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

# A header only the tests (and people trying the IP allowlist by hand) set: every client of a
# loopback sandbox is 127.0.0.1, so the allowlist check needs another way to see "a client".
CLIENT_IP_HEADER = "x-sandbox-client-ip"


@dataclass
class Request:
    method: str
    path: str
    query: str = ""
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    client_ip: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def params(self) -> dict[str, str]:
        """Query and body parameters (a JSON body or a form body), the body winning."""
        params = dict(parse_qsl(self.query, keep_blank_values=True))
        if not self.body:
            return params
        if (self.header("content-type") or "").startswith("application/json"):
            decoded = json.loads(self.body)
            if isinstance(decoded, dict):
                params.update({k: _text(v) for k, v in decoded.items()})
            return params
        params.update(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        return params


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)  # beyond the content's own

    @property
    def status_line(self) -> str:
        try:
            return f"{self.status} {HTTPStatus(self.status).phrase}"
        except ValueError:
            return f"{self.status} Error"


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(payload, default=_default).encode())


def text_response(text: str, status: int, content_type: str = "text/plain") -> Response:
    return Response(status, text.encode(), f"{content_type}; charset=utf-8")
