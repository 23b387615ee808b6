"""Writes to the candle store that users make: their own candles, read from a CSV file.

`candles_import` reads and stores in one go (manage.py import_candles); the site's imports go
through strategies.services.candle_imports, whose worker calls `candles_store`.
"""

from io import BufferedIOBase

from django.db import transaction

from accounts.models import User
from strategies.candles.store import candles_write
from strategies.candles_csv import read_candles
from strategies.models import CandleSeries, CandleSource
from strategies.series import Candles


@transaction.atomic
def candles_import(
    *, owner: User, symbol: str, source: bytes | BufferedIOBase, timeframe: str | None = None
) -> CandleSeries:
    """The user's own series for `symbol`, holding the file's bars (a bar already held is
    replaced). Raises CandleFileError, every problem with its line, before writing anything."""
    candles = read_candles(source, timeframe=timeframe)
    return candles_store(owner=owner, symbol=symbol, candles=candles)


@transaction.atomic
def candles_store(*, owner: User, symbol: str, candles: Candles) -> CandleSeries:
    """Write checked candles into the user's own series for `symbol` (created if needed); the
    range from the first bar to the end of the last is held, a bar missing inside it a gap."""
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
