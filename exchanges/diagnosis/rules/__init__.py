"""Per-exchange tables: which raw error code means what, and where the guide explains it.

Each module defines RULES, a list of Rule, checked in order: put the most specific first
(Kraken's "EGeneral:Permission denied:expired" before "EGeneral:Permission denied"), and
IP_ANCHOR, the guide's troubleshooting entry about IP addresses, which every IP verdict uses.
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


# One module of RULES per exchange, named by its ccxt id.
EXCHANGES = frozenset(
    {
        "kraken",
        "krakenfutures",
        "binance",
        "binanceusdm",
        "coinbase",
        "bybit",
        "okx",
        "kucoin",
        "bitget",
        "gate",
        "bitfinex",
    }
)


def rules_for(ccxt_id: str) -> list[Rule]:
    if ccxt_id not in EXCHANGES:
        return []
    return list(import_module(f"{__name__}.{ccxt_id}").RULES)


def ip_anchor(ccxt_id: str) -> str:
    """The exchange's guide entry about IP addresses (its IP_ANCHOR); "" when none."""
    if ccxt_id not in EXCHANGES:
        return ""
    return str(getattr(import_module(f"{__name__}.{ccxt_id}"), "IP_ANCHOR", ""))
