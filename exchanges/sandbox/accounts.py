"""Orders, fills and balances: the sandbox's matching against its synthetic market.

Market orders fill at once, whole, at the last trade price (taker fee). A limit order that is
marketable when placed does the same; otherwise it rests, and each synthetic trade that crosses
it fills it at its limit price (maker fee) by at most that trade's volume: a large order fills
in parts, and stays open, partly filled, until trades have taken all of it. Crossings are
looked for in the trades since the order was last checked, at most MATCH_WINDOW seconds back,
on every request to the venue.
Stop-loss and take-profit orders (trigger orders, in both dialects) rest until a trade reaches their
trigger price (a sell stop at or below it, a sell take-profit at or above, buys mirrored), then
fill whole at that trade's price as a market order would (taker fee); one whose trigger is
already reached when placed fills at once.

Spot moves base and quote balances. Kraken takes fees in the quote currency (its default,
``fciq``); Binance in the asset received (the base on a buy, the quote on a sell), or in BNB at
a 25 % discount when the key's account pays fees in BNB and holds enough of it (the fee
converted at the last BNB/USDT price). Orders placed as one list (Binance's OCO) cancel each
other: the first fill of one cancels the rest.
Kraken Futures keeps a flex (multi-collateral) account: a USD balance, signed positions per
contract, 10% initial margin, realised profit and fees settled in USD (each fill notes the USD
balance before and after it, which the account log shows); derivatives.py keeps those
accounts' positions and figures. A reduce-only order never opens or grows a position: it is
cut to the position it closes; placed with nothing to close it is refused (Kraken's
wouldNotReducePosition, in the dialect), and a resting one that triggers with nothing to close
is cancelled (the sandbox's choice). Binance's USDⓈ-M wallet is a separate account of the key
(records.usdm_account), settled in USDT the same way.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from decimal import Decimal

from exchanges.sandbox.derivatives import FUTURES_MARGIN, DerivativesAccounts
from exchanges.sandbox.funding_book import FundingBook
from exchanges.sandbox.keys import ApiKey
from exchanges.sandbox.market import Market, PairSpec
from exchanges.sandbox.records import (
    SPOT_VENUES,
    TRIGGERS,
    ZERO,
    Fill,
    Order,
    OrderRejected,
    Position,
    triggered,
    usdm_account,
)

__all__ = ["TRIGGERS", "Fill", "Ledger", "Order", "OrderRejected", "Position"]

# (taker, maker) fee rates per dialect, at each venue's entry tier.
FEE_RATES = {
    "spot": (Decimal("0.0026"), Decimal("0.0016")),
    "futures": (Decimal("0.0005"), Decimal("0.0002")),
    "binance": (Decimal("0.001"), Decimal("0.001")),
    "binanceusdm": (Decimal("0.0005"), Decimal("0.0002")),
}
SPOT_TAKER, SPOT_MAKER = FEE_RATES["spot"]
FUTURES_TAKER, FUTURES_MAKER = FEE_RATES["futures"]
BNB_DISCOUNT = Decimal("0.75")  # Binance Spot: commission paid in BNB costs 25 % less
MATCH_WINDOW = 3 * 3600
EIGHT_PLACES = Decimal("0.00000001")


class Ledger(DerivativesAccounts):
    """Every key's balances, orders, fills and (Futures) positions. Callers hold the venue lock."""

    def __init__(self, market: Market, keys: Iterable[ApiKey], seed: str) -> None:
        self.market = market
        self.seed = seed
        self.reset(keys)

    def reset(self, keys: Iterable[ApiKey]) -> None:
        # Seeded on purpose: the same calls give the same order ids (ids, not secrets).
        self.rng = random.Random(f"{self.seed}|ids")  # noqa: S311
        keys = list(keys)
        self.balances = {k.key: dict(k.balances) for k in keys}
        # Binance keys: the USDⓈ-M wallet beside the Spot one, and who pays Spot fees in BNB.
        self.balances.update(
            {usdm_account(k.key): dict(k.futures_balances) for k in keys if k.venue == "binance"}
        )
        self.bnb_fees = {k.key for k in keys if k.bnb_fees}
        # Binance USDⓈ-M accounts in hedge mode (positionSide/dual can switch it).
        self.hedge_mode = {usdm_account(k.key) for k in keys if k.hedge_mode}
        self.orders: dict[str, Order] = {}
        self.fills: dict[str, Fill] = {}
        self.positions: dict[tuple[str, str], Position] = {}
        self.funding = FundingBook()

    # --- ids ---------------------------------------------------------------------------------

    def kraken_id(self, prefix: str) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        chars = "".join(self.rng.choice(alphabet) for _ in range(16))
        return f"{prefix}{chars[:5]}-{chars[5:10]}-{chars[10:]}"

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def derived_uid(self, text: str) -> str:
        """A stable id derived from `text`: reading history must not shift the ids of new orders."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.seed}|{text}"))

    def account_uid(self, key: str) -> str:
        return self.derived_uid(f"account|{key}")

    # --- queries -----------------------------------------------------------------------------

    def orders_of(self, key: str, *statuses: str) -> list[Order]:
        return [o for o in self.orders.values() if o.key == key and o.status in statuses]

    def fills_of(self, key: str) -> list[Fill]:
        return [f for f in self.fills.values() if f.key == key]

    def find_order(self, key: str, ref: str) -> Order | None:
        order = self.orders.get(ref)
        if order is not None and order.key == key:
            return order
        for order in self.orders.values():
            if order.key == key and ref in (order.client_id, str(order.userref)):
                return order
        return None

    def spot_holds(self, key: str) -> dict[str, Decimal]:
        """What the key's open orders hold, by asset; an order list (an OCO, whose legs sell
        the same coins once) holds what its largest leg needs."""
        holds: dict[str, Decimal] = {}
        for (_list, asset), amount in self._list_holds(key).items():
            holds[asset] = holds.get(asset, ZERO) + amount
        return holds

    def _list_holds(self, key: str) -> dict[tuple[str | None, str], Decimal]:
        """Holds by (list, asset): each order alone (its own id as the list), or its list."""
        holds: dict[tuple[str | None, str], Decimal] = {}
        for order in self.orders_of(key, "open"):
            pair = self.market.pairs[order.pair]
            asset, amount = self._spot_need(
                pair, order.side, order.remaining, order.price or ZERO, order.venue
            )
            group = (order.list_id or order.id, asset)
            holds[group] = max(holds.get(group, ZERO), amount)
        return holds

    def spot_available(self, key: str, asset: str) -> Decimal:
        return self.balances[key].get(asset, ZERO) - self.spot_holds(key).get(asset, ZERO)

    # --- placing and cancelling ----------------------------------------------------------------

    def place(self, order: Order, now: float) -> Order:
        """Check funds, then fill or rest the order; raises OrderRejected."""
        last = self.market.price(order.pair, now)
        self._check_funds(order, order.price if order.type == "limit" else last, now)
        order.checked_until = now
        self.orders[order.id] = order
        if order.type in TRIGGERS:
            if triggered(order, last):
                self._execute(order, last, now, maker=False)
            return order
        marketable = order.type == "market" or (
            order.price is not None
            and (order.price >= last if order.side == "buy" else order.price <= last)
        )
        if marketable:
            self._execute(order, last, now, maker=False)
        return order

    def cancel(self, order: Order, now: float, reason: str = "User requested") -> None:
        if order.status == "open":
            order.status, order.closed, order.reason = "canceled", now, reason

    def match(self, now: float) -> None:
        """Fill resting limit orders that the market's trades have crossed since last checked."""
        for order in [o for o in self.orders.values() if o.status == "open"]:
            after = max(order.checked_until, now - MATCH_WINDOW)
            for trade in self.market.trades_between(order.pair, after, now):
                if order.type in TRIGGERS:
                    if triggered(order, trade.price):
                        self._execute(order, trade.price, trade.time, maker=False)
                        break
                    continue
                limit = order.price or ZERO
                if (order.side == "buy" and trade.price <= limit) or (
                    order.side == "sell" and trade.price >= limit
                ):
                    volume = min(order.remaining, trade.volume)
                    self._execute(order, limit, trade.time, maker=True, volume=volume)
                    if order.status != "open":
                        break
            order.checked_until = now

    # --- internals -----------------------------------------------------------------------------

    def _check_funds(self, order: Order, price: Decimal | None, now: float) -> None:
        price = price or ZERO
        if order.venue in SPOT_VENUES:
            pair = self.market.pairs[order.pair]
            asset, need = self._spot_need(pair, order.side, order.volume, price, order.venue)
            # A leg of a list already resting needs only what the list does not hold yet.
            listed = self._list_holds(order.key).get((order.list_id, asset), ZERO)
            if order.list_id is not None and need <= listed:
                return
            if self.spot_available(order.key, asset) < need - listed:
                raise OrderRejected("insufficient_funds")
        elif not order.reduce_only and (
            order.volume * price * FUTURES_MARGIN > self.futures_available(order.key, now)
        ):
            raise OrderRejected("insufficient_funds")

    @staticmethod
    def _spot_need(
        pair: PairSpec, side: str, volume: Decimal, price: Decimal, venue: str
    ) -> tuple[str, Decimal]:
        if side == "buy":
            fee_on_top = venue == "spot"  # Binance takes a buy's fee from what it buys
            return pair.quote, volume * price * (1 + (FEE_RATES[venue][0] if fee_on_top else 0))
        return pair.base, volume

    def _execute(
        self,
        order: Order,
        price: Decimal,
        when: float,
        *,
        maker: bool,
        volume: Decimal | None = None,
    ) -> None:
        """Fill `volume` of the order (all that remains by default); filled whole, it closes."""
        volume = order.remaining if volume is None else volume
        if order.venue not in SPOT_VENUES and order.reduce_only:
            volume = self._reducing(order, volume, when)
            if not volume:
                return
        cost = price * volume
        taker, maker_rate = FEE_RATES[order.venue]
        rate = maker_rate if maker else taker
        fee_asset, fee = "", (cost * rate).quantize(EIGHT_PLACES)
        if order.venue == "binance":
            fee_asset, fee = self._binance_commission(order, volume, cost, rate, when)
        number = len(self.fills) + 1
        fill = Fill(
            id=self._fill_id(order.venue, number),
            number=number,
            order_id=order.id,
            key=order.key,
            pair=order.pair,
            symbol=order.symbol,
            side=order.side,
            type=order.type,
            price=price,
            volume=volume,
            cost=cost,
            fee=fee,
            time=when,
            maker=maker,
            fee_asset=fee_asset,
        )
        self.fills[fill.id] = fill
        order.fills.append(fill.id)
        order.filled += volume
        order.cost += cost
        order.fee += fee
        if order.remaining <= ZERO:
            order.status, order.closed = "closed", when
        if order.list_id is not None:  # one cancels the other, from the first fill on
            for sibling in self.orders.values():
                if sibling.list_id == order.list_id and sibling is not order:
                    self.cancel(sibling, when, "list")
        if order.venue in SPOT_VENUES:
            self._settle_spot(fill)
        else:
            self._settle_futures(fill)

    def _fill_id(self, venue: str, number: int) -> str:
        if venue == "spot":
            return self.kraken_id("T")
        if venue == "futures":
            return self.uuid()
        return str(number)  # Binance: trade ids are integers

    def _binance_commission(
        self, order: Order, volume: Decimal, cost: Decimal, rate: Decimal, when: float
    ) -> tuple[str, Decimal]:
        """What a Binance Spot fill pays, and in which asset: BNB at a discount when the account
        pays fees in BNB and holds enough, else the asset received."""
        pair = self.market.pairs[order.pair]
        if order.key in self.bnb_fees and self.market.pair("BNBUSDT", "binance") is not None:
            bnb_price = self.market.price("BNBUSDT", when)
            in_bnb = (cost * rate * BNB_DISCOUNT / bnb_price).quantize(EIGHT_PLACES)
            if self.balances[order.key].get("BNB", ZERO) >= in_bnb:
                return "BNB", in_bnb
        if order.side == "buy":
            return pair.base, (volume * rate).quantize(EIGHT_PLACES)
        return pair.quote, (cost * rate).quantize(EIGHT_PLACES)

    def _reducing(self, order: Order, volume: Decimal, when: float) -> Decimal:
        """What of `volume` a reduce-only order may fill: at most the opposite position, the
        order cut to it; nothing (the order cancelled) when no opposite position is held."""
        closable = self.reducible(order)
        if not closable:
            self.cancel(order, when, "reduce_only")
            return ZERO
        if volume > closable:
            order.volume = order.filled + closable
            volume = closable
        return volume

    def _settle_spot(self, fill: Fill) -> None:
        pair = self.market.pairs[fill.pair]
        wallet = self.balances[fill.key]
        sign = 1 if fill.side == "buy" else -1
        wallet[pair.base] = wallet.get(pair.base, ZERO) + sign * fill.volume
        wallet[pair.quote] = wallet.get(pair.quote, ZERO) - sign * fill.cost
        fee_asset = fill.fee_asset or pair.quote
        wallet[fee_asset] = wallet.get(fee_asset, ZERO) - fill.fee
