"""Key-encryption keys (KEKs), read from settings: several at once, each with an id."""

import base64
import binascii
import functools
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
KEY_BYTES = 32


@functools.cache
def keys() -> dict[str, bytes]:
    """{key id: 32-byte key}, parsed from FIELD_ENCRYPTION_KEYS ("k2=<base64>,k1=<base64>")."""
    parsed: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in settings.FIELD_ENCRYPTION_KEYS.split(","))):
        key_id, separator, encoded = item.partition("=")
        if not separator or not KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS must look like 'k2=<base64>,k1=<base64>' "
                "(ids: letters, digits, _ and -)."
            )
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {key_id!r} is not base64."
            ) from None
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {key_id!r} must be {KEY_BYTES} bytes, not {len(key)}."
            )
        if key_id in parsed:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: key id {key_id!r} appears twice.")
        parsed[key_id] = key
    if settings.FIELD_ENCRYPTION_ACTIVE_KEY not in parsed:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_ACTIVE_KEY must name one of the ids in FIELD_ENCRYPTION_KEYS."
        )
    return parsed


def active_key_id() -> str:
    keys()  # validates
    return settings.FIELD_ENCRYPTION_ACTIVE_KEY


def key(key_id: str) -> bytes:
    try:
        return keys()[key_id]
    except KeyError:
        raise ImproperlyConfigured(
            f"Data is wrapped by the key-encryption key {key_id!r}, which is not in "
            "FIELD_ENCRYPTION_KEYS: add it back, or run rotate_encryption_keys before removing it."
        ) from None


def _forget_keys(setting: str, **kwargs: object) -> None:
    if setting.startswith("FIELD_ENCRYPTION_"):
        keys.cache_clear()


setting_changed.connect(_forget_keys, dispatch_uid="exchanges.crypto.keyring")
