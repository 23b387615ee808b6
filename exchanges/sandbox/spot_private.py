"""The Kraken Spot private endpoints: account data, trading and enough funding to probe keys.

Which permission each endpoint needs follows Kraken's API-key documentation (any one of the
listed permissions is enough). Funding never moves money: withdrawals always answer
``EFunding:Unknown withdraw key`` to a key allowed to withdraw, which tells a key check "this key
can withdraw" without a withdrawal happening.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from exchanges.sandbox.accounts import TRIGGERS, Order, OrderRejected
from exchanges.sandbox.keys import ApiKey
from exchanges.sandbox.market import PairSpec
from exchanges.sandbox.state import KEYS_CREATED, VenueState, fmt

# Kraken asset id -> (altname, decimals, display decimals)
ASSETS = {
    "XXBT": ("XBT", 10, 5),
    "XETH": ("ETH", 10, 5),
    "ZUSD": ("USD", 4, 2),
    "ZEUR": ("EUR", 4, 2),
}
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
REJECTIONS = {"insufficient_funds": "EOrder:Insufficient funds"}


class SpotError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Context:
    state: VenueState
    key: ApiKey
    params: dict[str, str]
    now: float

    def decimal(self, name: str, error: str) -> Decimal:
        try:
            value = Decimal(self.params[name])
        except (KeyError, InvalidOperation):
            raise SpotError(error) from None
        if not value.is_finite() or value <= 0:
            raise SpotError(error)
        return value

    def flag(self, name: str) -> bool:
        return self.params.get(name, "").lower() in ("true", "1")

    def pair(self) -> PairSpec:
        pair = self.state.market.pair(self.params.get("pair", "").upper())
        if pair is None:
            raise SpotError("EQuery:Unknown asset pair")
        return pair

    def asset(self) -> str:
        name = self.params.get("asset", "").upper()
        for asset_id, (altname, _, _) in ASSETS.items():
            if name in (asset_id, altname) or (name == "BTC" and altname == "XBT"):
                return asset_id
        raise SpotError("EFunding:Unknown asset" if name else "EGeneral:Invalid arguments")


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


def order_info(ctx: Context, order: Order, with_trades: bool = False) -> dict:
    pair = ctx.state.market.pairs[order.pair]
    places = pair.pair_decimals
    price = fmt(order.price, places) if order.price is not None else "0"
    info: dict[str, Any] = {
        "refid": None,
        "userref": order.userref or 0,
        "status": order.status,
        "opentm": order.opened,
        "starttm": 0,
        "expiretm": 0,
        "descr": {
            "pair": pair.altname,
            "type": order.side,
            "ordertype": order.type,
            "price": price,
            "price2": "0",
            "leverage": "none",
            "order": describe(order, pair),
            "close": "",
        },
        "vol": fmt(order.volume, pair.lot_decimals),
        "vol_exec": fmt(order.filled, pair.lot_decimals),
        "cost": fmt(order.cost, pair.cost_decimals),
        "fee": fmt(order.fee, pair.cost_decimals),
        "price": fmt(order.average, places),
        "stopprice": "0.00000",
        "limitprice": "0.00000",
        "misc": "",
        "oflags": "fciq",
    }
    if order.client_id:
        info["cl_ord_id"] = order.client_id
    if order.closed is not None:
        info.update(closetm=order.closed, reason=order.reason)
    if with_trades and order.fills:
        info["trades"] = list(order.fills)
    return info


def describe(order: Order, pair: PairSpec) -> str:
    where = "market"
    if order.type != "market":
        where = f"{order.type.replace('-', ' ')} {fmt(order.price, pair.pair_decimals)}"
    return f"{order.side} {fmt(order.volume, pair.lot_decimals)} {pair.altname} @ {where}"


def open_orders(ctx: Context) -> dict:
    orders = ctx.state.ledger.orders_of(ctx.key.key, "open")
    return {"open": {o.id: order_info(ctx, o, ctx.flag("trades")) for o in _filter(ctx, orders)}}


def closed_orders(ctx: Context) -> dict:
    orders = ctx.state.ledger.orders_of(ctx.key.key, "closed", "canceled")
    orders = sorted(_filter(ctx, orders), key=lambda o: o.closed or 0, reverse=True)
    start, end = _float(ctx, "start"), _float(ctx, "end")
    orders = [
        o
        for o in orders
        if (start is None or (o.closed or 0) > start) and (end is None or (o.closed or 0) <= end)
    ]
    offset = int(_float(ctx, "ofs") or 0)
    page = orders[offset : offset + 50]
    return {
        "closed": {o.id: order_info(ctx, o, ctx.flag("trades")) for o in page},
        "count": len(orders),
    }


def _filter(ctx: Context, orders: list[Order]) -> list[Order]:
    userref, client_id = ctx.params.get("userref"), ctx.params.get("cl_ord_id")
    return [
        o
        for o in orders
        if (not userref or str(o.userref) == userref)
        and (not client_id or o.client_id == client_id)
    ]


def _float(ctx: Context, name: str) -> float | None:
    raw = ctx.params.get(name)
    try:
        return float(raw) if raw else None
    except ValueError:
        raise SpotError("EGeneral:Invalid arguments") from None


def query_orders(ctx: Context) -> dict:
    refs = [r for r in ctx.params.get("txid", "").split(",") if r]
    if not refs:
        raise SpotError("EGeneral:Invalid arguments")
    found = [ctx.state.ledger.find_order(ctx.key.key, ref) for ref in refs[:50]]
    return {o.id: order_info(ctx, o, ctx.flag("trades")) for o in found if o is not None}


def trade_info(ctx: Context, fill_id: str) -> dict:
    fill = ctx.state.ledger.fills[fill_id]
    pair = ctx.state.market.pairs[fill.pair]
    return {
        "ordertxid": fill.order_id,
        "postxid": f"P{fill.id[1:]}",
        "pair": pair.id,
        "time": fill.time,
        "type": fill.side,
        "ordertype": fill.type,
        "price": fmt(fill.price, pair.pair_decimals),
        "cost": fmt(fill.cost, pair.cost_decimals),
        "fee": fmt(fill.fee, pair.cost_decimals),
        "vol": fmt(fill.volume, pair.lot_decimals),
        "margin": "0.00000",
        "leverage": "0",
        "misc": "",
        "trade_id": fill.number,
        "maker": fill.maker,
    }


def trades_history(ctx: Context) -> dict:
    fills = sorted(ctx.state.ledger.fills_of(ctx.key.key), key=lambda f: f.time, reverse=True)
    start, end = _float(ctx, "start"), _float(ctx, "end")
    fills = [
        f for f in fills if (start is None or f.time > start) and (end is None or f.time <= end)
    ]
    offset = int(_float(ctx, "ofs") or 0)
    page = fills[offset : offset + 50]
    return {"trades": {f.id: trade_info(ctx, f.id) for f in page}, "count": len(fills)}


def query_trades(ctx: Context) -> dict:
    refs = [r for r in ctx.params.get("txid", "").split(",") if r]
    own = {f.id for f in ctx.state.ledger.fills_of(ctx.key.key)}
    return {ref: trade_info(ctx, ref) for ref in refs[:20] if ref in own}


# --- trading -------------------------------------------------------------------------------


def add_order(ctx: Context) -> dict:
    order = _order_from(ctx)
    pair = ctx.state.market.pairs[order.pair]
    result: dict[str, Any] = {"descr": {"order": describe(order, pair)}}
    if ctx.flag("validate"):  # Kraken: validate inputs only, do not submit the order
        return result
    try:
        ctx.state.ledger.place(order, ctx.now)
    except OrderRejected as rejected:
        raise SpotError(REJECTIONS.get(rejected.reason, "EOrder:Invalid order")) from None
    result["txid"] = [order.id]
    return result


def _order_from(ctx: Context) -> Order:
    pair = ctx.pair()
    side, kind = ctx.params.get("type"), ctx.params.get("ordertype")
    if side not in ("buy", "sell"):
        raise SpotError("EGeneral:Invalid arguments:type")
    if kind not in ("market", "limit", *TRIGGERS):  # the order types the sandbox trades
        raise SpotError("EGeneral:Invalid arguments:ordertype")
    volume = ctx.decimal("volume", "EGeneral:Invalid arguments:volume")
    priced = kind != "market"  # a limit's price, or a trigger order's trigger price
    price = ctx.decimal("price", "EGeneral:Invalid arguments:price") if priced else None
    last = ctx.state.market.price(pair.id, ctx.now)
    if "viqc" in ctx.params.get("oflags", "") and kind == "market":
        volume = (volume / last).quantize(Decimal(1).scaleb(-pair.lot_decimals))
    if volume < Decimal(pair.ordermin):
        raise SpotError("EOrder:Order minimum not met")
    if volume * (price or last) < Decimal(pair.costmin):
        raise SpotError("EOrder:Cost minimum not met")
    userref = ctx.params.get("userref")
    return Order(
        id=ctx.state.ledger.kraken_id("O"),
        key=ctx.key.key,
        venue="spot",
        pair=pair.id,
        symbol=pair.altname,
        side=side,
        type=kind,
        volume=volume,
        price=price,
        opened=ctx.now,
        client_id=ctx.params.get("cl_ord_id") or None,
        userref=int(userref) if userref and userref.lstrip("-").isdigit() else None,
    )


def cancel_order(ctx: Context) -> dict:
    ref = ctx.params.get("txid") or ctx.params.get("cl_ord_id") or ""
    order = ctx.state.ledger.find_order(ctx.key.key, ref)
    if order is None or order.status != "open":
        raise SpotError("EOrder:Unknown order")
    ctx.state.ledger.cancel(order, ctx.now)
    return {"count": 1}


def cancel_all(ctx: Context) -> dict:
    orders = ctx.state.ledger.orders_of(ctx.key.key, "open")
    for order in orders:
        ctx.state.ledger.cancel(order, ctx.now)
    return {"count": len(orders)}


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
