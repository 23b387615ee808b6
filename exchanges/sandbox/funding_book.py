"""Funding on the sandbox's perpetuals: the rates (a pure function of the contract and the
hour), and the book of what each account's positions paid or received.

A position held at the top of an hour pays (or receives) that hour's rate on its notional at
the mark price, booked into the USD balance and the account log ("funding rate change"), as
Kraken realises funding every hour. Binance's USDⓈ-M perpetuals pay every 8 hours (00:00,
08:00 and 16:00 UTC) into the USDT balance, at 8 hours' worth of the hourly rate, published
(and charged) to 8 decimals as Binance publishes its rates. Rates are mostly small and
positive, as on a market that leans long, sometimes negative. `funding_rate` is the one rate
function: what the book charges and what each dialect's funding history publishes.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from exchanges.sandbox.records import contract_of

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


@dataclass(frozen=True)
class FundingTerms:
    """How an account's funding settles: in which currency, every `period` seconds, at rates
    given to `rate_places` decimals."""

    currency: str
    period: int
    rate_places: int


KRAKEN_FUTURES_FUNDING = FundingTerms("USD", HOUR, 12)
BINANCE_USDM_FUNDING = FundingTerms("USDT", 8 * HOUR, 8)


def funding_rate(symbol: str, moment: int, terms: FundingTerms) -> Decimal:
    """The rate a position in `symbol` held at the settlement `moment` pays (receives when
    negative): the hour's relative rate times the hours one settlement covers."""
    hourly = Decimal(str(relative_rate(contract_of(symbol), moment // HOUR)))
    return (hourly * (terms.period // HOUR)).quantize(Decimal(1).scaleb(-terms.rate_places))


class Ledger(Protocol):
    """What the book reads and books into: accounts.Ledger (which imports this module)."""

    balances: dict[str, dict[str, Decimal]]
    positions: dict[tuple[str, str], Any]
    market: Any

    def position_pair(self, key: str, symbol: str) -> str: ...

    def funding_terms(self, key: str) -> FundingTerms: ...


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
        terms = ledger.funding_terms(key)
        currency, period = terms.currency, terms.period
        for (owner, symbol), position in ledger.positions.items():
            if owner != key:
                continue
            since = self.through.get((owner, symbol), until)
            self.through[owner, symbol] = max(since, until)
            if not position.size:
                continue
            pair = ledger.position_pair(key, symbol)
            for slot in range(int(since // period) + 1, int(until // period) + 1):
                moment = slot * period
                rate = funding_rate(symbol, moment, terms)
                mark = ledger.market.price(pair, moment)
                amount = -(position.size * mark * rate).quantize(CENT_FRACTION)
                before = wallet.get(currency, Decimal(0))
                wallet[currency] = before + amount
                self.payments.append(
                    FundingPayment(
                        key, symbol, moment, position.size, mark, float(rate), amount, before,
                        wallet[currency],
                    )
                )  # fmt: skip

    def of(self, key: str) -> list[FundingPayment]:
        return [payment for payment in self.payments if payment.key == key]
