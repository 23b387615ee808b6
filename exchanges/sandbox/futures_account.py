"""The Kraken Futures account endpoints: the flex account, open positions and withdrawals.

Orders and fills are in futures_orders.py, the history endpoints in futures_history.py.
"""

from __future__ import annotations

from decimal import Decimal

from exchanges.sandbox.futures_common import Call, FuturesError, number, server_time, success


def accounts(call: Call) -> dict:
    ledger, key, now = call.state.ledger, call.api_key.key, call.now
    collateral = ledger.futures_collateral(key, now)
    margin = ledger.futures_margin(key, now)
    available = collateral - margin
    currencies = {}
    for currency, amount in ledger.balances[key].items():
        value = amount * ledger.usd_price(currency, now)
        free = min(amount, max(available, Decimal(0))) if currency == "USD" else amount
        currencies[currency] = {
            "quantity": number(amount),
            "value": number(value),
            "collateral": number(value),
            "available": number(free),
        }
    unrealised = number(ledger.unrealised(key, now))
    flex = {
        "type": "multiCollateralMarginAccount",
        "currencies": currencies,
        "initialMargin": number(margin),
        "initialMarginWithOrders": number(margin),
        "maintenanceMargin": number(margin / 2),
        "balanceValue": number(collateral),
        "portfolioValue": number(collateral),
        "collateralValue": number(collateral),
        "pnl": unrealised,
        "unrealizedFunding": 0.0,
        "totalUnrealized": unrealised,
        "totalUnrealizedAsMargin": unrealised,
        "availableMargin": number(available),
        "marginEquity": number(collateral),
    }
    cash = {"type": "cashAccount", "balances": {}}
    return success(call, accounts={"cash": cash, "flex": flex})


def open_positions(call: Call) -> dict:
    rows = []
    for (owner, symbol), position in call.state.ledger.positions.items():
        if owner == call.api_key.key and position.size:
            rows.append(
                {
                    "side": "long" if position.size > 0 else "short",
                    "symbol": symbol,
                    "price": number(position.entry),
                    "fillTime": server_time(call.now),
                    "size": number(abs(position.size)),
                    "unrealizedFunding": 0.0,
                    "pnlCurrency": "USD",
                }
            )
    return success(call, openPositions=rows)


def withdrawal(call: Call) -> dict:
    """Never moves money: with the permission it refuses the amount, which proves the permission."""
    if not call.params.get("currency") or not call.params.get("amount"):
        raise FuturesError("requiredArgumentMissing")
    raise FuturesError("invalidAmount")
