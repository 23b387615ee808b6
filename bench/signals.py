"""The decision pass on one million one-minute candles held in memory: candles per second and
peak memory, for ema-crossover and multi-trend-confluence (targets: 20 M/s and 5 M/s).

The candles are a seeded geometric random walk; the documents are the catalog's own files.
Each figure is the best of several runs (a shared machine only ever slows a run down); peak
memory is what tracemalloc sees numpy allocate during one pass, candles excluded.

    .venv/bin/python bench/signals.py [--candles 1000000] [--runs 5]
"""

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
STRATEGIES = {"ema-crossover": 20e6, "multi-trend-confluence": 5e6}


def random_walk(count: int):
    from strategies.series import Candles

    rng = np.random.default_rng(20261130)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0008, count)))
    open_ = np.concatenate(([100.0], close[:-1]))
    high = np.maximum(open_, close) * (1.0 + np.abs(rng.normal(0.0, 0.0003, count)))
    low = np.minimum(open_, close) * (1.0 - np.abs(rng.normal(0.0, 0.0003, count)))
    volume = np.exp(rng.normal(3.0, 1.0, count))
    start = 1_704_067_200_000  # Monday 2024-01-01 00:00 UTC
    time_ms = start + 60_000 * np.arange(count, dtype=np.int64)
    return Candles("1m", time_ms, open_, high, low, close, volume)


def measure(slug: str, candles, runs: int) -> tuple[float, float, int]:
    from strategies.engine import decide
    from strategies.rules import parse

    document = parse((ROOT / "strategies" / "content" / slug / "strategy.yaml").read_text())
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        signals = decide(document, candles)
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    decide(document, candles)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak, int(signals.enter_long.sum() + signals.enter_short.sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candles", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()

    # The pure core needs Django only to translate; settings make the lazy strings importable.
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()

    candles = random_walk(options.candles)
    held_mb = candles.close.nbytes * 6 / 1e6
    print(f"{options.candles:,} one-minute candles in memory ({held_mb:.0f} MB)")
    header = ("strategy", "seconds", "candles/s", "target", "peak MB", "entries")
    print("{:<24} {:>8} {:>14} {:>10} {:>8} {:>8}".format(*header))
    for slug, target in STRATEGIES.items():
        seconds, peak, entries = measure(slug, candles, options.runs)
        rate = options.candles / seconds
        verdict = "ok" if rate >= target else "MISSED"
        print(
            f"{slug:<24} {seconds:8.4f} {rate / 1e6:12.1f} M {target / 1e6:7.0f} M {verdict:<3}"
            f"{peak / 1e6:6.1f} {entries:8d}"
        )


if __name__ == "__main__":
    main()
