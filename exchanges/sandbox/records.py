"""The records the ledger keeps (orders, fills, positions) and the dialects read and write.

Every dialect places `Order`s in the one ledger; `venue` says whose dialect placed it, which
sets how it settles (a spot wallet or a futures account) and what it pays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)
SPOT_VENUES = frozenset({"spot", "binance"})
DERIVATIVE_VENUES = frozenset({"futures", "binanceusdm"})
# Binance keys reach two wallets: the Spot one under the key itself, the USDⓈ-M one here.
USDM_SUFFIX = "/usdm"


def usdm_account(key: str) -> str:
    """The ledger account of a Binance key's USDⓈ-M futures wallet."""
    return key + USDM_SUFFIX


# An account in hedge mode (Binance's dual side positions) holds a long and a short position in
# one contract: the ledger keeps them apart as two symbols, the contract's and the side's.
SIDE_MARK = "#"


def side_symbol(contract: str, position_side: str) -> str:
    """The ledger symbol of one side of a hedge-mode position ("BOTH": the contract itself)."""
    return contract if position_side == "BOTH" else f"{contract}{SIDE_MARK}{position_side}"


def contract_of(symbol: str) -> str:
    """The contract a ledger symbol trades (what funding and prices are looked up by)."""
    return symbol.split(SIDE_MARK, 1)[0]


TRIGGERS = ("stop-loss", "take-profit")


def triggered(order: Order, price: Decimal) -> bool:
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
    # Orders placed as one list (Binance's OCO): the first fill of one cancels the others.
    list_id: str | None = None
    status: str = "open"  # open, closed, canceled
    closed: float | None = None
    reason: str | None = None
    filled: Decimal = ZERO
    cost: Decimal = ZERO
    fee: Decimal = ZERO
    fills: list[str] = field(default_factory=list)
    checked_until: float = 0.0
    # What the placing dialect noted that the ledger never reads (Binance USDⓈ-M: the order
    # type and time in force as sent, the trigger's price type, closePosition...).
    notes: dict[str, str] = field(default_factory=dict)

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
    fee_asset: str = ""  # the asset the fee was paid in; empty: the quote (or settlement) currency
    # Futures: the USD balance around the fill's settlement, and the profit it realised.
    usd_before: Decimal = ZERO
    usd_after: Decimal = ZERO
    realised: Decimal = ZERO


@dataclass
class Position:
    size: Decimal = ZERO  # signed: long > 0
    entry: Decimal = ZERO
