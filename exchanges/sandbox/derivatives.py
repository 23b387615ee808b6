"""The ledger's derivatives accounts (Kraken Futures' flex account, a Binance key's USDⓈ-M
wallet): how a fill settles into a position and the settlement currency, and the account's
figures (collateral, unrealised profit, margin, what is left to trade with).

Positions are signed (long > 0) per account and ledger symbol, at their average entry price;
realised profit and fees settle in the account's currency (SETTLEMENT), each fill noting the
balance before and after it. Initial margin is 10 % of the notional at the last price, for
positions and for the orders that could open or grow one. Binance's USDⓈ-M reserves nothing
for reduce-only orders (they never add exposure) nor for conditional orders, which its Algo
Service holds outside the book until they trigger; Kraken's figures count every open order.
"""

from __future__ import annotations

from decimal import Decimal

from exchanges.sandbox.funding_book import (
    BINANCE_USDM_FUNDING,
    KRAKEN_FUTURES_FUNDING,
    FundingBook,
    FundingTerms,
)
from exchanges.sandbox.market import Market
from exchanges.sandbox.records import TRIGGERS, USDM_SUFFIX, ZERO, Fill, Order, Position

FUTURES_MARGIN = Decimal("0.1")
# The currency a derivatives account settles in, per dialect.
SETTLEMENT = {"futures": "USD", "binanceusdm": "USDT"}


class DerivativesAccounts:
    """The part of accounts.Ledger that keeps derivatives accounts (a mixin: the ledger holds
    the state named below)."""

    market: Market
    balances: dict[str, dict[str, Decimal]]
    orders: dict[str, Order]
    positions: dict[tuple[str, str], Position]
    funding: FundingBook

    def reducible(self, order: Order) -> Decimal:
        """How much of the opposite position a (reduce-only) order could close."""
        held = self.positions.get((order.key, order.symbol), Position()).size
        return max(-held if order.side == "buy" else held, ZERO)

    def _settle_futures(self, fill: Fill) -> None:
        self.funding.accrue(self, fill.key, fill.time)  # the hours the position was held
        wallet = self.balances[fill.key]
        position = self.positions.setdefault((fill.key, fill.symbol), Position())
        delta = fill.volume if fill.side == "buy" else -fill.volume
        realised = ZERO
        if position.size and (position.size > 0) != (delta > 0):
            closing = min(abs(delta), abs(position.size))
            direction = 1 if position.size > 0 else -1
            realised = (fill.price - position.entry) * closing * direction
        new_size = position.size + delta
        if new_size and (not position.size or (new_size > 0) == (position.size > 0)):
            if abs(new_size) > abs(position.size):  # adding: average the entry price
                total = position.entry * abs(position.size) + fill.price * abs(delta)
                position.entry = total / (abs(position.size) + abs(delta))
        elif new_size:  # flipped through zero: the rest opens at the fill price
            position.entry = fill.price
        position.size = new_size
        self.funding.through.setdefault((fill.key, fill.symbol), fill.time)  # held from here
        currency = SETTLEMENT[self.orders[fill.order_id].venue]
        fill.usd_before = wallet.get(currency, ZERO)
        fill.usd_after = fill.usd_before + realised - fill.fee
        fill.realised = realised
        wallet[currency] = fill.usd_after

    # --- the account's figures -------------------------------------------------------------

    def futures_collateral(self, key: str, now: float) -> Decimal:
        self.funding.accrue(self, key, now)
        total = ZERO
        for currency, amount in self.balances[key].items():
            total += amount * self.usd_price(currency, now)
        return total + self.unrealised(key, now)

    def unrealised(self, key: str, now: float) -> Decimal:
        total = ZERO
        for (owner, _symbol), position in self.positions.items():
            if owner == key and position.size:
                pair = self.position_pair(key, _symbol)
                total += (self.market.price(pair, now) - position.entry) * position.size
        return total

    def futures_margin(self, key: str, now: float) -> Decimal:
        used = ZERO
        for (owner, symbol), position in self.positions.items():
            if owner == key and position.size:
                price = self.market.price(self.position_pair(key, symbol), now)
                used += abs(position.size) * price * FUTURES_MARGIN
        for order in self.orders.values():
            if order.key == key and order.status == "open" and self.holds_margin(order):
                used += order.remaining * (order.price or ZERO) * FUTURES_MARGIN
        return used

    @staticmethod
    def holds_margin(order: Order) -> bool:
        """Whether an open order reserves initial margin (see the module's docstring)."""
        if order.venue == "binanceusdm":
            return not order.reduce_only and order.type not in TRIGGERS
        return True

    def futures_available(self, key: str, now: float) -> Decimal:
        return self.futures_collateral(key, now) - self.futures_margin(key, now)

    def usd_price(self, currency: str, now: float) -> Decimal:
        if currency in ("USD", "USDC", "USDT"):
            return Decimal(1)
        code = {"BTC": "XBT"}.get(currency, currency)
        pair = self.market.pair(f"{code}USD")
        return self.market.price(pair.id, now) if pair else ZERO

    def funding_terms(self, key: str) -> FundingTerms:
        """How an account's funding settles (funding_book.FundingTerms)."""
        return BINANCE_USDM_FUNDING if key.endswith(USDM_SUFFIX) else KRAKEN_FUTURES_FUNDING

    def position_pair(self, key: str, symbol: str) -> str:
        for order in self.orders.values():
            if order.key == key and order.symbol == symbol:
                return order.pair
        raise KeyError(symbol)
