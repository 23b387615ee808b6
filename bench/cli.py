"""`manage.py backtest` as a user runs it: the CSV reader against pandas' read_csv on the same
file, the command's start-up, and the whole process on one million and on five million
one-minute candles (targets: reading at least as fast as pandas with peak memory within 3x the
arrays, start-up under 0.5 s, the whole process on 1M candles under 1.5 s, a 5M-candle file
read and backtested).

The files are written once into a temporary folder: a seeded random walk, prices to the tenth
as Kraken quotes BTC/USD, volumes to eight decimals, as an exchange's export reads. A second
1M file writes every value as Python's repr does (17 significant digits), twice the bytes, each
value past Clinger's fast path (decoded by the compiled Eisel-Lemire conversion). Each figure
is the best of several runs (a shared machine only ever slows a run down); the reader's peak
memory is what tracemalloc sees allocated while it reads.

    .venv/bin/python bench/cli.py [--candles 1000000] [--scale 5] [--runs 3]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ_TARGET_MEMORY = 3  # peak allocation while reading, in times the candle arrays
START_TARGET, WHOLE_TARGET = 0.5, 1.5  # seconds


def write_csv(path: Path, count: int, exact: bool) -> None:
    import numpy as np

    from bench.signals import random_walk

    walk = random_walk(count)
    volume = walk.volume * 1000
    if exact:  # Python's repr of each float (numpy's own %r would write np.float64(...))
        raw = (walk.open, walk.high, walk.low, walk.close, volume)
        columns = [np.array([repr(value) for value in column.tolist()]) for column in raw]
    else:
        prices = [np.round(column, 1) for column in (walk.open, walk.high, walk.low, walk.close)]
        columns = [np.char.mod("%.1f", column) for column in prices]
        columns.append(np.char.mod("%.8f", volume))
    times = walk.time.astype(np.int64).astype(str)
    with path.open("w") as out:
        out.write("timestamp,open,high,low,close,volume\n")
        for start in range(0, count, 200_000):
            block = [column[start : start + 200_000].tolist() for column in [times, *columns]]
            rows = zip(*block, strict=True)
            out.write("\n".join(",".join(row) for row in rows) + "\n")


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def reading(path: Path, runs: int) -> None:
    """Our reader and pandas' on the same file, and our reader's peak allocation."""
    import pandas as pd

    from strategies.candles_csv import read_candles

    def ours():
        with path.open("rb") as source:
            return read_candles(source, max_bytes=1 << 40)

    ours()  # the compiled parser loaded from numba's cache
    seconds = best_of(runs, ours)
    anchor = best_of(runs, lambda: pd.read_csv(path))
    tracemalloc.start()
    candles = ours()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    arrays = sum(candles.field(name).nbytes for name in ("open", "high", "low", "close", "volume"))
    arrays += candles.time.nbytes
    ratio = peak / arrays
    speed = "ok" if seconds <= anchor else "MISSED"
    memory = "ok" if ratio <= READ_TARGET_MEMORY else "MISSED"
    print(
        f"{path.name}: {len(candles):,} candles, {path.stat().st_size / 1e6:.0f} MB; "
        f"ours {seconds:.3f} s, pandas.read_csv {anchor:.3f} s ({speed}); peak "
        f"{peak / 1e6:.0f} MB for {arrays / 1e6:.0f} MB of arrays, {ratio:.1f}x "
        f"(target <= {READ_TARGET_MEMORY}x) {memory}"
    )


def command(args: list[str], runs: int) -> float:
    """The best wall time of `manage.py backtest ...` as a new process (output discarded)."""

    def once():
        subprocess.run(
            [sys.executable, "manage.py", "backtest", *args],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    once()
    return best_of(runs, once)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candles", type=int, default=1_000_000)
    parser.add_argument("--scale", type=int, default=5, help="0: skip the big file")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "noonbarbari.settings_lean"
    from django.apps import apps

    apps.populate([])  # as manage.py backtest starts: the lean settings, no app

    with tempfile.TemporaryDirectory() as folder:
        plain, exact = Path(folder) / "candles.csv", Path(folder) / "candles-repr.csv"
        write_csv(plain, options.candles, exact=False)
        write_csv(exact, options.candles, exact=True)
        reading(plain, options.runs)
        reading(exact, options.runs)

        started = command(["--help"], options.runs)
        verdict = "ok" if started <= START_TARGET else "MISSED"
        print(
            f"manage.py backtest --help, a new process: {started:.2f} s "
            f"(target < {START_TARGET} s) {verdict}"
        )
        backtest = ["--strategy", "ema-crossover", "--json"]
        whole = command([*backtest, "--candles", str(plain)], options.runs)
        verdict = "ok" if whole <= WHOLE_TARGET else "MISSED"
        print(
            f"manage.py backtest --json on {options.candles:,} candles, a new process: "
            f"{whole:.2f} s (target < {WHOLE_TARGET} s) {verdict}"
        )
        if options.scale > 1:
            big = Path(folder) / "candles-big.csv"
            write_csv(big, options.candles * options.scale, exact=False)
            reading(big, 1)
            seconds = command([*backtest, "--candles", str(big)], 1)
            print(
                f"manage.py backtest --json on {options.candles * options.scale:,} candles "
                f"({big.stat().st_size / 1e6:.0f} MB): {seconds:.2f} s"
            )


if __name__ == "__main__":
    main()
