"""The Kraken Spot private endpoints (account data, trading, enough funding to probe keys): the
permission each needs, the table spot.py routes them by, account data and funding.

Which permission each endpoint needs follows Kraken's API-key documentation (any one of the
listed permissions is enough). Funding never moves money: withdrawals always answer
``EFunding:Unknown withdraw key`` to a key allowed to withdraw, which tells a key check "this key
can withdraw" without a withdrawal happening.

Orders and trades are in spot_orders.py; the assets, the request context and the error in
spot_common.py.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from exchanges.sandbox import accounts
from exchanges.sandbox.spot_common import ASSETS, Context, SpotError
from exchanges.sandbox.spot_orders import (
    add_order,
    cancel_all,
    cancel_order,
    closed_orders,
    open_orders,
    query_orders,
    query_trades,
    trades_history,
)
from exchanges.sandbox.state import KEYS_CREATED, fmt

FUNDING_METHODS = {
    "XXBT": "Bitcoin",
    "XETH": "Ether (Hex)",
    "ZUSD": "Bank Frick (SWIFT)",
    "ZEUR": "SEPA (Instant)",
}

QUERY_ORDERS = frozenset({"query-open-trades", "query-closed-trades"})
PERMISSIONS: dict[str, frozenset[str]] = {
    "Balance": frozenset({"query-funds"}),
    "BalanceEx": frozenset({"query-funds"}),
    "TradeBalance": frozenset({"query-funds"}),
    "TradeVolume": frozenset({"query-funds"}),
    "OpenOrders": frozenset({"query-open-trades"}),
    "ClosedOrders": frozenset({"query-closed-trades"}),
    "QueryOrders": QUERY_ORDERS,
    "TradesHistory": QUERY_ORDERS,
    "QueryTrades": QUERY_ORDERS,
    "AddOrder": frozenset({"modify-trades"}),
    "CancelOrder": frozenset({"close-trades"}),
    "CancelAll": frozenset({"close-trades"}),
    "DepositMethods": frozenset({"add-funds"}),
    "DepositAddresses": frozenset({"add-funds"}),
    "WithdrawMethods": frozenset({"withdraw-funds"}),
    "WithdrawAddresses": frozenset({"withdraw-funds"}),
    "WithdrawInfo": frozenset({"withdraw-funds"}),
    "Withdraw": frozenset({"withdraw-funds"}),
    "GetApiKeyInfo": frozenset(),
}

# --- account data ---------------------------------------------------------------------------


def balance(ctx: Context) -> dict:
    wallet = ctx.state.ledger.balances[ctx.key.key]
    return {asset: fmt(amount, _decimals(asset)) for asset, amount in wallet.items()}


def balance_ex(ctx: Context) -> dict:
    wallet = ctx.state.ledger.balances[ctx.key.key]
    holds = ctx.state.ledger.spot_holds(ctx.key.key)
    return {
        asset: {"balance": fmt(amount, _decimals(asset)), "hold_trade": fmt(holds.get(asset), 4)}
        for asset, amount in wallet.items()
    }


def trade_volume(ctx: Context) -> dict:
    """The account's 30-day volume and, per pair asked (`pair`, comma-separated), its fee
    tier in percent: what the ledger charges every key (SPOT_TAKER, SPOT_MAKER), below the
    public schedule's entry tier, as on an account that has traded."""
    pairs = [name for name in ctx.params.get("pair", "").upper().split(",") if name]
    found = [ctx.state.market.pair(name) for name in pairs]
    if any(pair is None for pair in found):
        raise SpotError("EQuery:Unknown asset pair")

    def tier(rate: Decimal) -> dict[str, str]:
        percent = fmt(rate * 100, 4)
        return {
            "fee": percent,
            "minfee": "0.1000",
            "maxfee": percent,
            "nextfee": percent,
            "tiervolume": "0.0000",
            "nextvolume": "50000.0000",
        }

    ids = [pair.id for pair in found if pair is not None]
    return {
        "currency": "ZUSD",
        "volume": "0.0000",
        "fees": {pair_id: tier(accounts.FEE_RATES["spot"][0]) for pair_id in ids},
        "fees_maker": {pair_id: tier(accounts.FEE_RATES["spot"][1]) for pair_id in ids},
    }


