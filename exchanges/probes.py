"""What a connection test asks an exchange, cheapest first, and how to read the answers.

Each probe raises ccxt's exception when the exchange refuses (diagnosis reads it), or
returns what it learnt: the currencies held, and the key's permissions when the exchange
tells them. A permission probe that gets an answer not shaped as documented returns None,
and the test ends as "exchange unavailable": where an exchange can tell whether a key may
withdraw, a green tick without knowing it would break the promise to refuse such keys.
"""

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import ccxt

from exchanges.clients import ensure_markets
from exchanges.diagnosis import Diagnosis, Verdict


@dataclass(frozen=True)
class Needs:
    """Permissions, by the names the exchange's API reports: what Noon Barbari needs, what it
    refuses, and each one's label on the exchange's API-key page (the words of our guides'
    [[permissions]] lists), for the user who has to tick or untick it."""

    required: frozenset[str]
    forbidden: frozenset[str]
    labels: Mapping[str, str] = field(default_factory=dict)


NEEDS: dict[str, Needs] = {
    # The names Kraken's GetApiKeyInfo returns.
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
        labels={
            "query-funds": "Query Funds",
            "query-open-trades": "Query Open Orders & Trades",
            "query-closed-trades": "Query Closed Orders & Trades",
            "modify-trades": "Create & Modify Orders",
            "close-trades": "Cancel/Close Orders",
            "withdraw-funds": "Withdraw Funds",
        },
    ),
    # Kraken Futures keys have two levels: General (none, read-only, full) and Withdrawal.
    "krakenfutures": Needs(
        required=frozenset({"general-full"}),
        forbidden=frozenset({"withdrawal"}),
        labels={"general-full": "General API: Full Access", "withdrawal": "Withdrawal API"},
    ),
    # The booleans of apiRestrictions that are true.
    "binance": Needs(
        required=frozenset({"enableReading", "enableSpotAndMarginTrading"}),
        forbidden=frozenset({"enableWithdrawals"}),
        labels={
            "enableReading": "Enable Reading",
            "enableSpotAndMarginTrading": "Enable Spot & Margin Trading",
            "enableWithdrawals": "Enable Withdrawals",
        },
    ),
    # The words of account/config's perm.
    "okx": Needs(
        required=frozenset({"read_only", "trade"}),
        forbidden=frozenset({"withdraw"}),
        labels={"read_only": "Read", "trade": "Trade", "withdraw": "Withdraw"},
    ),
    # "<group>:<permission>" from query-api's permissions, and "readOnly:0" for a Read-Write
    # key. Wallet transfers are not withdrawals: the guide says to leave them off, but they
    # cannot move funds off Bybit, so they do not refuse the key.
    "bybit": Needs(
        required=frozenset({"readOnly:0", "Spot:SpotTrade"}),
        forbidden=frozenset({"Wallet:Withdraw"}),
        labels={
            "readOnly:0": "Read-Write",
            "Spot:SpotTrade": "SPOT: Trade",
            "Wallet:Withdraw": "Wallet: Withdrawal",
        },
    ),
    # The booleans of key_permissions that are true.
    "coinbase": Needs(
        required=frozenset({"can_view", "can_trade"}),
        forbidden=frozenset({"can_transfer"}),
        labels={"can_view": "View", "can_trade": "Trade", "can_transfer": "Transfer"},
    ),
}


def label_for(ccxt_id: str, name: str) -> str:
    """The permission's label on the exchange's API-key page; "" when we know none."""
    needs = NEEDS.get(ccxt_id)
    return needs.labels.get(name, "") if needs else ""


class Finding(Exception):
    """A probe that already knows the verdict (its error alone would be ambiguous)."""

    def __init__(self, diagnosis: Diagnosis) -> None:
        super().__init__(diagnosis.verdict)
        self.diagnosis = diagnosis


@dataclass(frozen=True)
class Grant:
    """What the exchange told about the key."""

    permissions: frozenset[str]
    # When the key stops trading: Bybit's key expiry, Binance's end of trading permission.
    trading_until: datetime | None = None


@dataclass(frozen=True)
class ProbeResult:
    currencies: tuple[str, ...]
    permissions: frozenset[str] | None  # None: this exchange does not say
    requests: int
    trading_until: datetime | None = None


def _kraken_permissions(client: ccxt.Exchange) -> Grant | None:
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
    result = answer.get("result", answer) if isinstance(answer, dict) else None
    permissions = result.get("permissions") if isinstance(result, dict) else None
    if isinstance(permissions, dict):
        return Grant(frozenset(name for name, granted in permissions.items() if granted))
    if isinstance(permissions, list):
        return Grant(frozenset(str(name) for name in permissions))
    return None


KRAKEN_FUTURES_KEY_CHECK = "/api/auth/v1/api-keys/v3/check"


def _krakenfutures_permissions(client: ccxt.Exchange) -> Grant | None:
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
    levels = answer.get("permissions") if isinstance(answer, dict) else None
    if not isinstance(levels, dict) or not isinstance(levels.get("general"), str):
        return None
    granted = set()
    if levels.get("general") == "full":
        granted |= {"general-full", "general-read-only"}
    elif levels.get("general") == "read-only":
        granted.add("general-read-only")
    if levels.get("withdrawal") not in (None, "none"):
        granted.add("withdrawal")
    return Grant(frozenset(granted))


