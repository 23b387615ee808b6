"""Definitions the Futures modules share: instruments, the request context, errors, formats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from exchanges.sandbox.keys import ApiKey
from exchanges.sandbox.state import VenueState


@dataclass(frozen=True)
class Instrument:
    symbol: str
    pair: str  # the Spot pair whose prices it follows
    tick: str
    precision: int  # contractValueTradePrecision: size decimals


INSTRUMENTS = {
    i.symbol: i
    for i in (
        Instrument("PF_XBTUSD", "XXBTZUSD", "0.5", 4),
        Instrument("PF_ETHUSD", "XETHZUSD", "0.1", 3),
    )
}


class FuturesError(Exception):
    def __init__(self, code: str, status: int = 200) -> None:
        super().__init__(code)
        self.code, self.status = code, status


def server_time(now: float) -> str:
    return (
        datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def success(call: Call, **fields: Any) -> dict:
    """A /derivatives/api/v3 answer: Kraken Futures wraps every one in the same envelope."""
    return {"result": "success", **fields, "serverTime": server_time(call.now)}


@dataclass
class Call:
    state: VenueState
    key: ApiKey | None
    params: dict[str, str]
    now: float
    path_args: tuple[str, ...] = ()

    @property
    def api_key(self) -> ApiKey:
        if self.key is None:  # the router authenticates every private endpoint first
            raise FuturesError("authenticationError", 401)
        return self.key

    def instrument(self, symbol: str | None = None) -> Instrument:
        instrument = INSTRUMENTS.get((symbol or self.params.get("symbol", "")).upper())
        if instrument is None:
            raise FuturesError("contractNotFound")
        return instrument

    def decimal(self, name: str) -> Decimal | None:
        try:
            return Decimal(self.params[name]) if self.params.get(name) else None
        except InvalidOperation:
            raise FuturesError("invalidArgument: " + name) from None
