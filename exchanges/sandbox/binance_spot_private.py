"""Binance Spot's account endpoints (GET /api/v3/account, /api/v3/account/commission,
/api/v3/myTrades) and the two Wallet endpoints a key check and ccxt's fetch_trading_fees call
(GET /sapi/v1/asset/tradeFee, /sapi/v1/account/apiRestrictions).

Written from Binance's Spot API documentation ("Account endpoints") and its Wallet API pages
("Trade Fee", "Get API Key Permission"). Commission rates are the ledger's (accounts.FEE_RATES:
0.1 % maker and taker, Binance's entry tier); a key that pays fees in BNB (keys.py bnb_fees)
gets the documented 25 % discount on them, paid in BNB.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchanges.sandbox.accounts import BNB_DISCOUNT, FEE_RATES
from exchanges.sandbox.binance_common import BinanceError
from exchanges.sandbox.binance_routes import Call, Route, integer_param
from exchanges.sandbox.binance_spot_book import ms, spot_book
from exchanges.sandbox.binance_spot_common import limit, money, symbol, time_range, window
from exchanges.sandbox.keys import BINANCE_PERMISSIONS, ApiKey
from exchanges.sandbox.records import ZERO
from exchanges.sandbox.state import KEYS_CREATED

TAKER, MAKER = FEE_RATES["binance"]
# Binance's rule since 2021-07-09 ("Updates to API Key Permission Rules"): without trusted
# IPs, "Enable Spot & Margin Trading" lasts 30 days from when it was switched on.
TRADING_AUTHORITY_DAYS = 30
# apiRestrictions fields Binance reports that no sandbox key can have switched on.
NEVER_GRANTED = ("enableFixApiTrade", "enableFixReadOnly", "enablePortfolioMarginTrading")


def rates(maker: Decimal, taker: Decimal) -> dict[str, str]:
    return {
        "maker": money(maker),
        "taker": money(taker),
        "buyer": money(ZERO),
        "seller": money(ZERO),
    }


def bnb_discount(call: Call) -> dict[str, Any]:
    """The "discount" block: `discount` is the rate the standard commission is reduced by when
    paid in BNB (the ledger charges BNB_DISCOUNT of it, 75 %: a 25 % reduction)."""
    return {
        "enabledForAccount": call.api_key.key in call.state.ledger.bnb_fees,
        "enabledForSymbol": True,
        "discountAsset": "BNB",
        "discount": money(1 - BNB_DISCOUNT),
    }


def account(call: Call) -> dict[str, Any]:
    """GET /api/v3/account: free is what open orders do not hold, locked what they hold.
    canTrade and canWithdraw follow the key's switches (the sandbox's reading: a key without
    Spot trading cannot trade, whatever the account could)."""
    key = call.api_key
    ledger = call.state.ledger
    wallet, held = ledger.balances[key.key], ledger.spot_holds(key.key)
    balances = [
        {
            "asset": asset,
            "free": money(amount - held.get(asset, ZERO)),
            "locked": money(held.get(asset, ZERO)),
        }
        for asset, amount in sorted(wallet.items())
    ]
    if call.params.get("omitZeroBalances") == "true":
        balances = [b for b in balances if Decimal(b["free"]) or Decimal(b["locked"])]
    fills = [f.time for f in ledger.fills_of(key.key)]
    return {
        "makerCommission": int(MAKER * 10000),
        "takerCommission": int(TAKER * 10000),
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": rates(MAKER, TAKER),
        "canTrade": key.has("enableSpotAndMarginTrading"),
        "canWithdraw": key.has("enableWithdrawals"),
        "canDeposit": True,
        "brokered": False,
        "requireSelfTradePrevention": False,
        "preventSor": False,
        "updateTime": ms(max(fills, default=KEYS_CREATED)),
        "accountType": "SPOT",
        "balances": balances,
        "permissions": ["SPOT"],
        "uid": int(ledger.account_uid(key.key).replace("-", "")[:8], 16),
    }


def account_commission(call: Call) -> dict[str, Any]:
    return {
        "symbol": symbol(call).id,
        "standardCommission": rates(MAKER, TAKER),
        "specialCommission": rates(ZERO, ZERO),
        "taxCommission": rates(ZERO, ZERO),
        "discount": bnb_discount(call),
    }


def commission_for_order(call: Call) -> dict[str, Any]:
    """POST /api/v3/order/test with computeCommissionRates=true."""
    standard = {"maker": money(MAKER), "taker": money(TAKER)}
    nothing = {"maker": money(ZERO), "taker": money(ZERO)}
    return {
        "standardCommissionForOrder": standard,
        "specialCommissionForOrder": nothing,
        "taxCommissionForOrder": nothing,
        "discount": bnb_discount(call),
    }


def my_trades(call: Call) -> list[dict[str, Any]]:
    """GET /api/v3/myTrades, in one of the documented parameter combinations (symbol with
    orderId, fromId, startTime and/or endTime; orderId with fromId); others are -1128."""
    pair = symbol(call)
    order_id, from_id = integer_param(call, "orderId"), integer_param(call, "fromId")
    start, end = time_range(call)
    count = limit(call)
    if (start is not None or end is not None) and (order_id is not None or from_id is not None):
        raise BinanceError(-1128, "Combination of optional parameters invalid.")
    book = spot_book(call.state.ledger)
    orders = {o.id: o for o in book.orders_of(call.api_key.key, pair.id)}
    fills = sorted(
        (f for f in call.state.ledger.fills_of(call.api_key.key) if f.order_id in orders),
        key=lambda f: f.number,
    )
    if order_id is not None:
        fills = [f for f in fills if book.terms[f.order_id].number == order_id]
    if from_id is not None:
        fills = [f for f in fills if f.number >= from_id][:count]
    else:
        fills = window(fills, lambda f: ms(f.time), start, end, count)
    return [
        {
            "symbol": pair.id,
            "id": fill.number,
            "orderId": book.terms[fill.order_id].number,
            "orderListId": book.terms[fill.order_id].order_list,
            "price": money(fill.price),
            "qty": money(fill.volume),
            "quoteQty": money(fill.cost),
            "commission": money(fill.fee),
            "commissionAsset": fill.fee_asset,
            "time": ms(fill.time),
            "isBuyer": fill.side == "buy",
            "isMaker": fill.maker,
            "isBestMatch": True,
        }
        for fill in fills
    ]


def trade_fee(call: Call) -> list[dict[str, str]]:
    """GET /sapi/v1/asset/tradeFee: every Spot symbol's rates, or the one asked for."""
    pairs = [symbol(call)] if call.params.get("symbol") else call.state.market.listed("binance")
    return [
        {"symbol": pair.id, "makerCommission": str(MAKER), "takerCommission": str(TAKER)}
        for pair in pairs
    ]


