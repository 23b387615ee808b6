"""The sandbox venue: a WSGI app speaking Kraken's and Binance's dialects (and Telegram's Bot
API), and `SandboxVenue`, which serves it on 127.0.0.1 from a background thread.

URL layout (base = ``venue.url``, e.g. ``http://127.0.0.1:PORT``):

- Kraken Spot:    ``{base}/0/public/...`` and ``{base}/0/private/...``
- Kraken Futures: ``{base}/derivatives/api/v3/...``, ``{base}/api/history/v2/...``,
  ``{base}/api/charts/v1/...``, ``{base}/api/auth/v1/api-keys/v3/check``
- Binance Spot:   ``{base}/api/v3/...`` and ``{base}/sapi/v1/...``
- Binance USDⓈ-M: ``{base}/fapi/v1/...``, ``{base}/fapi/v2/...``, ``{base}/fapi/v3/...``
- Telegram:       ``{base}/bot<token>/<method>`` (``venue.telegram_api_url()``; telegram.py)
- Admin:          ``{base}/_sandbox/faults`` (GET lists, POST adds one, DELETE clears),
  ``{base}/_sandbox/reset`` (POST), ``{base}/_sandbox/health`` (GET),
  ``{base}/_sandbox/telegram/...`` (a user writes to a bot, reads what it sent, blocks it; the
  chat page: telegram_admin.py)

`venue.ccxt_urls(ccxt_id)` (``kraken``, ``krakenfutures``, ``binance``, ``binanceusdm``) gives
what to put in a ccxt exchange's ``urls["api"]``.
"""

from __future__ import annotations

import json
import logging
import socketserver
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from exchanges.sandbox.auth import CallCounter
from exchanges.sandbox.binance_futures import BinanceUsdmDialect
from exchanges.sandbox.binance_spot import BinanceSpotDialect
from exchanges.sandbox.faults import GATEWAY_PAGE, Fault, FaultQueue, truncate
from exchanges.sandbox.futures import FuturesDialect
from exchanges.sandbox.keys import DEMO_KEYS_PATH, ApiKey, load_keys
from exchanges.sandbox.spot import SpotDialect
from exchanges.sandbox.state import VenueState
from exchanges.sandbox.telegram import TelegramDialect
from exchanges.sandbox.telegram_admin import admin as telegram_admin
from exchanges.sandbox.telegram_bots import TelegramBot, load_bots
from exchanges.sandbox.telegram_state import TelegramState
from exchanges.sandbox.wire import CLIENT_IP_HEADER, Request, Response, json_response, text_response

logger = logging.getLogger(__name__)
BINANCE_API_PATHS = {
    "public": "/api/v3",
    "private": "/api/v3",
    "v1": "/api/v1",
    **{f"sapiV{n}" if n > 1 else "sapi": f"/sapi/v{n}" for n in (1, 2, 3, 4)},
    "fapiPublic": "/fapi/v1",
    "fapiPublicV2": "/fapi/v2",
    "fapiPublicV3": "/fapi/v3",
    "fapiPrivate": "/fapi/v1",
    "fapiPrivateV2": "/fapi/v2",
    "fapiPrivateV3": "/fapi/v3",
    "fapiData": "/futures/data",
    "dapiPublic": "/dapi/v1",
    "dapiPrivate": "/dapi/v1",
    "dapiPrivateV2": "/dapi/v2",
    "dapiData": "/futures/data",
    "eapiPublic": "/eapi/v1",
    "eapiPrivate": "/eapi/v1",
    "papi": "/papi/v1",
    "papiV2": "/papi/v2",
}
MAX_BODY = 1 << 20


