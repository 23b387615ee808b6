"""Per-user data keys (DEKs): 32 random bytes, stored only wrapped by a key-encryption key."""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, transaction

from exchanges.crypto import keyring
from exchanges.crypto.cipher import NONCE_BYTES, DecryptionError
from exchanges.crypto.models import DataKey

DATA_KEY_BYTES = 32


def _aad(user_id: int, version: int) -> bytes:
    return f"dek|{user_id}|{version}".encode()


def wrap(data_key: bytes, *, user_id: int, version: int, kek_id: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(keyring.key(kek_id)).encrypt(nonce, data_key, _aad(user_id, version))


def unwrap(row) -> bytes:
    wrapped = bytes(row.wrapped)
    try:
        return AESGCM(keyring.key(row.kek_id)).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _aad(row.user_id, row.version)
        )
    except InvalidTag:
        raise DecryptionError(f"Data key {row.version} of user {row.user_id} is damaged.") from None


def active(user_id: int) -> tuple[int, bytes]:
    """The user's newest data key (version, key), created on first use."""
    row = DataKey.objects.filter(user_id=user_id).order_by("-version").first()
    if row is None:
        row = create(user_id=user_id)
    return row.version, unwrap(row)


def get(user_id: int, version: int) -> bytes:
    row = DataKey.objects.filter(user_id=user_id, version=version).first()
    if row is None:
        raise DecryptionError(
            f"Data key {version} of user {user_id} no longer exists (crypto-shredded)."
        )
    return unwrap(row)


def create(*, user_id: int):
    """A new data key version for the user, wrapped by the active KEK."""
    latest = DataKey.objects.filter(user_id=user_id).order_by("-version").first()
    version = latest.version + 1 if latest else 1
    kek_id = keyring.active_key_id()
    wrapped = wrap(os.urandom(DATA_KEY_BYTES), user_id=user_id, version=version, kek_id=kek_id)
    try:
        with transaction.atomic():
            return DataKey.objects.create(
                user_id=user_id, version=version, kek_id=kek_id, wrapped=wrapped
            )
    except IntegrityError:
        # Another process created this version first: use theirs.
        return DataKey.objects.get(user_id=user_id, version=version)


def rewrap(row) -> bool:
    """Wrap a data key under the active KEK; False when it already is (idempotent)."""
    kek_id = keyring.active_key_id()
    if row.kek_id == kek_id:
        return False
    data_key = unwrap(row)
    row.wrapped = wrap(data_key, user_id=row.user_id, version=row.version, kek_id=kek_id)
    row.kek_id = kek_id
    row.save(update_fields=["wrapped", "kek_id"])
    return True
