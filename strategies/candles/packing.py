"""Bars packed as bytes for a chunk row: n int64 times, then n float64 per price/volume field."""

import numpy as np

from strategies.series import FIELDS, Candles

# 16,384 one-minute bars is about eleven days: a million one-minute candles are 62 rows.
CHUNK_BARS = 16_384


def chunk_span_ms(bar_ms: int) -> int:
    return bar_ms * CHUNK_BARS


def pack(candles: Candles) -> bytes:
    columns = [candles.time.astype("<i8", copy=False)]
    columns += [candles.field(name).astype("<f8", copy=False) for name in FIELDS]
    return b"".join(column.tobytes() for column in columns)


def unpack(data: bytes | memoryview, count: int) -> list[np.ndarray]:
    """[time, open, high, low, close, volume], read-only views of `data`."""
    buffer = data  # numpy reads a memoryview (PostgreSQL's bytea) as it is, without a copy
    arrays = [np.frombuffer(buffer, dtype="<i8", count=count)]
    for index in range(1, 6):
        arrays.append(np.frombuffer(buffer, dtype="<f8", count=count, offset=8 * count * index))
    return arrays


def join(timeframe: str, parts: list[list[np.ndarray]]) -> Candles:
    """One Candles from chunks' unpacked columns, oldest first (contiguous, writable copies)."""
    if not parts:
        return Candles(timeframe, np.empty(0, np.int64), *(np.empty(0) for _ in FIELDS))
    columns = [np.concatenate([part[index] for part in parts]) for index in range(6)]
    return Candles(timeframe, *columns)


def merge(old: Candles, new: Candles) -> Candles:
    """The union of two sets of bars of one timeframe; a bar in both takes `new`'s values."""
    keep = ~np.isin(old.time, new.time)
    time = np.concatenate([old.time[keep], new.time])
    order = np.argsort(time, kind="stable")
    columns = [np.concatenate([old.field(name)[keep], new.field(name)])[order] for name in FIELDS]
    return Candles(old.timeframe, time[order], *columns)
