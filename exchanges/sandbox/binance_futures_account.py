"""Binance USDⓈ-M account endpoints: GET /fapi/v3/account and /fapi/v3/balance (what ccxt's
fetch_balance reads), GET /fapi/v3/positionRisk (fetch_positions), GET /fapi/v1/leverageBracket
(which fetch_positions loads first), GET and POST /fapi/v1/positionSide/dual, GET
/fapi/v1/income, GET /fapi/v1/userTrades and GET /fapi/v1/commissionRate.

The wallet is the key's USDⓈ-M account in the ledger (records.usdm_account), cross margined in
USDT: single-asset mode, leverage 10 (the ledger's 10 % initial margin; the sandbox offers no
POST /fapi/v1/leverage nor /fapi/v1/marginType, which neither ccxt's reads nor the live broker
call). Figures as Binance defines them: margin balance = wallet + unrealised profit (at the
mark price, here the last trade), available = margin balance - initial margin (positions'
and the open orders' that could add exposure, derivatives.DerivativesAccounts.holds_margin),
maintenance margin = notional x the bracket's ratio - its cum. No liquidation engine runs:
liquidationPrice is "0". breakEvenPrice is the sandbox's: the price at which closing at the
taker rate recovers opening at it.

Switching position mode is refused with a position (-4068) before open orders, regular or
conditional (-4067); asking for the mode already set is -4059. Income: REALIZED_PNL and
COMMISSION rows from the fills, FUNDING_FEE rows from the funding book, the last 7 days by
default (startTime alone runs to now), 3 months at most, oldest first, `limit` (100, at most
1000). userTrades: 7 days at most (the last 7 by default), all of an order's fills with
orderId, fromId onwards; commission positive, in USDT, at 0.05 % taker and 0.02 % maker.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from exchanges.sandbox.accounts import FEE_RATES
from exchanges.sandbox.binance_common import BinanceError, mandatory
from exchanges.sandbox.binance_futures_checks import open_orders_of
from exchanges.sandbox.binance_futures_common import (
    ALL_KEPT,
    BRACKETS,
    CONTRACTS,
    Contract,
    account_of,
    flag_param,
    in_hedge_mode,
    limit_param,
    money,
    ms,
    optional_contract,
    quantity_text,
    split_symbol,
    text,
    the_contract,
    time_window,
)
from exchanges.sandbox.binance_futures_views import trade_view
from exchanges.sandbox.binance_routes import Call, integer_param
from exchanges.sandbox.derivatives import FUTURES_MARGIN
from exchanges.sandbox.records import ZERO
from exchanges.sandbox.state import KEYS_CREATED

SUCCESS = {"code": 200, "msg": "success"}


@dataclass(frozen=True)
class Held:
    """One position side of the account, valued at the mark price."""

    symbol: str
    contract: Contract
    side: str
    size: Decimal
    entry: Decimal
    mark: Decimal
    order_margin: Decimal
    updated: int

    @property
    def notional(self) -> Decimal:
        return self.size * self.mark

    @property
    def unrealised(self) -> Decimal:
        return (self.mark - self.entry) * self.size

    @property
    def initial(self) -> Decimal:
        return abs(self.notional) * FUTURES_MARGIN

    @property
    def maintenance(self) -> Decimal:
        notional = abs(self.notional)
        bracket = [b for b in BRACKETS if notional >= b.floor][-1]
        return max(notional * bracket.maintenance - bracket.cum, ZERO)


def holdings(call: Call) -> list[Held]:
    """The account's position sides that hold something or have open orders (v3's rule)."""
    ledger, account = call.state.ledger, account_of(call)
    ledger.funding.accrue(ledger, account, call.now)
    order_margin: dict[str, Decimal] = {}
    for order in open_orders_of(call, True):
        margin = order.remaining * (order.price or ZERO) * FUTURES_MARGIN
        if not ledger.holds_margin(order):
            margin = ZERO
        order_margin[order.symbol] = order_margin.get(order.symbol, ZERO) + margin
    symbols = {s for (o, s), p in ledger.positions.items() if o == account and p.size}
    rows = []
    for symbol in sorted(symbols | set(order_margin)):
        position = ledger.positions.get((account, symbol))
        contract = CONTRACTS[split_symbol(symbol)[0]]
        fills = [f.time for f in ledger.fills_of(account) if f.symbol == symbol]
        rows.append(
            Held(
                symbol=contract.symbol,
                contract=contract,
                side=split_symbol(symbol)[1],
                size=position.size if position else ZERO,
                entry=position.entry if position and position.size else ZERO,
                mark=ledger.market.price(contract.symbol, call.now),
                order_margin=order_margin.get(symbol, ZERO),
                updated=ms(max(fills)) if fills else 0,
            )
        )
    return rows


def _wallet_row(call: Call, held: list[Held]) -> dict[str, Decimal]:
    ledger, account = call.state.ledger, account_of(call)
    wallet = ledger.balances[account].get("USDT", ZERO)
    unrealised = sum((h.unrealised for h in held), ZERO)
    positions = sum((h.initial for h in held), ZERO)
    orders = sum((h.order_margin for h in held), ZERO)
    available = wallet + unrealised - positions - orders
    return {
        "walletBalance": wallet,
        "unrealizedProfit": unrealised,
        "marginBalance": wallet + unrealised,
        "maintMargin": sum((h.maintenance for h in held), ZERO),
        "initialMargin": positions + orders,
        "positionInitialMargin": positions,
        "openOrderInitialMargin": orders,
        "crossWalletBalance": wallet,
        "crossUnPnl": unrealised,
        "availableBalance": available,
        "maxWithdrawAmount": max(min(available, wallet), ZERO),
    }


def _last_change(call: Call) -> int:
    ledger, account = call.state.ledger, account_of(call)
    times = [f.time for f in ledger.fills_of(account)]
    times += [p.time for p in ledger.funding.of(account)]
    return ms(max(times)) if times else KEYS_CREATED * 1000


def account(call: Call) -> dict[str, Any]:
    """GET /fapi/v3/account, single-asset mode."""
    held = holdings(call)
    figures = _wallet_row(call, held)
    totals = {
        f"total{name[0].upper()}{name[1:]}": money(figures[name])
        for name in (
            "initialMargin",
            "maintMargin",
            "walletBalance",
            "unrealizedProfit",
            "marginBalance",
            "positionInitialMargin",
            "openOrderInitialMargin",
            "crossWalletBalance",
            "crossUnPnl",
        )
    }
    asset = {"asset": "USDT", **{k: money(v) for k, v in figures.items()}}
    return {
        **totals,
        "availableBalance": money(figures["availableBalance"]),
        "maxWithdrawAmount": money(figures["maxWithdrawAmount"]),
        "assets": [{**asset, "marginAvailable": True, "updateTime": _last_change(call)}],
        "positions": [
            {
                "symbol": h.symbol,
                "positionSide": h.side,
                "positionAmt": quantity_text(h.contract, h.size),
                "unrealizedProfit": money(h.unrealised),
                "isolatedMargin": money(ZERO),
                "notional": money(h.notional),
                "isolatedWallet": "0",
                "initialMargin": money(h.initial + h.order_margin),
                "maintMargin": money(h.maintenance),
                "updateTime": h.updated,
            }
            for h in held
        ],
    }


def balance(call: Call) -> list[dict[str, Any]]:
    """GET /fapi/v3/balance."""
    figures = _wallet_row(call, holdings(call))
    alias = call.state.ledger.account_uid(account_of(call)).replace("-", "")[:8]
    return [
        {
            "accountAlias": alias,
            "asset": "USDT",
            "balance": money(figures["walletBalance"]),
            "crossWalletBalance": money(figures["crossWalletBalance"]),
            "crossUnPnl": money(figures["crossUnPnl"]),
            "availableBalance": money(figures["availableBalance"]),
            "maxWithdrawAmount": money(figures["maxWithdrawAmount"]),
            "marginAvailable": True,
            "updateTime": _last_change(call),
        }
    ]


def _break_even(held: Held) -> Decimal:
    taker = FEE_RATES["binanceusdm"][0]
    if not held.size:
        return ZERO
    if held.size > 0:
        return held.entry * (1 + taker) / (1 - taker)
    return held.entry * (1 - taker) / (1 + taker)


def position_risk(call: Call) -> list[dict[str, Any]]:
    """GET /fapi/v3/positionRisk: the position sides that hold something or have open orders."""
    wanted = optional_contract(call)
    return [
        {
            "symbol": h.symbol,
            "positionSide": h.side,
            "positionAmt": quantity_text(h.contract, h.size),
            "entryPrice": money(h.entry),
            "breakEvenPrice": money(_break_even(h)),
            "markPrice": money(h.mark),
            "unRealizedProfit": money(h.unrealised),
            "liquidationPrice": "0",
            "isolatedMargin": "0",
            "notional": money(h.notional),
            "marginAsset": "USDT",
            "isolatedWallet": "0",
            "initialMargin": money(h.initial + h.order_margin),
            "maintMargin": money(h.maintenance),
            "positionInitialMargin": money(h.initial),
            "openOrderInitialMargin": money(h.order_margin),
            "adl": 0,
            "bidNotional": "0",
            "askNotional": "0",
            "updateTime": h.updated,
        }
        for h in holdings(call)
        if wanted is None or h.symbol == wanted.symbol
    ]


def leverage_brackets(call: Call) -> list[dict[str, Any]] | dict[str, Any]:
    """GET /fapi/v1/leverageBracket: a list, or one object when a symbol is sent."""
    rows = [
        {
            "symbol": contract.symbol,
            "brackets": [
                {
                    "bracket": number,
                    "initialLeverage": b.leverage,
                    "notionalCap": b.cap,
                    "notionalFloor": b.floor,
                    "maintMarginRatio": float(b.maintenance),
                    "cum": float(b.cum),
                }
                for number, b in enumerate(BRACKETS, start=1)
            ],
        }
        for contract in CONTRACTS.values()
    ]
    wanted = optional_contract(call)
    if wanted is None:
        return rows
    return next(row for row in rows if row["symbol"] == wanted.symbol)


def position_mode(call: Call) -> dict[str, bool]:
    return {"dualSidePosition": in_hedge_mode(call)}


def change_position_mode(call: Call) -> dict[str, Any]:
    hedge = flag_param(call, "dualSidePosition")
    if hedge is None:
        raise mandatory("dualSidePosition")
    ledger, account = call.state.ledger, account_of(call)
    if hedge == in_hedge_mode(call):
        raise BinanceError(-4059, "No need to change position side.")
    if any(o == account and p.size for (o, _), p in ledger.positions.items()):
        raise BinanceError(-4068, "Position side cannot be changed if there exists position.")
    if open_orders_of(call, True) or open_orders_of(call, False):
        raise BinanceError(-4067, "Position side cannot be changed if there exists open orders.")
    if hedge:
        ledger.hedge_mode.add(account)
    else:
        ledger.hedge_mode.discard(account)
    return SUCCESS


def _income_row(
    symbol: str, kind: str, amount: Decimal, when: float, tran: int, trade: str
) -> dict[str, Any]:
    return {
        "symbol": symbol,
        "incomeType": kind,
        "income": money(amount),
        "asset": "USDT",
        "info": kind,
        "time": ms(when),
        "tranId": tran,
        "tradeId": trade,
    }


def income(call: Call) -> list[dict[str, Any]]:
    ledger, account = call.state.ledger, account_of(call)
    ledger.funding.accrue(ledger, account, call.now)
    wanted = optional_contract(call)
    kind = call.params.get("incomeType")
    start, end = time_window(call, capped=False)
    start = max(start, call.now_ms - ALL_KEPT * 1000)
    limit = limit_param(call, 100, 1000)
    rows = []
    for fill in sorted(ledger.fills_of(account), key=lambda f: f.number):
        symbol = split_symbol(fill.symbol)[0]
        if fill.realised:
            rows.append(
                _income_row(symbol, "REALIZED_PNL", fill.realised, fill.time, fill.number, fill.id)
            )
        rows.append(_income_row(symbol, "COMMISSION", -fill.fee, fill.time, fill.number, fill.id))
    for number, payment in enumerate(ledger.funding.payments, start=1):
        if payment.key == account:
            symbol = split_symbol(payment.symbol)[0]
            rows.append(
                _income_row(symbol, "FUNDING_FEE", payment.amount, payment.time, number, "")
            )
    rows = [
        r
        for r in rows
        if start <= r["time"] <= end
        and (wanted is None or r["symbol"] == wanted.symbol)
        and (kind is None or r["incomeType"] == kind)
    ]
    rows.sort(key=lambda r: r["time"])
    return rows[:limit]


def user_trades(call: Call) -> list[dict[str, Any]]:
    ledger, contract = call.state.ledger, the_contract(call)
    order = integer_param(call, "orderId")
    from_id = integer_param(call, "fromId")
    if from_id is not None and (call.params.get("startTime") or call.params.get("endTime")):
        raise BinanceError(-1128, "Combination of optional parameters invalid.")
    limit = limit_param(call, 500, 1000)
    fills = sorted(ledger.fills_of(account_of(call)), key=lambda f: f.number)
    rows = [trade_view(ledger, f) for f in fills if split_symbol(f.symbol)[0] == contract.symbol]
    if order is not None:
        return [r for r in rows if r["orderId"] == order][:limit]
    if from_id is not None:
        return [r for r in rows if r["id"] >= from_id][:limit]
    start, end = time_window(call)
    rows = [r for r in rows if start <= r["time"] <= end]
    return rows[:limit] if call.params.get("startTime") else rows[-limit:]


def commission_rate(call: Call) -> dict[str, str]:
    taker, maker = FEE_RATES["binanceusdm"]
    return {
        "symbol": the_contract(call).symbol,
        "makerCommissionRate": text(maker, 4),
        "takerCommissionRate": text(taker, 4),
    }
