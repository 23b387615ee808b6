"""AES-256-GCM with a versioned, self-describing text format.

    nb1.<data key version>.<base64url(nonce || ciphertext || tag)>

`nb1` is the format version; the data key version says which of the user's data keys
encrypted it. Associated data binds a value to where it lives (model, field, user, row), so a
ciphertext copied anywhere else fails to decrypt.
"""

import base64
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = "nb1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """The value cannot be decrypted here: tampered, copied from elsewhere, or wrong key."""


class Ciphertext(str):
    """A stored, encrypted value (as opposed to a plaintext string)."""

    __slots__ = ()


@dataclass(frozen=True)
class Header:
    data_key_version: int
    payload: bytes


def parse(value: str) -> Header:
    try:
        fmt, version, payload = value.split(".", 2)
        if fmt != FORMAT:
            raise ValueError(fmt)
        return Header(int(version), base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        raise DecryptionError("This is not a value encrypted by Noon Barbari.") from None


def encrypt(plaintext: str, *, data_key: bytes, data_key_version: int, bound_to: str) -> Ciphertext:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(data_key).encrypt(nonce, plaintext.encode(), _aad(bound_to, data_key_version))
    payload = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return Ciphertext(f"{FORMAT}.{data_key_version}.{payload}")


def decrypt(header: Header, *, data_key: bytes, bound_to: str) -> str:
    nonce, sealed = header.payload[:NONCE_BYTES], header.payload[NONCE_BYTES:]
    try:
        plain = AESGCM(data_key).decrypt(nonce, sealed, _aad(bound_to, header.data_key_version))
    except InvalidTag:
        raise DecryptionError(
            "Decryption failed: the value was altered, or copied from another field, row or user."
        ) from None
    return plain.decode()


def _aad(bound_to: str, data_key_version: int) -> bytes:
    # The header's version is authenticated too: it cannot be swapped for another one.
    return f"{FORMAT}|{data_key_version}|{bound_to}".encode()
