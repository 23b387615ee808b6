"""Private-call limits that follow the venue's own accounting, shared by every process.

ccxt's synchronous throttle spaces each call `rateLimit * cost` after the previous call of the
same client: 3 s between two of Kraken's private calls. Kraken itself counts calls per API key
in a counter that lets a key make a burst of 15 calls, then decays (its "Spot REST rate
limits" guide). Each connection test builds a new client, so a client's own memory of past
calls is worthless anyway: the counter lives in the shared cache, keyed by a digest of the API
key, so web and worker processes (and machines sharing a Redis cache) see the same level.

Callers make private calls under the key's lock (`clients.key_lock`), which also keeps nonces
in order; that lock makes the counter's read-modify-write safe without a lock of its own.
"""

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache


@dataclass(frozen=True)
class CallCounter:
    """A per-key counter: each call adds its cost, the level decays; over the ceiling, wait."""

    ceiling: float
    decay_per_second: float
    apis: frozenset[str]  # ccxt's API sections the counter covers (Kraken: "private")
    costs: Mapping[str, float] = field(default_factory=dict)  # by endpoint; the others cost 1

    def cost_of(self, path: str) -> float:
        return self.costs.get(path, 1.0)

    def covers(self, api: Any) -> bool:
        sections = [api] if isinstance(api, str) else list(api)
        return any(section in self.apis for section in sections)

    def level_at(self, state: tuple[float, float] | None, now: float) -> float:
        """The level now, from the (level, time) last stored."""
        if state is None:
            return 0.0
        level, since = state
        return max(0.0, level - max(0.0, now - since) * self.decay_per_second)

    def wait_for(self, level: float, cost: float) -> float:
        """Seconds until a call of this cost fits under the ceiling."""
        excess = level + cost - self.ceiling
        return excess / self.decay_per_second if excess > 0 else 0.0


COUNTERS: dict[str, CallCounter] = {
    # Kraken's Starter tier (15, -0.33/s), the lowest: we do not know the user's tier, and
    # Intermediate and Pro only allow more. One unit of the 15 is kept back because Kraken
    # decays its counter in steps "every couple of seconds", not continuously as we model it.
    # Ledger and trade history calls count 2; AddOrder and CancelOrder are counted by the
    # trading engine's own per-pair limiter instead.
    "kraken": CallCounter(
        ceiling=14.0,
        decay_per_second=0.33,
        apis=frozenset({"private"}),
        costs={
            "Ledgers": 2.0,
            "QueryLedgers": 2.0,
            "TradesHistory": 2.0,
            "AddOrder": 0.0,
            "CancelOrder": 0.0,
        },
    ),
}


def counter_key(ccxt_id: str, api_key: str) -> str:
    # The API key is not the secret, but a cache (Redis) lists its keys: store a digest.
    digest = hashlib.sha256(f"{ccxt_id}:{api_key}".encode()).hexdigest()[:24]
    return f"call-counter:{ccxt_id}:{digest}"


def take(
    counter: CallCounter,
    key: str,
    cost: float,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Count one call, after waiting until it fits; returns the seconds waited.

    Wall-clock time, since the level is shared between processes (and machines).
    """
    now = clock()
    level = counter.level_at(cache.get(key), now)
    waited = counter.wait_for(level, cost)
    if waited:
        sleep(waited)
        level -= waited * counter.decay_per_second
    _store(counter, key, level + cost, now + waited)
    return waited


def restamp(counter: CallCounter, key: str, *, clock: Callable[[], float] = time.time) -> None:
    """Date the last count from now, once the answer is in.

    The venue counted the call somewhere between our request and its answer: counting it at
    the answer keeps our level at or above the venue's, however long the request took.
    """
    state = cache.get(key)
    if state is not None:
        _store(counter, key, state[0], max(state[1], clock()))


def _store(counter: CallCounter, key: str, level: float, at: float) -> None:
    # Kept until the level would have decayed to zero anyway.
    cache.set(key, (level, at), int(level / counter.decay_per_second) + 60)


def follow_counter(client: Any, counter: CallCounter) -> None:
    """Make this ccxt client's calls in the counter's sections wait on the shared counter
    instead of ccxt's own spacing (which would add `rateLimit * cost` on top)."""
    original = client.fetch2
    key = counter_key(client.id, client.apiKey)

    def fetch2(
        path: str,
        api: Any = "public",
        method: str = "GET",
        params: dict | None = None,
        config: dict | None = None,
    ) -> Any:
        config = dict(config or {})
        params = params if params is not None else {}
        if not counter.covers(api):
            return original(path, api, method, params, config)
        take(counter, key, counter.cost_of(path))
        config["cost"] = 0  # the counter has already spaced this call
        try:
            return original(path, api, method, params, config)
        finally:
            restamp(counter, key)

    client.fetch2 = fetch2
