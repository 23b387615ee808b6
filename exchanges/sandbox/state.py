"""The venue's state, shared by both dialects and guarded by one lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from exchanges.sandbox.accounts import Ledger
from exchanges.sandbox.auth import CallCounter, NonceTracker, WeightLimiter
from exchanges.sandbox.keys import ApiKey
from exchanges.sandbox.market import Market

# When the sandbox keys were "created" (GetApiKeyInfo / the Futures key check report it).
KEYS_CREATED = 1_735_689_600  # 2025-01-01T00:00:00Z


@dataclass
class VenueState:
    keys: dict[str, ApiKey]
    market: Market
    ledger: Ledger
    clock: Callable[[], float] = time.time
    counter: CallCounter | None = None
    nonces: NonceTracker = field(default_factory=NonceTracker)
    last_used: dict[str, float] = field(default_factory=dict)
    # Binance's request weight per IP and minute: Spot's 6000 (its /sapi calls counted with
    # it, though Binance keeps a separate 12000), USDⓈ-M's 2400.
    weights: dict[str, WeightLimiter] = field(
        default_factory=lambda: {
            "binance": WeightLimiter(6000),
            "binanceusdm": WeightLimiter(2400),
        }
    )
    lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def build(
        cls, keys: Iterable[ApiKey], seed: str, rate_limit: CallCounter | None = None
    ) -> VenueState:
        keys = list(keys)
        market = Market(seed)
        return cls(
            keys={k.key: k for k in keys},
            market=market,
            ledger=Ledger(market, keys, seed),
            counter=rate_limit,
        )

    def reset(self) -> None:
        """Balances, orders, fills, nonces and counters back to the keys file's starting point."""
        with self.lock:
            self.ledger.reset(self.keys.values())
            self.nonces.reset()
            self.last_used.clear()
            for limiter in self.weights.values():
                limiter.reset()
            if self.counter is not None:
                self.counter.reset()


def fmt(value: Decimal | None, places: int) -> str:
    """A decimal as Kraken writes it: a string with a fixed number of places."""
    quantum = Decimal(1).scaleb(-places)
    return str((value or Decimal(0)).quantize(quantum, rounding=ROUND_DOWN))
