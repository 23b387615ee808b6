"""Keyed digests of secrets, to find a value again without decrypting every row.

The HMAC key is derived from the owner's data key, not from a KEK or SECRET_KEY: rotating a
KEK re-wraps the same data key, so digests survive it; a new data key for the user (rotation
--user) re-saves their values, which recomputes them; deleting the user shreds them with the
rest. Being per user, digests compare a user's values only: the same key saved by two users
gives two unrelated digests, and a database dump alone cannot test guesses against them.
"""

import hashlib
import hmac

from exchanges.crypto import datakeys


def keyed_digest(*, user_id: int, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under a key derived from the user's active data key and
    `purpose` (one key per use), in hex."""
    _version, data_key = datakeys.active(user_id)
    derived = hmac.new(data_key, f"noonbarbari-digest|{purpose}".encode(), hashlib.sha256)
    return hmac.new(derived.digest(), value.encode(), hashlib.sha256).hexdigest()
