"""The sandbox's API keys: the keys file format and the checks a key carries (IP, expiry).

A keys file is JSON: ``{"keys": [ {...}, ... ]}``, each key an object with

- ``key``: the public API key (what clients send in ``API-Key`` / ``APIKey``);
- ``secret``: the private key, base64 for Kraken (what clients sign with); for Binance any
  string (HMAC-SHA256 signs with its bytes, as Binance's 64-character secrets are used);
- ``venue``: ``"spot"`` (Kraken Spot dialect), ``"futures"`` (Kraken Futures dialect) or
  ``"binance"`` (one Binance account: its Spot wallet and its USDⓈ-M futures wallet, as one
  Binance key reaches both);
- ``permissions``: Spot: the names Kraken's GetApiKeyInfo reports (``query-funds``,
  ``query-open-trades``, ``query-closed-trades``, ``modify-trades``, ``close-trades``,
  ``add-funds``, ``withdraw-funds``, ...); Futures: ``general-full`` or ``general-read-only``,
  and ``withdrawal``; Binance: the flags ``/sapi/v1/account/apiRestrictions`` reports as true
  (``enableReading``, ``enableSpotAndMarginTrading``, ``enableFutures``, ``enableWithdrawals``,
  ...);
- ``ip_allowlist``: addresses or CIDR blocks the key may be used from; empty means any;
- ``expires_at``: ISO 8601 date-time after which the key is refused, or null;
- ``balances``: asset -> amount (string or number). Spot uses Kraken's asset ids (``XXBT``,
  ``ZUSD``, ...); Futures uses the flex account's currency codes (``USD``, ``XBT``, ...);
  Binance: the Spot wallet, in Binance's codes (``BTC``, ``USDT``, ``BNB``);
- Binance only: ``futures_balances`` (the USDⓈ-M wallet, ``{"USDT": ...}``), ``hedge_mode``
  (the account holds long and short positions apart; one-way when false, Binance's default)
  and ``bnb_fees`` (Spot commission paid in BNB at a discount while BNB lasts, Binance's
  "use BNB to pay for fees" switch);
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

Venue = Literal["spot", "futures", "binance"]
VENUES = ("spot", "futures", "binance")

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
# The switches of a Binance key, named as GET /sapi/v1/account/apiRestrictions reports them.
BINANCE_PERMISSIONS = frozenset(
    {
        "enableReading",
        "enableSpotAndMarginTrading",
        "enableFutures",
        "enableWithdrawals",
        "enableMargin",
        "enableInternalTransfer",
        "permitsUniversalTransfer",
        "enableVanillaOptions",
    }
)
KNOWN_PERMISSIONS = {
    "spot": SPOT_PERMISSIONS,
    "futures": FUTURES_PERMISSIONS,
    "binance": BINANCE_PERMISSIONS,
}

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
    futures_balances: Mapping[str, Decimal] = field(default_factory=dict)
    hedge_mode: bool = False
    bnb_fees: bool = False

    def secret_bytes(self) -> bytes:
        if self.venue == "binance":
            return self.secret.encode()
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
    if venue not in VENUES:
        raise KeysFileError(f"{where}: venue must be one of {', '.join(VENUES)}")
    key, secret = entry.get("key"), entry.get("secret")
    if not isinstance(key, str) or not key or not isinstance(secret, str):
        raise KeysFileError(f"{where}: key and secret are required strings")
    if venue != "binance":
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
        futures_balances=_balances(entry.get("futures_balances") or {}, where),
        hedge_mode=bool(entry.get("hedge_mode", False)),
        bnb_fees=bool(entry.get("bnb_fees", False)),
    )


def _permissions(names: Iterable[str], venue: Venue, where: str) -> frozenset[str]:
    known = KNOWN_PERMISSIONS[venue]
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
