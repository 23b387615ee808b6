"""Credentials in clear: what the user pasted, and what a task decrypts to call the exchange.

Plaintext exists only in these objects, in memory, for as long as a call needs it.
"""

from dataclasses import dataclass

from exchanges.crypto.cipher import DecryptionError
from exchanges.key_events import key_event_record
from exchanges.models import ExchangeKey, KeyEventKind, KeyReplacement


@dataclass(frozen=True)
class Credentials:
    """What the user pasted, already validated; never logged, never passed to a task."""

    api_key: str
    secret: str
    passphrase: str | None = None
    uid: str | None = None

    def __repr__(self) -> str:
        return "Credentials(********)"


def credentials_assign(row: ExchangeKey | KeyReplacement, credentials: Credentials) -> None:
    """Hand the plaintexts to a key or a replacement; its save() encrypts them for its row."""
    row.api_key = credentials.api_key
    row.secret = credentials.secret
    row.passphrase = credentials.passphrase
    row.uid = credentials.uid
    row.key_hint = credentials.api_key[-4:]


def _decrypt(row: ExchangeKey | KeyReplacement) -> Credentials:
    if row.api_key is None or row.secret is None:  # wiped: deleted, or a settled replacement
        raise DecryptionError("no credentials stored")
    return Credentials(
        api_key=row.api_key.reveal(),
        secret=row.secret.reveal(),
        passphrase=row.passphrase.reveal() if row.passphrase is not None else None,
        uid=row.uid.reveal() if row.uid is not None else None,
    )


def exchange_key_reveal(*, key: ExchangeKey, actor: str) -> Credentials:
    """Decrypt a key for the task that needs it now; the audit trail says which task, and
    whether it worked (DecryptionError propagates, recorded as "decryption failed")."""
    return _audited(key, key, actor)


def replacement_reveal(*, replacement: KeyReplacement, actor: str) -> Credentials:
    """Decrypt the new credentials of a key for their connection test; audited on the key."""
    return _audited(replacement, replacement.key, actor)


def _audited(row: ExchangeKey | KeyReplacement, key: ExchangeKey, actor: str) -> Credentials:
    try:
        credentials = _decrypt(row)
    except DecryptionError:
        key_event_record(key, KeyEventKind.DECRYPTION_FAILED, actor)
        raise
    key_event_record(key, KeyEventKind.DECRYPTED, actor)
    return credentials
