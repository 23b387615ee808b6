"""A local HTTP receiver standing in for Discord or a user's webhook endpoint: it records every
request and answers with the statuses it is told to, in order (then 204)."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    answers: list[tuple[int, dict[str, str], bytes, float]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def answer(
        self, status: int, headers: dict[str, str] | None = None, body: bytes = b"", delay=0.0
    ):
        """The next request's answer, given after `delay` seconds (a slow receiver)."""
        self.answers.append((status, headers or {}, body, delay))

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(Received(self.path, dict(self.headers), body))
                default: tuple[int, dict[str, str], bytes, float] = (204, {}, b"", 0.0)
                status, headers, answer, delay = (
                    receiver.answers.pop(0) if receiver.answers else default
                )
                time.sleep(delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
