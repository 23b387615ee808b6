"""Writes to the candle store that users make: importing their own candles from a CSV file."""

from io import BufferedIOBase

from django.db import transaction

from accounts.models import User
from strategies.candles.store import candles_write
from strategies.candles_csv import read_candles
from strategies.models import CandleSeries, CandleSource


@transaction.atomic
def candles_import(
    *, owner: User, symbol: str, source: bytes | BufferedIOBase, timeframe: str | None = None
) -> CandleSeries:
    """The user's own series for `symbol`, holding the file's bars (a bar already held is
    replaced). Raises CandleFileError, every problem with its line, before writing anything."""
    candles = read_candles(source, timeframe=timeframe)
    series, _created = CandleSeries.objects.get_or_create(
        owner=owner, exchange=None, symbol=symbol, timeframe=candles.timeframe
    )
    end = int(candles.time[-1]) + candles.bar_ms
    candles_write(
        series=series,
        candles=candles,
        covered=(int(candles.time[0]), end),
        source=CandleSource.UPLOAD,
    )
    return series
