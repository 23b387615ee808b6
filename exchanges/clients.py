"""The one place that builds ccxt exchange instances.

Credentials are handed over here and nowhere else; every client gets a timeout, a rate limiter
(ccxt's, or the venue's own per-key counter where we model it: exchanges.ratelimits), verbose
off, the base-URL override that points it at the sandbox venue when configured, and markets
and the exchange's clock offset from a cache shared by every process.
"""

import contextlib
import fcntl
import functools
import hashlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import ccxt
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from exchanges import ratelimits
from exchanges.credentials import Credentials

MARKETS_TTL = 24 * 3600
# The cache entry of a market list: its name changes with what the entry holds.
MARKETS = "markets-2"
# The offset between our clock and the exchange's is this machine's, and drifts: re-measured
# hourly, per host.
CLOCK_OFFSET_TTL = 3600
# Exchanges whose nonce is a counter that only has to grow. Aligning it on the server's clock
# would buy nothing, and when the offset is re-measured a nonce could go backwards between
# two processes: EAPI:Invalid nonce.
NONCE_COUNTERS = frozenset({"kraken", "krakenfutures", "bitfinex"})
# ccxt options a venue's client needs beyond the defaults. Binance's classes load every
# market family they know (Spot also lists USDⓈ-M and COIN-M markets) and, with a key, the
# margin pairs and the currency list: three or four more calls, two of them private, that a
# key test or a candle fill would pay for nothing. Each class loads its own markets only.
CCXT_OPTIONS: dict[str, dict[str, Any]] = {
    "binance": {
        "fetchMarkets": {"types": ["spot"]},
        "fetchMargins": False,
        "fetchCurrencies": False,
    },
    "binanceusdm": {
        "fetchMarkets": {"types": ["linear"]},
        "fetchMargins": False,
        "fetchCurrencies": False,
    },
}


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


def build(ccxt_id: str, credentials: Credentials | None = None) -> ccxt.Exchange:
    """A ready ccxt client, signed in with `credentials` when given.

    The rate limiter stays on (EXCHANGE_RATE_LIMIT); only tests that need speed against the
    sandbox turn it off, and say so.
    """
    config: dict[str, Any] = {
        "enableRateLimit": settings.EXCHANGE_RATE_LIMIT,
        "timeout": settings.EXCHANGE_TIMEOUT_MS,
        "verbose": False,  # ccxt's verbose mode prints request headers, signatures included
        # Where the signature carries a timestamp (Binance's recvWindow...), sign with the
        # exchange's clock, not ours: a drifting server clock must not look like a broken key
        # (-1021 and the like).
        "options": {
            "adjustForTimeDifference": ccxt_id not in NONCE_COUNTERS,
            **CCXT_OPTIONS.get(ccxt_id, {}),
        },
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
        original = exchange.urls["api"]
        exchange.urls["api"] = _rebase(original, override)
        _classify_as_the_exchange(exchange, original)
    counter = ratelimits.COUNTERS.get(ccxt_id)
    if counter is not None and credentials is not None and settings.EXCHANGE_RATE_LIMIT:
        ratelimits.follow_counter(exchange, counter)
    cached = cache.get(_cache_key(MARKETS, ccxt_id))
    if cached:
        markets, currencies, helpers = cached
        exchange.set_markets(markets, currencies)
        # What load_markets derives beside the markets (Kraken's markets by "altname", which
        # its order parsing needs to name an order's market): without it, orders read back
        # have no symbol and a filter by market drops them.
        exchange.options.update(helpers)
    if _aligns_clock(exchange):
        offset = cache.get(_cache_key("clock-offset", ccxt_id, per_host=True))
        if offset is not None:
            exchange.options["timeDifference"] = offset
    return exchange


def ensure_markets(exchange: ccxt.Exchange) -> None:
    """Markets and the clock offset: loaded once, then shared with every process through the
    cache. With both cached, this makes no request."""
    offset_key = _cache_key("clock-offset", exchange.id, per_host=True)
    if not exchange.markets:
        exchange.load_markets()  # measures the clock offset too, where the option is on
        share_markets(exchange)
    elif not _aligns_clock(exchange) or cache.get(offset_key) is not None:
        return  # both were in the cache
    else:
        exchange.load_time_difference()
    if _aligns_clock(exchange):
        cache.set(offset_key, exchange.options.get("timeDifference", 0), CLOCK_OFFSET_TTL)


def resync_clock(exchange: ccxt.Exchange) -> bool:
    """Measure the exchange's clock again and share it, where requests are signed with it.
    False where the exchange does not sign with a clock (nothing to do). A refusal for the
    request's time (Binance's -1021) after the offset was measured means our clock moved."""
    if not _aligns_clock(exchange):
        return False
    exchange.load_time_difference()
    offset_key = _cache_key("clock-offset", exchange.id, per_host=True)
    cache.set(offset_key, exchange.options.get("timeDifference", 0), CLOCK_OFFSET_TTL)
    return True


def share_markets(exchange: ccxt.Exchange) -> None:
    """Give every process this client's markets for a day (clients built next start with them)."""
    if not exchange.markets:
        # ccxt parses a garbled answer into no markets at all: never cache that for a day.
        raise ccxt.BadResponse(f"{exchange.id} answered with no markets")
    helpers = {name: exchange.options.get(name) for name in _market_helpers(exchange)}
    cache.set(
        _cache_key(MARKETS, exchange.id),
        (list(exchange.markets.values()), exchange.currencies, helpers),
        MARKETS_TTL,
    )


def _market_helpers(exchange: ccxt.Exchange) -> list[str]:
    """The options ccxt fills while loading markets, that it copies with them itself."""
    return [
        name for name in exchange.options.get("marketHelperProps", []) if name in exchange.options
    ]


def _aligns_clock(exchange: ccxt.Exchange) -> bool:
    return bool(exchange.options.get("adjustForTimeDifference"))


def _cache_key(kind: str, ccxt_id: str, *, per_host: bool = False) -> str:
    origin = settings.EXCHANGE_API_OVERRIDES.get(ccxt_id, "live")
    if per_host:
        origin += f"@{socket.gethostname()}"
    return f"ccxt-{kind}:{ccxt_id}:{hashlib.sha256(origin.encode()).hexdigest()[:12]}"


def _classify_as_the_exchange(exchange: ccxt.Exchange, original: Any) -> None:
    """ccxt picks some error classes by the host that answered (Binance has one error map per
    API: -1008 is OperationFailed on api. and fapi., unknown elsewhere): a client pointed at
    another origin (the sandbox venue) classifies each error as the exchange's own host would
    have, so the sandbox's answers reach our code as the exchange's do."""
    by_url = getattr(exchange, "get_exceptions_by_url", None)
    if by_url is None:
        return
    bases = sorted(_pairs(exchange.urls["api"], original), key=lambda pair: -len(pair[0]))

    def as_the_exchange(url: str | None, exact_or_broad: str) -> dict:
        for rebased, base in bases:
            if url and url.startswith(rebased):
                return by_url(base + url[len(rebased) :], exact_or_broad)
        return by_url(url, exact_or_broad)

    exchange.get_exceptions_by_url = as_the_exchange


def _pairs(rebased: Any, original: Any) -> list[tuple[str, str]]:
    """(rebased, original) base URLs, flattened from ccxt's nested `urls["api"]`."""
    if isinstance(rebased, dict):
        return [pair for name in rebased for pair in _pairs(rebased[name], original[name])]
    return [(rebased, original)] if isinstance(rebased, str) and rebased != original else []


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
