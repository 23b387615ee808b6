"""Definitions the Spot private modules share: the assets, the request context, the error."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from exchanges.sandbox.keys import ApiKey
from exchanges.sandbox.market import PairSpec
from exchanges.sandbox.state import VenueState

# Kraken asset id -> (altname, decimals, display decimals)
ASSETS = {
    "XXBT": ("XBT", 10, 5),
    "XETH": ("ETH", 10, 5),
    "ZUSD": ("USD", 4, 2),
    "ZEUR": ("EUR", 4, 2),
}


class SpotError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Context:
    state: VenueState
    key: ApiKey
    params: dict[str, str]
    now: float

    def decimal(self, name: str, error: str) -> Decimal:
        try:
            value = Decimal(self.params[name])
        except (KeyError, InvalidOperation):
            raise SpotError(error) from None
        if not value.is_finite() or value <= 0:
            raise SpotError(error)
        return value

    def flag(self, name: str) -> bool:
        return self.params.get(name, "").lower() in ("true", "1")

    def pair(self) -> PairSpec:
        pair = self.state.market.pair(self.params.get("pair", "").upper())
        if pair is None:
            raise SpotError("EQuery:Unknown asset pair")
        return pair

    def asset(self) -> str:
        name = self.params.get("asset", "").upper()
        for asset_id, (altname, _, _) in ASSETS.items():
            if name in (asset_id, altname) or (name == "BTC" and altname == "XBT"):
                return asset_id
        raise SpotError("EFunding:Unknown asset" if name else "EGeneral:Invalid arguments")
