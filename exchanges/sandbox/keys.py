"""The sandbox's API keys: the keys file format and the checks a key carries (IP, expiry).

A keys file is JSON: ``{"keys": [ {...}, ... ]}``, each key an object with

- ``key``: the public API key (what clients send in ``API-Key`` / ``APIKey``);
- ``secret``: the private key, base64 (what clients sign with);
- ``venue``: ``"spot"`` (Kraken Spot dialect) or ``"futures"`` (Kraken Futures dialect);
- ``permissions``: Spot: the names Kraken's GetApiKeyInfo reports (``query-funds``,
  ``query-open-trades``, ``query-closed-trades``, ``modify-trades``, ``close-trades``,
  ``add-funds``, ``withdraw-funds``, ...); Futures: ``general-full`` or ``general-read-only``,
  and ``withdrawal``;
- ``ip_allowlist``: addresses or CIDR blocks the key may be used from; empty means any;
- ``expires_at``: ISO 8601 date-time after which the key is refused, or null;
- ``balances``: asset -> amount (string or number). Spot uses Kraken's asset ids (``XXBT``,
  ``ZUSD``, ...); Futures uses the flex account's currency codes (``USD``, ``XBT``, ...);
- optional ``label`` (a name for people) and ``nonce_window`` (Spot: how far below the highest
  nonce seen a new nonce may still be, as Kraken's per-key "nonce window" setting; 0 = strictly
  increasing).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

Venue = Literal["spot", "futures"]

DEMO_KEYS_PATH = Path(__file__).with_name("demo_keys.json")

SPOT_PERMISSIONS = frozenset(
    {
        "query-funds",
        "query-open-trades",
        "query-closed-trades",
        "query-ledger",
        "modify-trades",
        "close-trades",
        "add-funds",
        "withdraw-funds",
        "earn-funds",
        "export-data",
        "create-ws-token",
        "add-withdraw-address",
        "update-withdraw-address",
    }
)
FUTURES_PERMISSIONS = frozenset({"general-full", "general-read-only", "withdrawal"})

# Names people (and some write-ups) use for the same Spot permissions as the web UI labels them;
# GetApiKeyInfo reports the canonical name on the right, so the sandbox stores that one.
PERMISSION_ALIASES = {
    "cancel-close-trades": "close-trades",
    "deposit-funds": "add-funds",
    "query-ledger-entries": "query-ledger",
    "access-websockets": "create-ws-token",
}


class KeysFileError(ValueError):
    """The keys file is not valid; the message says which key and why."""


@dataclass(frozen=True)
class ApiKey:
    key: str
    secret: str
    venue: Venue
    permissions: frozenset[str]
    ip_allowlist: tuple[str, ...] = ()
    expires_at: datetime | None = None
    balances: Mapping[str, Decimal] = field(default_factory=dict)
    label: str = ""
    nonce_window: int = 0

    def secret_bytes(self) -> bytes:
        return base64.b64decode(self.secret)

    def is_expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at.timestamp()

    def allows_ip(self, address: str) -> bool:
        if not self.ip_allowlist:
            return True
        try:
            client = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(
            client in ipaddress.ip_network(block, strict=False) for block in self.ip_allowlist
        )

    def has(self, permission: str) -> bool:
        return permission in self.permissions


def load_keys(path: str | Path = DEMO_KEYS_PATH) -> list[ApiKey]:
    with open(path, encoding="utf-8") as handle:
        return parse_keys(json.load(handle))


def parse_keys(data: Any) -> list[ApiKey]:
    entries = data.get("keys") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise KeysFileError('a keys file is {"keys": [ ... ]}')
    keys = [parse_key(entry, index) for index, entry in enumerate(entries)]
    seen: set[str] = set()
    for api_key in keys:
        if api_key.key in seen:
            raise KeysFileError(f"key {api_key.key[:8]}... appears twice")
        seen.add(api_key.key)
    return keys


def parse_key(entry: Any, index: int = 0) -> ApiKey:
    if not isinstance(entry, dict):
        raise KeysFileError(f"keys[{index}] is not an object")
    where = f"keys[{index}] ({entry.get('label') or entry.get('key', '?')})"
    venue = entry.get("venue")
    if venue not in ("spot", "futures"):
        raise KeysFileError(f'{where}: venue must be "spot" or "futures"')
    key, secret = entry.get("key"), entry.get("secret")
    if not isinstance(key, str) or not key or not isinstance(secret, str):
        raise KeysFileError(f"{where}: key and secret are required strings")
    try:
        base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError) as error:
        raise KeysFileError(f"{where}: secret is not base64") from error
    return ApiKey(
        key=key,
        secret=secret,
        venue=venue,
        permissions=_permissions(entry.get("permissions", []), venue, where),
        ip_allowlist=_allowlist(entry.get("ip_allowlist") or [], where),
        expires_at=_expiry(entry.get("expires_at"), where),
        balances=_balances(entry.get("balances") or {}, where),
        label=str(entry.get("label", "")),
        nonce_window=int(entry.get("nonce_window", 0)),
    )


def _permissions(names: Iterable[str], venue: Venue, where: str) -> frozenset[str]:
    known = SPOT_PERMISSIONS if venue == "spot" else FUTURES_PERMISSIONS
    result = set()
    for name in names:
        canonical = PERMISSION_ALIASES.get(name, name)
        if canonical not in known:
            raise KeysFileError(f"{where}: unknown {venue} permission {name!r}")
        result.add(canonical)
    return frozenset(result)


def _allowlist(blocks: Iterable[str], where: str) -> tuple[str, ...]:
    for block in blocks:
        try:
            ipaddress.ip_network(block, strict=False)
        except ValueError as error:
            raise KeysFileError(f"{where}: {block!r} is not an IP address or CIDR block") from error
    return tuple(blocks)


def _expiry(value: Any, where: str) -> datetime | None:
    if value in (None, "", 0):
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise KeysFileError(f"{where}: expires_at is not an ISO 8601 date-time") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _balances(raw: Mapping[str, Any], where: str) -> dict[str, Decimal]:
    try:
        return {asset: Decimal(str(amount)) for asset, amount in raw.items()}
    except InvalidOperation as error:
        raise KeysFileError(f"{where}: a balance is not a number") from error
