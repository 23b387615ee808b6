"""One retry rule for exchange calls, shared by the connection test and run ticks.

Only answers that say nothing about the key are retried (the exchange busy, down or slow,
as both ccxt's error class and the exchange's own code tell), a few times, with a pause that
grows. Anything else (a refused key, a bad order) is the answer, and retrying it would only
hide it or, for an order, risk sending it twice.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import ccxt

from exchanges.diagnosis import diagnose_error
from exchanges.diagnosis.errors import TRANSIENT_ERRORS

T = TypeVar("T")

# Seconds between tries.
RETRY_DELAYS: tuple[float, ...] = (0.5, 1.5)


def is_transient(ccxt_id: str, error: Exception) -> bool:
    """Whether the failure is the exchange's passing trouble, not an answer about the call."""
    return isinstance(error, TRANSIENT_ERRORS) and diagnose_error(ccxt_id, error).transient


@dataclass
class Attempts:
    """How many tries failed (each is at least one request the exchange saw)."""

    failed: int = 0


def call_with_retries(
    call: Callable[[], T],
    *,
    ccxt_id: str,
    attempts: Attempts | None = None,
    delays: tuple[float, ...] | None = None,
) -> T:
    """`call()`, tried again after each delay while it fails transiently; the last error
    propagates. Never use it for a call whose repetition is not harmless (sending an order)."""
    attempts = attempts if attempts is not None else Attempts()
    for delay in (*(RETRY_DELAYS if delays is None else delays), None):
        try:
            return call()
        except ccxt.BaseError as error:
            attempts.failed += 1
            if delay is None or not is_transient(ccxt_id, error):
                raise
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
