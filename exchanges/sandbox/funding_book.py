"""Funding on the sandbox's Kraken Futures perpetuals: the hourly rates (a pure function of
the contract and the hour), and the book of what each key's positions paid or received.

A position held at the top of an hour pays (or receives) that hour's rate on its notional at
the mark price, booked into the USD balance and the account log ("funding rate change"), as
Kraken realises funding every hour. Rates are mostly small and positive, as on a market that
leans long, sometimes negative.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

HOUR = 3600
CENT_FRACTION = Decimal("0.00000001")  # payments booked to 1e-8 USD, as the account log shows


def relative_rate(symbol: str, hour: int) -> float:
    """The rate of the hour starting at `hour` x 3600 s: 0.001 % on average, with a spread of
    0.002 % (a standard normal drawn from a hash of the contract and the hour)."""
    digest = hashlib.blake2b(f"funding:{symbol}:{hour}".encode(), digest_size=16).digest()
    u1 = (int.from_bytes(digest[:8], "big") + 1) / (2**64 + 1)
    u2 = int.from_bytes(digest[8:], "big") / 2**64
    gauss = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
    return round(0.00001 + 0.00002 * gauss, 12)


class Ledger(Protocol):
    """What the book reads and books into: accounts.Ledger (which imports this module)."""

    balances: dict[str, dict[str, Decimal]]
    positions: dict[tuple[str, str], Any]
    market: Any

    def position_pair(self, key: str, symbol: str) -> str: ...


@dataclass
class FundingPayment:
    """One hour's funding on one position, as the account log books it: what the position
    held, the mark price and the rate, and the USD balance around it (negative: paid)."""

    key: str
    symbol: str
    time: float
    size: Decimal
    mark: Decimal
    rate: float
    amount: Decimal
    usd_before: Decimal
    usd_after: Decimal


class FundingBook:
    """The funding a key's Futures positions paid or received, booked hour by hour up to the
    moment the account is next read or traded (the ledger calls `accrue` then): at each hour,
    what the position held then pays rate x size x the mark price into the USD balance."""

    def __init__(self) -> None:
        self.through: dict[tuple[str, str], float] = {}
        self.payments: list[FundingPayment] = []

    def accrue(self, ledger: Ledger, key: str, until: float) -> None:
        wallet = ledger.balances[key]
        for (owner, symbol), position in ledger.positions.items():
            if owner != key:
                continue
            since = self.through.get((owner, symbol), until)
            self.through[owner, symbol] = max(since, until)
            if not position.size:
                continue
            pair = ledger.position_pair(key, symbol)
            for hour in range(int(since // HOUR) + 1, int(until // HOUR) + 1):
                rate = relative_rate(symbol, hour)
                mark = ledger.market.price(pair, hour * HOUR)
                amount = -(position.size * mark * Decimal(str(rate))).quantize(CENT_FRACTION)
                before = wallet.get("USD", Decimal(0))
                wallet["USD"] = before + amount
                self.payments.append(
                    FundingPayment(
                        key, symbol, hour * HOUR, position.size, mark, rate, amount, before,
                        wallet["USD"],
                    )
                )  # fmt: skip

    def of(self, key: str) -> list[FundingPayment]:
        return [payment for payment in self.payments if payment.key == key]
