"""Reading a Binance Spot request's parameters, as every Spot module does: the symbol, numbers,
enums, time ranges and limits, each refused with the code Binance's errors.md gives for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from exchanges.sandbox.binance_common import BinanceError, Filters, mandatory
from exchanges.sandbox.binance_routes import Call, integer_param
from exchanges.sandbox.market import PairSpec
from exchanges.sandbox.state import fmt

# The legal range Binance quotes (-1100) for a DECIMAL parameter.
DECIMAL_RANGE = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
DAY_MS = 86_400_000
T = TypeVar("T")


def filters(pair: PairSpec) -> Filters:
    return Filters(
        tick_size=pair.tick,
        step_size=Decimal(1).scaleb(-pair.lot_decimals),
        min_qty=Decimal(pair.ordermin),
        min_notional=Decimal(pair.costmin),
    )


def symbol(call: Call, name: str = "symbol") -> PairSpec:
    raw = call.params.get(name)
    if not raw:
        raise mandatory(name)
    pair = call.state.market.pair(raw.upper(), "binance")
    if pair is None:
        raise BinanceError(-1121, "Invalid symbol.")
    return pair


def symbols(call: Call) -> list[PairSpec] | None:
    """The `symbols` parameter (a JSON array of names), or None when it was not sent."""
    raw = call.params.get("symbols")
    if raw is None:
        return None
    try:
        names = json.loads(raw)
    except ValueError:
        names = None
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise BinanceError(-1100, "Illegal characters found in parameter 'symbols'.")
    if len(set(names)) != len(names):
        raise BinanceError(-1151, "Symbol is present multiple times in the list.")
    pairs = [call.state.market.pair(name.upper(), "binance") for name in names]
    if any(pair is None for pair in pairs):
        raise BinanceError(-1121, "Invalid symbol.")
    return [pair for pair in pairs if pair is not None]


def decimal(call: Call, name: str) -> Decimal | None:
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    if not re.match(DECIMAL_RANGE, raw):
        raise BinanceError(
            -1100,
            f"Illegal characters found in parameter '{name}'; legal range is '{DECIMAL_RANGE}'.",
        )
    return Decimal(raw)


def required_decimal(call: Call, name: str) -> Decimal:
    value = decimal(call, name)
    if value is None:
        raise mandatory(name)
    return value


def limit(call: Call, default: int = 500, maximum: int = 1000) -> int:
    """`limit`: Binance's usual default 500 and maximum 1000."""
    value = integer_param(call, "limit", default)
    if value is None or not 1 <= value <= maximum:
        raise BinanceError(-1100, "Illegal characters found in parameter 'limit'.")
    return value


def time_range(call: Call, span_ms: int = DAY_MS) -> tuple[int | None, int | None]:
    """`startTime` and `endTime`, at most `span_ms` apart (Binance: 24 hours for orders and
    trades, -1127 beyond)."""
    start, end = integer_param(call, "startTime"), integer_param(call, "endTime")
    if start is not None and end is not None:
        if end < start:
            raise BinanceError(-1128, "Combination of optional parameters invalid.")
        if end - start > span_ms:
            raise BinanceError(
                -1127, f"More than {span_ms // 3_600_000} hours between startTime and endTime."
            )
    return start, end


def window(
    items: list[T], time_of: Callable[[T], int], start: int | None, end: int | None, count: int
) -> list[T]:
    """Binance's rule for a time-ordered list: with `start`, the oldest from it (never past
    `end`); otherwise the most recent up to `end` (or now)."""
    chosen = [
        item
        for item in items
        if (start is None or time_of(item) >= start) and (end is None or time_of(item) <= end)
    ]
    return chosen[:count] if start is not None else chosen[-count:]


def money(value: Decimal | None) -> str:
    """An amount as Binance writes it: a string with 8 decimal places ("0.00000000", never
    "0E-8", which is how str() writes a zero with 8 places)."""
    return format(Decimal(fmt(value, 8)), "f")
