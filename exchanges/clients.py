"""The one place that builds ccxt exchange instances.

Credentials are handed over here and nowhere else; every client gets a timeout, ccxt's rate
limiter, verbose off, the base-URL override that points it at the sandbox venue when
configured, and markets from a cache shared by every process (refreshed at most daily).
"""

import contextlib
import fcntl
import functools
import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import ccxt
from django.conf import settings
from django.core.cache import cache
from django.db import connection

MARKETS_TTL = 24 * 3600


class UnknownExchange(ValueError):
    pass


class KeyBusy(Exception):
    """Another task holds this key's lock for too long."""


@functools.cache
def required_credentials(ccxt_id: str) -> tuple[str, ...]:
    """The credentials an API key for this exchange consists of, per ccxt (no network)."""
    exchange_class = getattr(ccxt, ccxt_id, None)
    if ccxt_id not in ccxt.exchanges or exchange_class is None:
        raise UnknownExchange(f"ccxt has no exchange {ccxt_id!r}")
    required = exchange_class().requiredCredentials
    return tuple(name for name, needed in required.items() if needed)


def build(ccxt_id: str, credentials: Any = None) -> ccxt.Exchange:
    """A ready ccxt client. `credentials` is an exchanges.services.Credentials, or None.

    ccxt's rate limiter stays on (EXCHANGE_RATE_LIMIT); only tests that need speed against
    the sandbox turn it off, and say so.
    """
    config: dict[str, Any] = {
        "enableRateLimit": settings.EXCHANGE_RATE_LIMIT,
        "timeout": settings.EXCHANGE_TIMEOUT_MS,
        "verbose": False,  # ccxt's verbose mode prints request headers, signatures included
        # Where ccxt supports it (Binance...), sign with the exchange's clock, not ours: a
        # drifting server clock must not look like a broken key (-1021 and the like).
        "options": {"adjustForTimeDifference": True},
    }
    if credentials is not None:
        config.update(
            apiKey=credentials.api_key,
            secret=credentials.secret,
            password=credentials.passphrase,
            uid=credentials.uid,
        )
    exchange = getattr(ccxt, ccxt_id)(config)
    override = settings.EXCHANGE_API_OVERRIDES.get(ccxt_id)
    if override:
        exchange.urls["api"] = _rebase(exchange.urls["api"], override)
    cached = cache.get(_markets_key(ccxt_id))
    if cached is not None:
        exchange.set_markets(*cached)
    return exchange


def ensure_markets(exchange: ccxt.Exchange) -> None:
    """Load markets once, then share them with every process through the cache."""
    if exchange.markets:
        return
    exchange.load_markets()
    cache.set(
        _markets_key(exchange.id),
        (list(exchange.markets.values()), exchange.currencies),
        MARKETS_TTL,
    )


def _markets_key(ccxt_id: str) -> str:
    origin = settings.EXCHANGE_API_OVERRIDES.get(ccxt_id, "live")
    return f"ccxt-markets:{ccxt_id}:{hashlib.sha256(origin.encode()).hexdigest()[:12]}"


def _rebase(urls: Any, base: str) -> Any:
    """The same API paths, on another origin (scheme and host)."""
    if isinstance(urls, dict):
        return {name: _rebase(value, base) for name, value in urls.items()}
    if isinstance(urls, str) and urls.startswith("http"):
        target = urlsplit(base)
        parts = urlsplit(urls)
        return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))
    return urls


@contextlib.contextmanager
def key_lock(key_id: object, *, timeout: float = 30.0) -> Iterator[None]:
    """Serialise private calls made with one key, across processes: nonces never clash.

    PostgreSQL gives an advisory lock (several machines share it); SQLite, being one
    machine's file, gets a file lock.
    """
    lock = _pg_lock if connection.vendor == "postgresql" else _file_lock
    with lock(str(key_id), timeout):
        yield


@contextlib.contextmanager
def _pg_lock(name: str, timeout: float) -> Iterator[None]:
    lock_id = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
            if cursor.fetchone()[0]:
                break
            if time.monotonic() > deadline:
                raise KeyBusy(name)
            time.sleep(0.05)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])


@contextlib.contextmanager
def _file_lock(name: str, timeout: float) -> Iterator[None]:
    directory = Path(settings.LOCK_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"key-{hashlib.sha256(name.encode()).hexdigest()[:24]}.lock"
    deadline = time.monotonic() + timeout
    with path.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise KeyBusy(name) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
