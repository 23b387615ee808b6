"""Per-exchange tables: which raw error code means what, and where the guide explains it.

Each module defines RULES, a list of Rule, checked in order: put the most specific first
(Kraken's "EGeneral:Permission denied:expired" before "EGeneral:Permission denied").
"""

from dataclasses import dataclass
from importlib import import_module

from exchanges.diagnosis.verdicts import Verdict


@dataclass(frozen=True)
class Rule:
    """`code` matches a raw code exactly, or as the start of one when `prefix` is set."""

    code: str
    verdict: Verdict
    anchor: str = ""
    checklist: tuple[Verdict, ...] = ()
    prefix: bool = False

    def matches(self, raw: str) -> bool:
        return raw.startswith(self.code) if self.prefix else raw == self.code


MODULES = {
    "kraken": "kraken",
    "krakenfutures": "krakenfutures",
    "binance": "binance",
    "coinbase": "coinbase",
    "bybit": "bybit",
    "okx": "okx",
    "kucoin": "kucoin",
    "bitget": "bitget",
    "gate": "gate",
    "bitfinex": "bitfinex",
}


def rules_for(ccxt_id: str) -> list[Rule]:
    module = MODULES.get(ccxt_id)
    if module is None:
        return []
    try:
        return list(import_module(f"{__name__}.{module}").RULES)
    except ModuleNotFoundError:
        return []
