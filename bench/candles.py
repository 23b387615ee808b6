"""Loading one market's 1,000,000 one-minute candles from the candle store (target: well under
a second), on the database DATABASE_URL names (SQLite by default, PostgreSQL when set).

A throwaway test database is created and dropped around the run. Writing is timed too (it
happens once per range; reading happens for every backtest).

    .venv/bin/python bench/candles.py [--candles 1000000] [--runs 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/noonbarbari .venv/bin/python bench/candles.py
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candles", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.db import connection

    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        measure(options.candles, options.runs, connection.vendor)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


def measure(count: int, runs: int, vendor: str) -> None:
    from django.core.management import call_command

    from exchanges.models import Exchange
    from strategies.candles.store import candles_read, candles_write, series_for
    from strategies.series import Candles

    call_command("load_guides", verbosity=0)
    rng = np.random.default_rng(20261130)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0008, count)))
    start = 1_704_067_200_000
    times = start + 60_000 * np.arange(count, dtype=np.int64)
    candles = Candles("1m", times, close, close * 1.001, close * 0.999, close, np.ones(count))
    series = series_for(
        exchange=Exchange.objects.get(slug="kraken"), symbol="BTC/USD", timeframe="1m"
    )

    started = time.perf_counter()
    candles_write(
        series=series, candles=candles, covered=(start, int(times[-1]) + 60_000), source="exchange"
    )
    written = time.perf_counter() - started

    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        loaded = candles_read(series)
        best = min(best, time.perf_counter() - started)
    if len(loaded) != count or loaded.close[-1] != close[-1]:
        raise SystemExit("the store gave back other candles than it was given")
    print(f"{vendor}: {count:,} one-minute candles, {series.chunks.count()} chunk rows")
    print(f"  write once   {written:8.3f} s")
    print(f"  load (best)  {best:8.3f} s   {count / best / 1e6:6.1f} M candles/s   target < 1 s")


if __name__ == "__main__":
    main()
