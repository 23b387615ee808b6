"""What a connection test asks an exchange, cheapest first, and how to read the answers.

Each probe raises ccxt's exception when the exchange refuses (diagnosis reads it), or
returns what it learnt: the currencies held, and the key's permissions when the exchange
tells them. A permission probe that gets an answer not shaped as documented returns None,
and the test ends as "exchange unavailable": where an exchange can tell whether a key may
withdraw, a green tick without knowing it would break the promise to refuse such keys.

Where the exchange does not tell whether the key may trade, a trade probe cancels an order that
cannot exist: "no such order" proves the right to trade, a permission error proves its absence.
Whether such a key may withdraw stays unknown (nothing harmless can tell it): its Needs forbid
nothing, and the test claims nothing about it.
"""

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import ccxt

from exchanges.clients import ensure_markets, resync_clock
from exchanges.diagnosis import Diagnosis, Verdict
from exchanges.diagnosis.errors import error_body, raw_codes
from exchanges.diagnosis.rules import ip_anchor
from exchanges.permissions import NEEDS, Needs


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
                anchor=ip_anchor("kraken"),
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
    if not _booleans(answer, ("enableReading", "enableSpotAndMarginTrading", "enableWithdrawals")):
        return None
    granted = frozenset(
        name
        for name, value in answer.items()
        if value is True and name.startswith(("enable", "permits"))
    )
    until = answer.get("tradingAuthorityExpirationTime")
    return Grant(granted, _from_milliseconds(until))


def _binanceusdm_permissions(client: ccxt.Exchange) -> Grant | None:
    """The same answer, for a key that trades USDⓈ-M futures: tradingAuthorityExpirationTime
    ends Spot & Margin trading only, not this key's use here."""
    grant = _binance_permissions(client)
    return None if grant is None else replace(grant, trading_until=None)


def _okx_permissions(client: ccxt.Exchange) -> Grant | None:
    """GET /api/v5/account/config, "Get account configuration" (OKX V5): data[0].perm, the
    key's permissions comma-separated: read_only, trade, withdraw."""
    answer = client.privateGetAccountConfig()
    data = answer.get("data") if isinstance(answer, dict) else None
    config = data[0] if isinstance(data, list) and data else None
    perm = config.get("perm") if isinstance(config, dict) else None
    return _listed(perm)


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
    if not _booleans(answer, fields):
        return None
    return Grant(frozenset(name for name in fields if answer[name]))


def _kucoin_permissions(client: ccxt.Exchange) -> Grant | None:
    """GET /api/v1/user/api-key, "Get Apikey Info" (KuCoin, docs-new Account & Funding):
    data.permission, comma-separated, "possible values: General, Spot, Margin, Futures,
    InnerTransfer, Transfer, Earn"."""
    answer = client.privateGetUserApiKey()
    data = answer.get("data") if isinstance(answer, dict) else None
    permission = data.get("permission") if isinstance(data, dict) else None
    return _listed(permission)


# Bitget's authority codes (the field's description): read-only, then read-and-write ones.
BITGET_AUTHORITIES = frozenset(
    {
        *("coor", "cpor", "stor", "smor", "ttor", "wtor", "taxr", "chor", "p2pr", "pllr"),
        *("coow", "cpow", "stow", "smow", "ttow", "wtow", "wwow", "chow", "p2pw", "pllw", "taxw"),
    }
)


def _bitget_permissions(client: ccxt.Exchange) -> Grant | None:
    """GET /api/v2/spot/account/info, "Get Account Information" (Bitget V2 spot; needs spot read
    or read-write): data.authorities, codes such as "stor"/"stow" (spot trade, read-only/read and
    write) and "wwow" (wallet withdrawal). The page's example shows ["trade", "readonly"], words
    the field's description does not define: an answer without any documented code says nothing
    about withdrawal, so it is not read."""
    answer = client.privateSpotGetV2SpotAccountInfo()
    data = answer.get("data") if isinstance(answer, dict) else None
    authorities = data.get("authorities") if isinstance(data, dict) else None
    if not isinstance(authorities, list) or not all(isinstance(a, str) for a in authorities):
        return None
    granted = frozenset(authorities)
    return Grant(granted) if granted & BITGET_AUTHORITIES else None


def _bitfinex_permissions(client: ccxt.Exchange) -> Grant | None:
    """POST /v2/auth/r/permissions, "Key Permissions" (Bitfinex REST V2): a list of
    [scope, read, write], read and write 0 or 1, scope among account, history, orders, positions,
    funding, settings, wallets, withdraw, ui_withdraw, bfxpay. Granted as "<scope>:read" and
    "<scope>:write"; an answer without the withdraw scope cannot clear the key."""
    answer = client.privatePostAuthRPermissions()
    if not isinstance(answer, list):
        return None
    granted: set[str] = set()
    scopes: set[str] = set()
    for entry in answer:
        if not isinstance(entry, list) or len(entry) < 3 or not isinstance(entry[0], str):
            return None
        scope, read, write = entry[:3]
        if not all(type(flag) is int and flag in (0, 1) for flag in (read, write)):
            return None
        scopes.add(scope)
        granted |= {f"{scope}:{name}" for name, flag in (("read", read), ("write", write)) if flag}
    if not {"orders", "withdraw"} <= scopes:
        return None
    return Grant(frozenset(granted))


