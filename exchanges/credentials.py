"""Credentials in clear: what the user pasted, and what a task decrypts to call the exchange.

Plaintext exists only in these objects, in memory, for as long as a call needs it.
"""

from dataclasses import dataclass

from exchanges.crypto.cipher import DecryptionError
from exchanges.key_events import key_event_record
from exchanges.models import ExchangeKey, KeyEventKind


@dataclass(frozen=True)
class Credentials:
    """What the user pasted, already validated; never logged, never passed to a task."""

    api_key: str
    secret: str
    passphrase: str | None = None
    uid: str | None = None

    def __repr__(self) -> str:
        return "Credentials(********)"


def exchange_key_reveal(*, key: ExchangeKey, actor: str) -> Credentials:
    """Decrypt a key for the task that needs it now; the audit trail says which task, and
    whether it worked (DecryptionError propagates, recorded as "decryption failed")."""
    try:
        credentials = Credentials(
            api_key=key.api_key.reveal(),
            secret=key.secret.reveal(),
            passphrase=key.passphrase.reveal() if key.passphrase is not None else None,
            uid=key.uid.reveal() if key.uid is not None else None,
        )
    except DecryptionError:
        key_event_record(key, KeyEventKind.DECRYPTION_FAILED, actor)
        raise
    key_event_record(key, KeyEventKind.DECRYPTED, actor)
    return credentials
