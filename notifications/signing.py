"""How a webhook delivery proves it is ours, and the recipe a receiver follows to check it.

Each delivery is a POST of a JSON body with three headers:

    X-Noon-Barbari-Timestamp: 1796630400                  (Unix seconds when it was signed)
    X-Noon-Barbari-Signature: v1=<hex HMAC-SHA256>        (over "<timestamp>.<raw body>")
    X-Noon-Barbari-Idempotency-Key: <uuid>                (the same on every retry)

A receiver recomputes the HMAC with the channel's signing secret over the timestamp, a dot and
the body exactly as received, compares in constant time, refuses a timestamp more than
`TOLERANCE_S` away from its clock (stale, or replayed later), and refuses an idempotency key it
has already accepted (a replay within the window, or our retry of a delivery it did receive).
`verify` is that recipe written out; the settings page shows it to users.
"""

import hashlib
import hmac
import secrets
from collections.abc import MutableSet

TIMESTAMP = "X-Noon-Barbari-Timestamp"
SIGNATURE = "X-Noon-Barbari-Signature"
IDEMPOTENCY_KEY = "X-Noon-Barbari-Idempotency-Key"
TOLERANCE_S = 300
SCHEME = "v1"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes, idempotency_key: str) -> dict:
    return {
        "Content-Type": "application/json",
        TIMESTAMP: str(timestamp),
        SIGNATURE: f"{SCHEME}={signature(secret, timestamp, body)}",
        IDEMPOTENCY_KEY: idempotency_key,
    }


class Refused(Exception):
    """Why a receiver must drop a delivery."""


def verify(secret: str, body: bytes, headers: dict, *, now: float, seen: MutableSet[str]) -> str:
    """The receiver's check; the idempotency key of a delivery to act on, else Refused.
    `headers` are matched without regard to case; `seen` holds the keys already accepted."""
    folded = {name.lower(): value for name, value in headers.items()}
    try:
        timestamp = int(folded[TIMESTAMP.lower()])
        scheme, _, given = folded[SIGNATURE.lower()].partition("=")
        key = folded[IDEMPOTENCY_KEY.lower()]
    except (KeyError, ValueError):
        raise Refused("missing or malformed headers") from None
    if scheme != SCHEME or not hmac.compare_digest(given, signature(secret, timestamp, body)):
        raise Refused("bad signature")
    if abs(now - timestamp) > TOLERANCE_S:
        raise Refused("stale timestamp")
    if key in seen:
        raise Refused("already received")
    seen.add(key)
    return key