def _listed(text: Any) -> Grant | None:
    """Permissions given as one comma-separated string (OKX, KuCoin)."""
    if not isinstance(text, str):
        return None
    words = frozenset(word.strip() for word in text.split(",")) - {""}
    return Grant(words) if words else None


def _booleans(answer: Any, fields: tuple[str, ...]) -> bool:
    """Whether the answer carries each of these fields as a boolean (Binance, Coinbase)."""
    return isinstance(answer, dict) and all(isinstance(answer.get(f), bool) for f in fields)


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
    # One Binance key reaches Spot and USDⓈ-M futures: the same endpoint tells both.
    "binanceusdm": _binanceusdm_permissions,
    "okx": _okx_permissions,
    "bybit": _bybit_permissions,
    "coinbase": _coinbase_permissions,
    "kucoin": _kucoin_permissions,
    "bitget": _bitget_permissions,
    "bitfinex": _bitfinex_permissions,
}


@dataclass(frozen=True)
class TradeProbe:
    """Cancelling an order that cannot exist, on a spot market that does: harmless, and refused
    to a key that may not trade. The exchange's raw codes (diagnosis/errors.py) tell which."""

    permission: str  # the exchange's name for the right to trade (a key of Needs.labels)
    order_id: str  # an id the exchange never gives to one of the key's orders
    not_found: frozenset[str]  # "no such order": the request got past the permission check
    denied: frozenset[str]  # "this key may not do that"


TRADE_PROBES: dict[str, TradeProbe] = {
    # Gate APIv4 "label list" (https://www.gate.com/docs/developers/apiv4/en/#label-list): spot
    # ORDER_NOT_FOUND "Order not found"; READ_ONLY "API key is read-only", FORBIDDEN "Account has
    # no permission to request operation". Order 1, if it ever existed, predates any key we
    # could test: ids today have 11 digits (ccxt's example: 95282841887).
    "gate": TradeProbe(
        permission="spot",
        order_id="1",
        not_found=frozenset({"ORDER_NOT_FOUND"}),
        denied=frozenset({"READ_ONLY", "FORBIDDEN"}),
    ),
}


def _probe_trading(client: ccxt.Exchange, probe: TradeProbe) -> frozenset[str]:
    """The trade permission, if the exchange let the cancel through to its order book. Any other
    refusal (key, IP, busy exchange) propagates to the usual diagnosis."""
    symbol = _a_spot_market(client)
    try:
        client.cancel_order(probe.order_id, symbol)
    except ccxt.BaseError as error:
        codes = set(raw_codes(client.id, error_body(client.id, error)))
        if codes & probe.not_found:
            return frozenset({probe.permission})
        if codes & probe.denied:
            return frozenset()
        raise
    # An order that cannot exist was cancelled: not an answer we can read.
    raise ccxt.BadResponse(f"{client.id} cancelled order {probe.order_id}")


def _a_spot_market(client: ccxt.Exchange) -> str:
    symbols = sorted(
        symbol
        for symbol, market in (client.markets or {}).items()
        if market.get("spot") and market.get("active") is not False
    )
    if not symbols:
        raise ccxt.BadResponse(f"{client.id} lists no spot market")
    return symbols[0]


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
    """Permissions first where the exchange tells them (one request), else the trade probe,
    then the balance."""
    counter = _Counted(client)
    try:
        ensure_markets(client)
    except ccxt.BaseError as error:
        # Public calls, made without the key: whatever went wrong is the exchange's side.
        # (The message is kept whole, the exchange's id first as ccxt writes it: a refusal the
        # exchange words, such as Binance's restricted location, must still be read.)
        raise ccxt.ExchangeNotAvailable(str(error)) from error
    try:
        return _probe(client, counter)
    except ccxt.InvalidNonce:
        # A clock-signed request refused for its time (Binance's -1021): our clock moved
        # since the offset was measured. Measured again, the test runs once more.
        if not resync_clock(client):
            raise
        return _probe(client, counter)


def _probe(client: ccxt.Exchange, counter: "_Counted") -> ProbeResult:
    needs = NEEDS.get(client.id)
    grant = _grant(client, needs)
    permissions = grant.permissions if grant else None
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


def _grant(client: ccxt.Exchange, needs: Needs | None) -> Grant | None:
    probe, trade = PERMISSION_PROBES.get(client.id), TRADE_PROBES.get(client.id)
    if probe is None and trade is None:
        return None
    grant = Grant(frozenset())
    if probe:
        told = probe(client)
        if told is None:
            raise ccxt.BadResponse(f"{client.id} permissions answer not as documented")
        grant = told
    # A key refused already is not used to send an order request.
    if trade and not (needs and needs.forbidden & grant.permissions):
        grant = replace(grant, permissions=grant.permissions | _probe_trading(client, trade))
    return grant


def _usable(permissions: frozenset[str], needs: Needs) -> bool:
    return needs.required <= permissions and not needs.forbidden & permissions
