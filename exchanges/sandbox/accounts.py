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

Spot moves base and quote balances, fees in the quote currency (Kraken's default, ``fciq``).
Futures keeps a flex (multi-collateral) account: a USD balance, signed positions per contract,
10% initial margin, realised profit and fees settled in USD (each fill notes the USD balance
before and after it, which the account log shows). A reduce-only order never opens or grows a
position: it is cut to the position it closes; placed with nothing to close it is refused
(Kraken's wouldNotReducePosition, in the dialect), and a resting one that triggers with
nothing to close is cancelled (the sandbox's choice).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from exchanges.sandbox.funding_book import FundingBook
from exchanges.sandbox.keys import ApiKey
from exchanges.sandbox.market import Market, PairSpec

SPOT_TAKER, SPOT_MAKER = Decimal("0.0026"), Decimal("0.0016")
FUTURES_TAKER, FUTURES_MAKER = Decimal("0.0005"), Decimal("0.0002")
FUTURES_MARGIN = Decimal("0.1")
MATCH_WINDOW = 3 * 3600
ZERO = Decimal(0)


TRIGGERS = ("stop-loss", "take-profit")


def _triggered(order: Order, price: Decimal) -> bool:
    """Whether a trade at `price` reaches a trigger order's price."""
    trigger = order.price or ZERO
    return price >= trigger if order.triggers_above else price <= trigger


class OrderRejected(Exception):
    """An order the venue refuses; `reason` is the sandbox's word, each dialect translates it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Order:
    id: str
    key: str
    venue: str
    pair: str  # the market pair whose prices it trades on (XXBTZUSD)
    symbol: str  # what the venue calls it (XBTUSD on Spot, PF_XBTUSD on Futures)
    side: str
    type: str  # "market", "limit", or a trigger order: "stop-loss", "take-profit"
    volume: Decimal
    price: Decimal | None
    opened: float
    client_id: str | None = None
    userref: int | None = None
    reduce_only: bool = False
    status: str = "open"  # open, closed, canceled
    closed: float | None = None
    reason: str | None = None
    filled: Decimal = ZERO
    cost: Decimal = ZERO
    fee: Decimal = ZERO
    fills: list[str] = field(default_factory=list)
    checked_until: float = 0.0

    @property
    def remaining(self) -> Decimal:
        return self.volume - self.filled

    @property
    def triggers_above(self) -> bool:
        """A trigger order fires when the price rises to it (a buy stop, a sell take-profit),
        else when it falls to it (a sell stop, a buy take-profit)."""
        return (self.type == "stop-loss") == (self.side == "buy")

    @property
    def average(self) -> Decimal:
        return self.cost / self.filled if self.filled else ZERO


@dataclass
class Fill:
    id: str
    number: int
    order_id: str
    key: str
    pair: str
    symbol: str
    side: str
    type: str
    price: Decimal
    volume: Decimal
    cost: Decimal
    fee: Decimal
    time: float
    maker: bool
    # Futures: the USD balance around the fill's settlement, and the profit it realised.
    usd_before: Decimal = ZERO
    usd_after: Decimal = ZERO
    realised: Decimal = ZERO


@dataclass
class Position:
    size: Decimal = ZERO  # signed: long > 0
    entry: Decimal = ZERO


class Ledger:
    """Every key's balances, orders, fills and (Futures) positions. Callers hold the venue lock."""

    def __init__(self, market: Market, keys: Iterable[ApiKey], seed: str) -> None:
        self.market = market
        self.seed = seed
        self.reset(keys)

    def reset(self, keys: Iterable[ApiKey]) -> None:
        # Seeded on purpose: the same calls give the same order ids (ids, not secrets).
        self.rng = random.Random(f"{self.seed}|ids")  # noqa: S311
        self.balances = {k.key: dict(k.balances) for k in keys}
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
        holds: dict[str, Decimal] = {}
        for order in self.orders_of(key, "open"):
            pair = self.market.pairs[order.pair]
            asset, amount = self._spot_need(pair, order.side, order.remaining, order.price or ZERO)
            holds[asset] = holds.get(asset, ZERO) + amount
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
            if _triggered(order, last):
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
                    if _triggered(order, trade.price):
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
        if order.venue == "spot":
            pair = self.market.pairs[order.pair]
            asset, need = self._spot_need(pair, order.side, order.volume, price)
            if self.spot_available(order.key, asset) < need:
                raise OrderRejected("insufficient_funds")
        elif not order.reduce_only and (
            order.volume * price * FUTURES_MARGIN > self.futures_available(order.key, now)
        ):
            raise OrderRejected("insufficient_funds")

    @staticmethod
    def _spot_need(
        pair: PairSpec, side: str, volume: Decimal, price: Decimal
    ) -> tuple[str, Decimal]:
        if side == "buy":
            return pair.quote, volume * price * (1 + SPOT_TAKER)
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
        if order.venue == "futures" and order.reduce_only:
            volume = self._reducing(order, volume, when)
            if not volume:
                return
        cost = price * volume
        if order.venue == "spot":
            rate = SPOT_MAKER if maker else SPOT_TAKER
        else:
            rate = FUTURES_MAKER if maker else FUTURES_TAKER
        fee = (cost * rate).quantize(Decimal("0.00000001"))
        fill = Fill(
            id=self.kraken_id("T") if order.venue == "spot" else self.uuid(),
            number=len(self.fills) + 1,
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
        )
        self.fills[fill.id] = fill
        order.fills.append(fill.id)
        order.filled += volume
        order.cost += cost
        order.fee += fee
        if order.remaining <= ZERO:
            order.status, order.closed = "closed", when
        if order.venue == "spot":
            self._settle_spot(fill)
        else:
            self._settle_futures(fill)

    def reducible(self, order: Order) -> Decimal:
        """How much of the opposite position a (reduce-only) order could close."""
        held = self.positions.get((order.key, order.symbol), Position()).size
        return max(-held if order.side == "buy" else held, ZERO)

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
        wallet[pair.quote] = wallet.get(pair.quote, ZERO) - sign * fill.cost - fill.fee

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
        fill.usd_before = wallet.get("USD", ZERO)
        fill.usd_after = fill.usd_before + realised - fill.fee
        fill.realised = realised
        wallet["USD"] = fill.usd_after

    # --- futures account figures -----------------------------------------------------------------

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
        for order in self.orders_of(key, "open"):
            used += order.remaining * (order.price or ZERO) * FUTURES_MARGIN
        return used

    def futures_available(self, key: str, now: float) -> Decimal:
        return self.futures_collateral(key, now) - self.futures_margin(key, now)

    def usd_price(self, currency: str, now: float) -> Decimal:
        if currency in ("USD", "USDC", "USDT"):
            return Decimal(1)
        code = {"BTC": "XBT"}.get(currency, currency)
        pair = self.market.pair(f"{code}USD")
        return self.market.price(pair.id, now) if pair else ZERO

    def position_pair(self, key: str, symbol: str) -> str:
        for order in self.orders.values():
            if order.key == key and order.symbol == symbol:
                return order.pair
        raise KeyError(symbol)
