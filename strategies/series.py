"""Candles as arrays, and timeframes: what the pure core (rules, indicators, engine) works on.

No ORM, no network: the candle store (Django side) builds a `Candles` from storage, and the
decision pass, indicators and fill model only ever see these arrays.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

FIELDS = ("open", "high", "low", "close", "volume")

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
# 1970-01-01 was a Thursday: weeks counted from Monday 1970-01-05 start on Mondays (as ccxt's).
MONDAY_OFFSET_MS = 4 * DAY_MS

_TIMEFRAME = re.compile(r"^([1-9][0-9]{0,3})([mhdw])$")
_UNIT_MS = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000}


def timeframe_ms(timeframe: str) -> int:
    """Milliseconds in one bar of "1m", "15m", "4h", "1d", "1w" (ccxt's spelling)."""
    match = _TIMEFRAME.match(timeframe)
    if match is None:
        raise ValueError(f"not a timeframe: {timeframe!r}")
    return int(match.group(1)) * _UNIT_MS[match.group(2)]


def timeframe_of(bar_ms: int) -> str:
    """The ccxt spelling of a bar length: 86_400_000 -> "1d" (the largest unit that divides it)."""
    for unit, unit_ms in sorted(_UNIT_MS.items(), key=lambda item: -item[1]):
        if bar_ms % unit_ms == 0:
            return f"{bar_ms // unit_ms}{unit}"
    raise ValueError(f"not a whole number of minutes: {bar_ms} ms")


def bucket_starts(times: np.ndarray, bar_ms: int) -> np.ndarray:
    """The open of the `bar_ms` bar each time falls in (UTC-aligned; weeks from Monday)."""
    offset = MONDAY_OFFSET_MS if bar_ms % WEEK_MS == 0 else 0
    return (times - offset) // bar_ms * bar_ms + offset


def utc(ms: int) -> datetime:
    """A time in ms since the epoch, as an aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000, UTC)


def utc_text(ms: int) -> str:
    """A time in ms as pages and messages write it: "2024-01-01 00:00" (UTC)."""
    return utc(ms).strftime("%Y-%m-%d %H:%M")


def is_timeframe(timeframe: object) -> bool:
    return isinstance(timeframe, str) and _TIMEFRAME.match(timeframe) is not None


@dataclass(frozen=True, eq=False)
class Candles:
    """Closed bars of one market and timeframe, oldest first.

    `time` is each bar's open in milliseconds UTC (int64); prices and volume are float64.
    Every array has the same length; a bar closes at `time + timeframe_ms(timeframe)`.
    """

    timeframe: str
    time: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __post_init__(self) -> None:
        lengths = {len(getattr(self, name)) for name in ("time", *FIELDS)}
        if len(lengths) != 1:
            raise ValueError("candle arrays differ in length")

    def __len__(self) -> int:
        return len(self.time)

    @property
    def bar_ms(self) -> int:
        return timeframe_ms(self.timeframe)

    def field(self, name: str) -> np.ndarray:
        if name not in FIELDS:
            raise KeyError(name)
        array: np.ndarray = getattr(self, name)
        return array

    def head(self, count: int) -> "Candles":
        """The first `count` bars (the series as it stood when bar count-1 closed)."""
        return Candles(
            self.timeframe,
            *(getattr(self, name)[:count] for name in ("time", *FIELDS)),
        )

    def slice(self, start: int, stop: int) -> "Candles":
        """Bars start to stop-1."""
        return Candles(
            self.timeframe, *(getattr(self, name)[start:stop] for name in ("time", *FIELDS))
        )

    def slice_where(self, mask: np.ndarray) -> "Candles":
        """The bars where `mask` is true."""
        return Candles(self.timeframe, *(getattr(self, name)[mask] for name in ("time", *FIELDS)))

    def retimed(self, timeframe: str) -> "Candles":
        """The same arrays labelled with another timeframe."""
        return Candles(
            timeframe, self.time, self.open, self.high, self.low, self.close, self.volume
        )

    @classmethod
    def from_rows(cls, timeframe: str, rows) -> "Candles":
        """From (time, open, high, low, close, volume) rows, as ccxt's fetch_ohlcv gives them."""
        table = np.asarray(rows, dtype=np.float64).reshape(-1, 6)
        return cls(
            timeframe,
            table[:, 0].astype(np.int64),
            *(np.ascontiguousarray(table[:, column]) for column in range(1, 6)),
        )
