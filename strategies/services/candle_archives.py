"""The archives exchanges publish, merged into the shared candle store (manage.py
import_candle_archive): staff seed years of history that would otherwise be rebuilt from
trades.

candle_archive_merge(*, exchange, symbol, candles) -> ArchiveMerged
        the bars of the ranges the store does not hold yet (what it holds stays as it is: a
        bar is never held twice); a stretch of more than MAX_HOLE without a bar is not
        claimed as held (an archive missing a month must not make it a month of no trades)
"""

from dataclasses import dataclass

import numpy as np
from django.db import transaction

from exchanges.models import Exchange
from strategies.candles.ranges import Range, merged, missing
from strategies.candles.store import candles_write, series_for
from strategies.models import CandleSeries, CandleSource
from strategies.series import Candles

MAX_HOLE_MS = 86_400_000  # a day without a single trade on a listed market: a hole, not calm


@dataclass(frozen=True)
class ArchiveMerged:
    series: CandleSeries
    added: list[Range]  # the ranges newly held
    bars: int  # bars written
    already_held: int  # bars of the archive in ranges held before, left as they were


@transaction.atomic
def candle_archive_merge(*, exchange: Exchange, symbol: str, candles: Candles) -> ArchiveMerged:
    series = series_for(exchange=exchange, symbol=symbol, timeframe=candles.timeframe)
    added, written = [], 0
    for start, end in _stretches(candles):
        for gap in missing(series.coverage, start, end):
            inside = (candles.time >= gap[0]) & (candles.time < gap[1])
            candles_write(
                series=series,
                candles=candles.slice_where(inside),
                covered=gap,
                source=CandleSource.ARCHIVE,
            )
            added.append(gap)
            written += int(np.count_nonzero(inside))
    return ArchiveMerged(series, merged(added), written, len(candles) - written)


def _stretches(candles: Candles) -> list[Range]:
    """The archive's ranges: from a bar to the end of the last one before a hole."""
    if not len(candles):
        return []
    holes = np.flatnonzero(np.diff(candles.time) > MAX_HOLE_MS)
    firsts = np.r_[0, holes + 1]
    lasts = np.r_[holes, len(candles) - 1]
    return [
        (int(candles.time[a]), int(candles.time[b]) + candles.bar_ms)
        for a, b in zip(firsts, lasts, strict=True)
    ]