def trade_balance(ctx: Context) -> dict:
    ledger = ctx.state.ledger
    wallet = ledger.balances[ctx.key.key]
    total = sum(
        (
            amount * ledger.usd_price(ASSETS.get(a, (a,))[0], ctx.now)
            for a, amount in wallet.items()
        ),
        Decimal(0),
    )
    zero = "0.0000"
    value = fmt(total, 4)
    return {
        "eb": value,
        "tb": value,
        "m": zero,
        "n": zero,
        "c": zero,
        "v": zero,
        "e": value,
        "mf": value,
        "uv": zero,
    }


def _decimals(asset: str) -> int:
    return ASSETS.get(asset, ("", 8, 8))[1]


def api_key_info(ctx: Context) -> dict:
    """GetApiKeyInfo, in the shape Kraken answers it (camelCase, times as Unix-second strings)."""
    key = ctx.key
    last_used = ctx.state.last_used.get(key.key)
    return {
        "apiKeyName": key.label or "sandbox-key",
        "apiKey": key.key,
        "nonce": str(ctx.state.nonces.highest.get(key.key, 0)),
        "nonceWindow": key.nonce_window,
        "permissions": sorted(key.permissions),
        "iban": "AA00 SAND BOXX VENU",
        "validUntil": str(int(key.expires_at.timestamp())) if key.expires_at else "0",
        "queryFrom": "0",
        "queryTo": "0",
        "createdTime": str(KEYS_CREATED),
        "modifiedTime": str(KEYS_CREATED),
        "ipAllowlist": list(key.ip_allowlist),
        "lastUsed": int(last_used) if last_used else None,
    }


# --- funding ---------------------------------------------------------------------------------


def deposit_methods(ctx: Context) -> list:
    method = FUNDING_METHODS[ctx.asset()]
    return [{"method": method, "limit": False, "fee": "0.0000000000", "gen-address": True}]


def deposit_addresses(ctx: Context) -> list:
    asset = ctx.asset()
    return [{"address": f"sandbox-{asset.lower()}-deposit-address", "expiretm": "0", "new": False}]


def withdraw_methods(ctx: Context) -> list:
    return [
        {"asset": asset, "method": method, "network": method, "minimum": "0.0005"}
        for asset, method in FUNDING_METHODS.items()
    ]


def withdraw_addresses(ctx: Context) -> list:
    return []  # no withdrawal address was ever set up in the sandbox


def withdraw_info(ctx: Context) -> dict:
    ctx.asset()
    if not ctx.params.get("key"):
        raise SpotError("EGeneral:Invalid arguments")
    raise SpotError("EFunding:Unknown withdraw key")


PRIVATE: dict[str, Callable[[Context], Any]] = {
    "Balance": balance,
    "BalanceEx": balance_ex,
    "TradeBalance": trade_balance,
    "TradeVolume": trade_volume,
    "GetApiKeyInfo": api_key_info,
    "OpenOrders": open_orders,
    "ClosedOrders": closed_orders,
    "QueryOrders": query_orders,
    "TradesHistory": trades_history,
    "QueryTrades": query_trades,
    "AddOrder": add_order,
    "CancelOrder": cancel_order,
    "CancelAll": cancel_all,
    "DepositMethods": deposit_methods,
    "DepositAddresses": deposit_addresses,
    "WithdrawMethods": withdraw_methods,
    "WithdrawAddresses": withdraw_addresses,
    "WithdrawInfo": withdraw_info,
    "Withdraw": withdraw_info,
}
