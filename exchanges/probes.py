"""What a connection test asks an exchange, cheapest first, and how to read the answers.

Each probe raises ccxt's exception when the exchange refuses (diagnosis reads it), or
returns what it learnt: the currencies held, and the key's permissions when the exchange
tells them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ccxt

from exchanges.clients import ensure_markets


@dataclass(frozen=True)
class Needs:
    """Permissions, in the exchange's own names: what Noon Barbari needs, what it refuses."""

    required: frozenset[str]
    forbidden: frozenset[str]


NEEDS: dict[str, Needs] = {
    "kraken": Needs(
        required=frozenset(
            {
                "query-funds",
                "query-open-trades",
                "query-closed-trades",
                "modify-trades",
                "cancel-close-trades",
            }
        ),
        forbidden=frozenset({"withdraw-funds"}),
    ),
}


@dataclass(frozen=True)
class ProbeResult:
    currencies: tuple[str, ...]
    permissions: frozenset[str] | None  # None: this exchange does not say
    requests: int


def _kraken_permissions(client: ccxt.Exchange) -> frozenset[str]:
    answer: dict[str, Any] = client.privatePostGetApiKeyInfo()
    result = answer.get("result", answer)
    permissions = result.get("permissions", [])
    if isinstance(permissions, dict):
        return frozenset(name for name, granted in permissions.items() if granted)
    return frozenset(str(name) for name in permissions)


PERMISSION_PROBES: dict[str, Callable[[ccxt.Exchange], frozenset[str]]] = {
    "kraken": _kraken_permissions,
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
    counter = _Counted(client)
    ensure_markets(client)
    balance = client.fetch_balance()
    currencies = tuple(sorted(code for code, total in balance.get("total", {}).items() if total))
    probe = PERMISSION_PROBES.get(client.id)
    permissions = probe(client) if probe else None
    return ProbeResult(currencies=currencies, permissions=permissions, requests=counter.count)
