"""Request authentication, exactly as Kraken specifies it, and the per-key nonce and call counters.

Spot (docs.kraken.com, "Spot REST Authentication"): ``API-Sign`` is
``base64(HMAC-SHA512(base64decode(secret), uri_path + SHA256(nonce + post_data)))``, where
``uri_path`` starts with ``/0/private`` and ``nonce`` is the ``nonce`` field of the POST data.

Futures (docs.kraken.com, "Futures REST", Authent): ``Authent`` is
``base64(HMAC-SHA512(base64decode(secret), SHA256(post_data + nonce + endpoint_path)))``, where
``endpoint_path`` is the URL path without the ``/derivatives`` prefix (``/api/v3/sendorder``)
and the ``Nonce`` header is optional.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from exchanges.sandbox.keys import ApiKey


class Refusal(Enum):
    """Why a signed request was refused; each dialect words it in its own error strings."""

    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    BAD_NONCE = "bad_nonce"
    DUPLICATE_NONCE = "duplicate_nonce"
    EXPIRED = "expired"
    IP_NOT_ALLOWED = "ip_not_allowed"
    PERMISSION = "permission"
    RATE_LIMIT = "rate_limit"


class AuthRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


def spot_signature(secret_b64: str, uri_path: str, nonce: str, post_data: bytes | str) -> str:
    data = post_data.encode() if isinstance(post_data, str) else post_data
    digest = hashlib.sha256(nonce.encode() + data).digest()
    mac = hmac.new(base64.b64decode(secret_b64), uri_path.encode() + digest, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode()


def futures_authent(secret_b64: str, post_data: str, nonce: str, endpoint_path: str) -> str:
    digest = hashlib.sha256((post_data + nonce + endpoint_path).encode()).digest()
    mac = hmac.new(base64.b64decode(secret_b64), digest, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode()


def signatures_match(expected: str, given: str | None) -> bool:
    # Constant time, as a real venue must; bytes so a non-ASCII header cannot raise.
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


@dataclass
class NonceTracker:
    """Highest nonce seen per key; Kraken refuses a nonce at or below it (unless in the window)."""

    highest: dict[str, int] = field(default_factory=dict)
    recent: dict[str, set[int]] = field(default_factory=dict)

    def accept(self, api_key: ApiKey, raw: str | None) -> None:
        try:
            nonce = int(raw or "")
        except ValueError:
            raise AuthRefused(Refusal.BAD_NONCE) from None
        highest = self.highest.get(api_key.key)
        seen = self.recent.setdefault(api_key.key, set())
        if highest is not None:
            if nonce in seen or nonce == highest:
                raise AuthRefused(Refusal.DUPLICATE_NONCE)
            if nonce <= highest - api_key.nonce_window or (
                nonce < highest and not api_key.nonce_window
            ):
                raise AuthRefused(Refusal.BAD_NONCE)
        self.highest[api_key.key] = max(nonce, highest or nonce)
        if api_key.nonce_window:
            seen.add(nonce)
            floor = self.highest[api_key.key] - api_key.nonce_window
            self.recent[api_key.key] = {n for n in seen if n > floor}

    def reset(self) -> None:
        self.highest.clear()
        self.recent.clear()


@dataclass
class CallCounter:
    """Kraken Spot's REST call counter: +cost per call, decaying per second, refused over max.

    Off unless the venue is built with one (tests that need a real limit turn it on); the
    defaults are Kraken's Starter tier (maximum 15, decay 0.33/s).
    """

    maximum: float = 15.0
    decay_per_second: float = 0.33
    counters: dict[str, tuple[float, float]] = field(default_factory=dict)

    def charge(self, key: str, cost: float, now: float) -> None:
        level, since = self.counters.get(key, (0.0, now))
        level = max(0.0, level - (now - since) * self.decay_per_second)
        if level + cost > self.maximum:
            self.counters[key] = (level, now)
            raise AuthRefused(Refusal.RATE_LIMIT)
        self.counters[key] = (level + cost, now)

    def reset(self) -> None:
        self.counters.clear()


def check_key_state(api_key: ApiKey, client_ip: str, now: float) -> None:
    """Expiry and IP allowlist: the checks that follow a valid signature."""
    if api_key.is_expired(now):
        raise AuthRefused(Refusal.EXPIRED)
    if not api_key.allows_ip(client_ip):
        raise AuthRefused(Refusal.IP_NOT_ALLOWED)


def find_key(keys: Mapping[str, ApiKey], key: str | None, venue: str) -> ApiKey:
    api_key = keys.get(key or "")
    if api_key is None or api_key.venue != venue:
        raise AuthRefused(Refusal.UNKNOWN_KEY)
    return api_key


def binance_signature(secret: str, total_params: str) -> str:
    """Binance's SIGNED requests: hex(HMAC-SHA256(secret, totalParams)), where totalParams is
    the query string followed by the request body, the signature left out (Binance's "SIGNED
    (TRADE, USER_DATA AND MARGIN) Endpoint security")."""
    return hmac.new(secret.encode(), total_params.encode(), hashlib.sha256).hexdigest()


class WeightRefused(Exception):
    """Binance's answer to an IP over its request weight: 429 first, then 418 and a ban."""

    def __init__(self, status: int, retry_after: int, banned_until_ms: int | None) -> None:
        super().__init__(status)
        self.status, self.retry_after, self.banned_until_ms = status, retry_after, banned_until_ms


@dataclass
class WeightLimiter:
    """Binance's REQUEST_WEIGHT limit: the weights of an IP's requests add up per clock minute;
    over `limit`, requests get HTTP 429 with Retry-After (the seconds to the next minute). An IP
    that keeps calling after a 429 gets HTTP 418 and a ban that doubles each time, from
    2 minutes up to 3 days (Binance's "Limits" section: "repeatedly violating rate limits
    and/or failing to back off after receiving 429s will result in an automated IP ban")."""

    limit: int
    used: dict[str, tuple[int, int]] = field(default_factory=dict)  # ip -> (minute, weight)
    warned: dict[str, int] = field(default_factory=dict)  # ip -> minute of its last 429
    bans: dict[str, tuple[float, int]] = field(default_factory=dict)  # ip -> (until, seconds)

    FIRST_BAN, LONGEST_BAN = 120, 3 * 86400

    def charge(self, ip: str, weight: int, now: float) -> int:
        """The IP's weight this minute once this request is counted; raises WeightRefused."""
        until, length = self.bans.get(ip, (0.0, 0))
        if now < until:
            raise WeightRefused(418, int(until - now) + 1, int(until * 1000))
        minute = int(now // 60)
        last_minute, used = self.used.get(ip, (minute, 0))
        used = used if last_minute == minute else 0
        if used + weight > self.limit:
            retry_after = 60 - int(now) % 60
            if self.warned.get(ip) == minute:  # called again, refused, within the same minute
                length = min(max(length * 2, self.FIRST_BAN), self.LONGEST_BAN)
                self.bans[ip] = (now + length, length)
                raise WeightRefused(418, length, int((now + length) * 1000))
            self.warned[ip] = minute
            raise WeightRefused(429, retry_after, None)
        self.used[ip] = (minute, used + weight)
        return used + weight

    def reset(self) -> None:
        self.used.clear()
        self.warned.clear()
        self.bans.clear()
