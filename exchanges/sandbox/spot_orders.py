"""The Kraken Spot order endpoints: open, closed and queried orders, trades, and trading."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchanges.sandbox.accounts import TRIGGERS, Order, OrderRejected
from exchanges.sandbox.market import PairSpec
from exchanges.sandbox.spot_common import Context, SpotError
from exchanges.sandbox.state import fmt

REJECTIONS = {"insufficient_funds": "EOrder:Insufficient funds"}

# --- orders and trades ----------------------------------------------------------------------


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
