"""What a connection test asks an exchange, cheapest first, and how to read the answers.

Each probe raises ccxt's exception when the exchange refuses (diagnosis reads it), or
returns what it learnt: the currencies held, and the key's permissions when the exchange
tells them.
"""

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import ccxt

from exchanges.clients import ensure_markets
from exchanges.diagnosis import Diagnosis, Verdict


@dataclass(frozen=True)
class Needs:
    """Permissions, in the exchange's own names: what Noon Barbari needs, what it refuses."""

    required: frozenset[str]
    forbidden: frozenset[str]


NEEDS: dict[str, Needs] = {
    # The names Kraken's GetApiKeyInfo returns (its UI says "Query Funds", "Cancel/Close
    # Orders"...).
    "kraken": Needs(
        required=frozenset(
            {
                "query-funds",
                "query-open-trades",
                "query-closed-trades",
                "modify-trades",
                "close-trades",
            }
        ),
        forbidden=frozenset({"withdraw-funds"}),
    ),
    # Kraken Futures keys have two levels: General (none, read-only, full) and Withdrawal.
    "krakenfutures": Needs(
        required=frozenset({"general-full"}), forbidden=frozenset({"withdrawal"})
    ),
}


class Finding(Exception):
    """A probe that already knows the verdict (its error alone would be ambiguous)."""

    def __init__(self, diagnosis: Diagnosis) -> None:
        super().__init__(diagnosis.verdict)
        self.diagnosis = diagnosis


@dataclass(frozen=True)
class ProbeResult:
    currencies: tuple[str, ...]
    permissions: frozenset[str] | None  # None: this exchange does not say
    requests: int


def _kraken_permissions(client: ccxt.Exchange) -> frozenset[str]:
    # GetApiKeyInfo needs no permission: "Permission denied" here can only be the IP.
    try:
        answer: dict[str, Any] = client.privatePostGetApiKeyInfo()
    except ccxt.PermissionDenied as error:
        raise Finding(
            Diagnosis(
                verdict=Verdict.IP_NOT_ALLOWED,
                raw_code="EGeneral:Permission denied",
                anchor="egeneral-permission-denied",
            )
        ) from error
    result = answer.get("result", answer)
    permissions = result.get("permissions", [])
    if isinstance(permissions, dict):
        return frozenset(name for name, granted in permissions.items() if granted)
    return frozenset(str(name) for name in permissions)


KRAKEN_FUTURES_KEY_CHECK = "/api/auth/v1/api-keys/v3/check"


def _krakenfutures_permissions(client: ccxt.Exchange) -> frozenset[str]:
    """Kraken Futures' "check API key" endpoint, which ccxt does not map: signed here with
    Kraken's Authent scheme (SHA-256 of postData + nonce + path, HMAC-SHA512 by the secret)."""
    origin = urlsplit(client.urls["api"]["public"])
    digest = hashlib.sha256(KRAKEN_FUTURES_KEY_CHECK.encode()).digest()
    authent = hmac.new(base64.b64decode(client.secret), digest, hashlib.sha512).digest()
    headers = {
        "APIKey": client.apiKey,
        "Authent": base64.b64encode(authent).decode(),
        "Accept": "application/json",
    }
    answer = client.fetch(
        f"{origin.scheme}://{origin.netloc}{KRAKEN_FUTURES_KEY_CHECK}", "GET", headers
    )
    levels = answer.get("permissions", {}) if isinstance(answer, dict) else {}
    granted = set()
    if levels.get("general") == "full":
        granted |= {"general-full", "general-read-only"}
    elif levels.get("general") == "read-only":
        granted.add("general-read-only")
    if levels.get("withdrawal") not in (None, "none"):
        granted.add("withdrawal")
    return frozenset(granted)


PERMISSION_PROBES: dict[str, Callable[[ccxt.Exchange], frozenset[str]]] = {
    "kraken": _kraken_permissions,
    "krakenfutures": _krakenfutures_permissions,
}


class _Counted:
    """Counts the HTTP requests a test makes (the benchmark reports it)."""

    def __init__(self, client: ccxt.Exchange) -> None:
        self.count = 0
        original = client.fetch

        def fetch(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return original(*args, **kwargs)

        client.fetch = fetch


def run(client: ccxt.Exchange) -> ProbeResult:
    """Permissions first where the exchange tells them (one request), then the balance."""
    counter = _Counted(client)
    try:
        ensure_markets(client)
    except ccxt.BaseError as error:
        # Public calls, made without the key: whatever went wrong is the exchange's side.
        raise ccxt.ExchangeNotAvailable(f"{client.id} {error}") from error
    probe = PERMISSION_PROBES.get(client.id)
    permissions = probe(client) if probe else None
    needs = NEEDS.get(client.id)
    currencies: tuple[str, ...] = ()
    if permissions is None or needs is None or needs.required <= permissions:
        balance = client.fetch_balance()
        if not isinstance(balance.get("info"), dict | list):
            # A cut-off answer that ccxt parsed into an empty balance.
            raise ccxt.ExchangeNotAvailable(f"{client.id} malformed answer")
        totals = balance.get("total", {})
        currencies = tuple(sorted(code for code, total in totals.items() if total))
    return ProbeResult(currencies=currencies, permissions=permissions, requests=counter.count)