def api_restrictions(call: Call) -> dict[str, Any]:
    """GET /sapi/v1/account/apiRestrictions: each switch of the key, ipRestrict when it has
    trusted IPs, createTime. tradingAuthorityExpirationTime is sent only for a key that can
    trade Spot without trusted IPs (Binance: 30 days from when trading was switched on;
    trusted IPs: no expiry). The sandbox takes the key as switched on again each time the 30
    days run out, from its creation: the date is always ahead, and trading never lapses."""
    key: ApiKey = call.api_key
    answer: dict[str, Any] = {
        "ipRestrict": bool(key.ip_allowlist),
        "createTime": KEYS_CREATED * 1000,
    }
    answer.update({name: key.has(name) for name in sorted(BINANCE_PERMISSIONS)})
    answer.update(dict.fromkeys(NEVER_GRANTED, False))
    if key.has("enableSpotAndMarginTrading") and not key.ip_allowlist:
        period = TRADING_AUTHORITY_DAYS * 86400
        periods = int((call.now - KEYS_CREATED) // period) + 1
        answer["tradingAuthorityExpirationTime"] = (KEYS_CREATED + periods * period) * 1000
    return answer


PRIVATE_ROUTES = {
    ("GET", "/api/v3/account"): Route(account, 20, signed=True, permission="enableReading"),
    ("GET", "/api/v3/account/commission"): Route(
        account_commission, 20, signed=True, permission="enableReading"
    ),
    ("GET", "/api/v3/myTrades"): Route(
        my_trades,
        weight=lambda params: 5 if params.get("orderId") else 20,
        signed=True,
        permission="enableReading",
    ),
    ("GET", "/sapi/v1/asset/tradeFee"): Route(trade_fee, signed=True, permission="enableReading"),
    # Binance documents no permission for reading a key's own permissions.
    ("GET", "/sapi/v1/account/apiRestrictions"): Route(api_restrictions, signed=True),
}