def _binance_permissions(client: ccxt.Exchange) -> Grant | None:
    """GET /sapi/v1/account/apiRestrictions, "Get API Key Permission" (Binance Wallet API):
    booleans enableReading, enableSpotAndMarginTrading, enableWithdrawals, enableFutures,
    permitsUniversalTransfer...; tradingAuthorityExpirationTime (ms), when Spot & Margin
    trading ends. Its -2015 keeps the usual reading: Binance does not document which
    permission, if any, this endpoint needs."""
    answer = client.sapiGetAccountApiRestrictions()
    needed = ("enableReading", "enableSpotAndMarginTrading", "enableWithdrawals")
    if not isinstance(answer, dict) or not all(isinstance(answer.get(f), bool) for f in needed):
        return None
    granted = frozenset(
        name
        for name, value in answer.items()
        if value is True and name.startswith(("enable", "permits"))
    )
    until = answer.get("tradingAuthorityExpirationTime")
    return Grant(granted, _from_milliseconds(until))


def _okx_permissions(client: ccxt.Exchange) -> Grant | None:
    """GET /api/v5/account/config, "Get account configuration" (OKX V5): data[0].perm, the
    key's permissions comma-separated: read_only, trade, withdraw."""
    answer = client.privateGetAccountConfig()
    data = answer.get("data") if isinstance(answer, dict) else None
    config = data[0] if isinstance(data, list) and data else None
    perm = config.get("perm") if isinstance(config, dict) else None
    if not isinstance(perm, str):
        return None
    words = frozenset(word.strip() for word in perm.split(",")) - {""}
    return Grant(words) if words else None


def _bybit_permissions(client: ccxt.Exchange) -> Grant | None:
    """GET /v5/user/query-api, "Get API Key Information" (Bybit V5; any permission may call
    it): result.readOnly (0 read-write, 1 read-only); result.permissions, lists by group such
    as Spot ["SpotTrade"] and Wallet ["AccountTransfer", "SubMemberTransfer", "Withdraw"];
    result.expiredAt, set for keys bound to no IP (or once the password changed)."""
    answer = client.privateGetV5UserQueryApi()
    result = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(result, dict):
        return None
    read_only, groups = result.get("readOnly"), result.get("permissions")
    if type(read_only) is not int or read_only not in (0, 1) or not isinstance(groups, dict):
        return None
    if not all(isinstance(names, list) for names in groups.values()):
        return None
    granted = {f"{group}:{name}" for group, names in groups.items() for name in names}
    if read_only == 0:
        granted.add("readOnly:0")
    return Grant(frozenset(granted), _from_iso(result.get("expiredAt")))


def _coinbase_permissions(client: ccxt.Exchange) -> Grant | None:
    """GET /api/v3/brokerage/key_permissions, "Get API Key Permissions" (Advanced Trade Data
    API): booleans can_view, can_trade, can_transfer (with the key's portfolio_uuid and
    portfolio_type)."""
    answer = client.v3PrivateGetBrokerageKeyPermissions()
    fields = ("can_view", "can_trade", "can_transfer")
    if not isinstance(answer, dict) or not all(isinstance(answer.get(f), bool) for f in fields):
        return None
    return Grant(frozenset(name for name in fields if answer[name]))


def _from_milliseconds(value: Any) -> datetime | None:
    if type(value) is not int or value <= 0:
        return None
    return datetime.fromtimestamp(value / 1000, UTC)


def _from_iso(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


PERMISSION_PROBES: dict[str, Callable[[ccxt.Exchange], Grant | None]] = {
    "kraken": _kraken_permissions,
    "krakenfutures": _krakenfutures_permissions,
    "binance": _binance_permissions,
    "okx": _okx_permissions,
    "bybit": _bybit_permissions,
    "coinbase": _coinbase_permissions,
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
    grant = probe(client) if probe else None
    if probe and grant is None:
        raise ccxt.BadResponse(f"{client.id} permissions answer not as documented")
    permissions = grant.permissions if grant else None
    needs = NEEDS.get(client.id)
    currencies: tuple[str, ...] = ()
    # A key we refuse, or one that cannot do the job, is not used any further.
    if permissions is None or needs is None or _usable(permissions, needs):
        balance = client.fetch_balance()
        if not isinstance(balance.get("info"), dict | list):
            # A cut-off answer that ccxt parsed into an empty balance.
            raise ccxt.ExchangeNotAvailable(f"{client.id} malformed answer")
        totals = balance.get("total", {})
        currencies = tuple(sorted(code for code, total in totals.items() if total))
    return ProbeResult(
        currencies=currencies,
        permissions=permissions,
        requests=counter.count,
        trading_until=grant.trading_until if grant else None,
    )


def _usable(permissions: frozenset[str], needs: Needs) -> bool:
    return needs.required <= permissions and not needs.forbidden & permissions
