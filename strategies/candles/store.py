"""Reading and writing the candle store: a series' closed bars over a time range."""

from django.db import transaction

from strategies.candles import packing
from strategies.candles.ranges import Range, merged
from strategies.models import CandleChunk, CandleSeries
from strategies.series import Candles, timeframe_ms


def candles_read(
    series: CandleSeries, *, start: int | None = None, end: int | None = None
) -> Candles:
    """The series' bars whose open is in [start, end) (all of them by default): one query."""
    span = packing.chunk_span_ms(timeframe_ms(series.timeframe))
    chunks = CandleChunk.objects.filter(series=series).order_by("start")
    if start is not None:
        chunks = chunks.filter(start__gt=start - span)
    if end is not None:
        chunks = chunks.filter(start__lt=end)
    parts = [packing.unpack(data, count) for data, count in chunks.values_list("data", "count")]
    candles = packing.join(series.timeframe, parts)
    if start is None and end is None:
        return candles
    low = 0 if start is None else int(candles.time.searchsorted(start, "left"))
    high = len(candles) if end is None else int(candles.time.searchsorted(end, "left"))
    return candles.slice(low, high)


@transaction.atomic
def candles_write(*, series: CandleSeries, candles: Candles, covered: Range, source: str) -> None:
    """Store closed bars and record [start, end) as held: a bar missing inside it is a gap."""
    if candles.timeframe != series.timeframe:
        raise ValueError(f"{candles.timeframe} candles for a {series.timeframe} series")
    locked = CandleSeries.objects.select_for_update().get(pk=series.pk)
    span = packing.chunk_span_ms(timeframe_ms(series.timeframe))
    starts = candles.time // span * span
    for chunk_start in sorted(set(starts.tolist())):
        _write_chunk(locked, chunk_start, candles.slice_where(starts == chunk_start))
    locked.coverage = [list(r) for r in merged([*map(tuple, locked.coverage), covered])]
    locked.provenance = _provenance_with(locked.provenance, covered, source)
    locked.save(update_fields=["coverage", "provenance", "updated_at"])
    series.coverage, series.provenance = locked.coverage, locked.provenance


def _provenance_with(provenance: list, covered: Range, source: str) -> list:
    """The ranges' sources with [start, end) added: a page that continues the last range from
    the same source extends it (a backfill writes hundreds of pages, one source)."""
    if provenance:
        start, end, last_source = provenance[-1]
        if last_source == source and start <= covered[0] <= end:
            return [*provenance[:-1], [start, max(end, covered[1]), source]]
    return [*provenance, [covered[0], covered[1], source]]


def _write_chunk(series: CandleSeries, chunk_start: int, candles: Candles) -> None:
    # The series row is locked by the caller: the chunk read here is the one to replace.
    chunk = CandleChunk.objects.filter(series=series, start=chunk_start).first()
    if chunk is None:
        CandleChunk.objects.create(
            series=series, start=chunk_start, count=len(candles), data=packing.pack(candles)
        )
        return
    stored = packing.join(series.timeframe, [packing.unpack(chunk.data, chunk.count)])
    merged_bars = packing.merge(stored, candles)
    chunk.count, chunk.data = len(merged_bars), packing.pack(merged_bars)
    chunk.save(update_fields=["count", "data"])


def series_for(*, exchange, symbol: str, timeframe: str) -> CandleSeries:
    """The shared series of a market, created empty the first time anyone needs it."""
    series, _created = CandleSeries.objects.get_or_create(
        exchange=exchange, owner=None, symbol=symbol, timeframe=timeframe
    )
    return series
