"""An HTTP session for ccxt clients in offline tests: ccxt still builds and signs each request."""

import json
from http import HTTPStatus
from typing import Any

import requests


class FakeSession(requests.Session):
    """Answers by URL (without its query), with (HTTP status, body); records every request."""

    def __init__(self, answers: dict[str, tuple[int, Any]]) -> None:
        super().__init__()
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, str]]] = []

    def request(self, method, url, data=None, headers=None, **kwargs):  # type: ignore[override]
        self.calls.append((method, url, dict(headers or {})))
        endpoint = url.split("?")[0]
        if endpoint not in self.answers:
            raise AssertionError(f"unexpected request {method} {url}")
        status, body = self.answers[endpoint]
        response = requests.Response()
        response.status_code = status
        response.reason = HTTPStatus(status).phrase
        response.url = url
        response.headers["Content-Type"] = "application/json"
        response._content = (body if isinstance(body, str) else json.dumps(body)).encode()
        return response

    @property
    def endpoints(self) -> list[str]:
        return [url.split("?")[0] for _, url, _ in self.calls]