class SandboxApp:
    """The WSGI application. Dialect work runs under the venue's lock (but Telegram's, which
    has its own, as its long polls wait); injected delays do not."""

    def __init__(
        self,
        state: VenueState,
        faults: FaultQueue,
        stopping: threading.Event,
        trust_client_ip_header: bool = True,
        bots: Iterable[TelegramBot] = (),
    ) -> None:
        self.state = state
        self.faults = faults
        self.stopping = stopping
        self.trust_client_ip_header = trust_client_ip_header
        # Telegram messages are dated by the venue's clock, whatever freeze_time makes it.
        self.telegram = TelegramDialect(TelegramState(bots, lambda: state.clock(), stopping))
        self.dialects = (
            SpotDialect(state),
            FuturesDialect(state),
            BinanceSpotDialect(state),
            BinanceUsdmDialect(state),
            self.telegram,
        )

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        try:
            response = self.handle(self._request(environ))
        except Exception:  # a sandbox bug must still answer like a venue, and be visible
            logger.exception("sandbox venue: unhandled error")
            response = json_response({"error": ["EGeneral:Internal error"]}, 500)
        headers = [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(response.body))),
            *response.headers,
        ]
        start_response(response.status_line, headers)
        return [response.body]

    def _request(self, environ: dict[str, Any]) -> Request:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(min(length, MAX_BODY)) if length else b""
        headers = {
            k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        client_ip = environ.get("REMOTE_ADDR", "127.0.0.1")
        if self.trust_client_ip_header and headers.get(CLIENT_IP_HEADER):
            client_ip = headers[CLIENT_IP_HEADER]
        return Request(
            method=environ["REQUEST_METHOD"],
            path=environ.get("PATH_INFO", "/"),
            query=environ.get("QUERY_STRING", ""),
            body=body,
            headers=headers,
            client_ip=client_ip,
        )

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/_sandbox/"):
            return self.admin(request)
        dialect = next((d for d in self.dialects if d.handles(request.path)), None)
        if dialect is None:
            return text_response("404 Not Found", 404)
        fault = self.faults.take(dialect.api_key(request), dialect.name, request.path)
        if fault is not None and fault.kind == "slow":
            self.stopping.wait(fault.seconds)  # an Event, so stop() never waits out a delay
        elif fault is not None and fault.kind == "http_error":
            status = fault.status or 502
            page = GATEWAY_PAGE.format(status=status, reason=Response(status).status_line[4:])
            return text_response(page, status, "text/html")
        elif fault is not None and fault.kind in ("unavailable", "rate_limit"):
            return dialect.fault_response(fault)
        if dialect is self.telegram:
            response = self.telegram.handle(request)
        else:
            with self.state.lock:
                self.state.ledger.match(self.state.clock())
                response = dialect.handle(request)
        if fault is not None and fault.kind == "malformed":
            response.body = truncate(response.body)
        if fault is not None and fault.kind == "lost_answer":
            # Carried out, then the answer never arrives: a gateway timing out in front of us.
            self.stopping.wait(fault.seconds)
            page = GATEWAY_PAGE.format(status=504, reason="Gateway Timeout")
            return text_response(page, 504, "text/html")
        return response

    def admin(self, request: Request) -> Response:
        if request.path.startswith("/_sandbox/telegram/"):
            return telegram_admin(self.telegram.state, request)
        route = (request.method, request.path.rstrip("/"))
        try:
            if route == ("GET", "/_sandbox/health"):
                return json_response({"status": "ok", "time": self.state.clock()})
            if route == ("GET", "/_sandbox/faults"):
                return json_response({"faults": self.faults.pending()})
            if route == ("POST", "/_sandbox/faults"):
                fault = self.faults.add(Fault.from_json(json.loads(request.body or b"{}")))
                return json_response({"added": fault.kind, "faults": self.faults.pending()}, 201)
            if route == ("DELETE", "/_sandbox/faults"):
                self.faults.clear()
                return json_response({"faults": []})
            if route == ("POST", "/_sandbox/reset"):
                self.state.reset()
                self.telegram.state.reset()
                self.faults.clear()
                return json_response({"reset": True})
        except (ValueError, TypeError) as error:
            return json_response({"error": str(error)}, 400)
        return json_response({"error": "unknown admin endpoint"}, 404)


class _QuietHandler(WSGIRequestHandler):
    verbose = False

    def log_message(self, format: str, *args: Any) -> None:
        if self.verbose:
            super().log_message(format, *args)


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog (5) resets connections when a client bursts requests.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (its timeout, during an injected delay) is expected, not an error.
        logger.debug("sandbox venue: connection error from %s", client_address, exc_info=True)


class SandboxVenue:
    """Serves the sandbox on 127.0.0.1 (`port` 0: an ephemeral port) from a background thread.

    >>> venue = SandboxVenue().start()
    >>> exchange = ccxt.kraken({"urls": {"api": venue.ccxt_urls("kraken")}, ...})
    >>> venue.stop()

    Telegram bots: `bots`, else those `keys_file` lists, else the demo keys file's.
    """

    def __init__(
        self,
        keys: Iterable[ApiKey] | None = None,
        *,
        keys_file: str | Path | None = None,
        bots: Iterable[TelegramBot] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: str = "noon-barbari-sandbox",
        clock: Callable[[], float] | None = None,
        rate_limit: CallCounter | None = None,
        trust_client_ip_header: bool = True,
        verbose: bool = False,
    ) -> None:
        if keys is None:
            keys = load_keys(keys_file or DEMO_KEYS_PATH)
        self.state = VenueState.build(keys, seed, rate_limit)
        self.state.clock = clock or time.time
        self.faults = FaultQueue()
        self._stopping = threading.Event()
        if bots is None:
            bots = (load_bots(keys_file) if keys_file else []) or load_bots(DEMO_KEYS_PATH)
        self.app = SandboxApp(self.state, self.faults, self._stopping, trust_client_ip_header, bots)
        self.host, self.port, self.verbose = host, port, verbose
        self._server: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> SandboxVenue:
        handler = type("Handler", (_QuietHandler,), {"verbose": self.verbose})
        self._stopping.clear()
        self._server = make_server(self.host, self.port, self.app, _ThreadingServer, handler)
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-venue-{self.port}",
            daemon=True,
        )
        self._thread.start()
        self.app.telegram.state.resume()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.app.telegram.state.stop()  # waiting getUpdates and webhook deliveries end now
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> SandboxVenue:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- addresses -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def ccxt_urls(self, exchange_id: str) -> dict[str, str]:
        """The `urls["api"]` entries that point ccxt's `kraken` or `krakenfutures` here."""
        if exchange_id == "kraken":
            return {"public": self.url, "private": self.url}
        if exchange_id == "krakenfutures":
            return {
                "public": f"{self.url}/derivatives/api/",
                "private": f"{self.url}/derivatives/api/",
                "charts": f"{self.url}/api/charts/",
                "history": f"{self.url}/api/history/",
            }
        if exchange_id in ("binance", "binanceusdm"):
            # Both classes carry every Binance API's base (Spot, wallet, USDⓈ-M, and APIs the
            # sandbox does not speak, which answer 404 here): each keeps its path.
            return {name: self.url + path for name, path in BINANCE_API_PATHS.items()}
        raise ValueError(f"the sandbox speaks no {exchange_id!r}")

    @property
    def keys(self) -> list[ApiKey]:
        return list(self.state.keys.values())

    def key(self, label: str) -> ApiKey:
        for api_key in self.state.keys.values():
            if api_key.label == label:
                return api_key
        raise KeyError(label)

    # --- state, time and faults ----------------------------------------------------------------

    def reset(self) -> None:
        """Back to the keys file's balances, with no orders, nonces or pending faults; Telegram
        without chats, updates, webhooks or send limits (the bots stay)."""
        self.state.reset()
        self.app.telegram.state.reset()
        self.faults.clear()

    def freeze_time(self, at: float) -> None:
        self.state.clock = lambda: at

    def unfreeze_time(self) -> None:
        self.state.clock = time.time

    def inject(self, fault: Fault) -> Fault:
        return self.faults.add(fault)

    # Each `inject_*` takes `key` (an API key: only that key's calls) and `venue` ("spot" or
    # "futures"); both None means every call to the venue.

    def inject_http_error(
        self, status: int = 502, count: int = 1, key: str | None = None, venue: str | None = None
    ) -> Fault:
        return self.inject(Fault("http_error", count, key, venue, status=status))

    def inject_unavailable(
        self, count: int = 1, status: int = 503, key: str | None = None, venue: str | None = None
    ) -> Fault:
        return self.inject(Fault("unavailable", count, key, venue, status=status))

    def inject_rate_limit(
        self, count: int = 1, key: str | None = None, venue: str | None = None
    ) -> Fault:
        return self.inject(Fault("rate_limit", count, key, venue))

    def inject_malformed_json(
        self, count: int = 1, key: str | None = None, venue: str | None = None
    ) -> Fault:
        return self.inject(Fault("malformed", count, key, venue))

    def inject_slow(
        self, seconds: float, count: int = 1, key: str | None = None, venue: str | None = None
    ) -> Fault:
        return self.inject(Fault("slow", count, key, venue, seconds=seconds))

    def clear_faults(self) -> None:
        self.faults.clear()

    # --- Telegram: the bot's address and the user's side -------------------------------------

    @property
    def telegram_bot(self) -> TelegramBot:
        """The first bot (the demo's unless `bots` said otherwise): its token and username."""
        return self.app.telegram.state.find().bot

    def telegram_api_url(self, token: str | None = None) -> str:
        """Where a Bot API client sends its calls: ``{url}/bot<token>`` + ``/<method>``."""
        return f"{self.url}/bot{token or self.telegram_bot.token}"

    def telegram_user_says(
        self, chat_id: int, text: str, *, bot: str | None = None, **who: str
    ) -> dict[str, Any]:
        """User `chat_id` writes `text` to the bot (`who`: first_name, last_name, username,
        language_code): the Update the bot gets."""
        return self.app.telegram.state.user_says(chat_id, text, bot=bot, **who)

    def telegram_messages(self, chat_id: int, *, bot: str | None = None) -> list[dict[str, Any]]:
        """What the bot sent to the chat, oldest first: message_id, date, text, parse_mode."""
        return self.app.telegram.state.sent(chat_id, bot)

    def telegram_block(self, chat_id: int, blocked: bool = True, *, bot: str | None = None) -> None:
        self.app.telegram.state.block(chat_id, blocked, bot)
