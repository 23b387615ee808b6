"""What a second user waits for while a first user's long backtest runs.

Real `manage.py qcluster` processes for the three clusters (default, long, start) with their
default worker counts, a fresh SQLite database (or --database-url), the sandbox venue in this
process. User A starts a 3-month 1-minute backtest on a cold Kraken market (rebuilt from the
exchange's trade history: minutes of work on the long cluster, in turns). Then user B, on a
warm market (its candles already held):
- starts a paper run: seconds from the start to the run running (target: under 5 s);
- submits a 1-month 1-hour backtest: seconds from submitting to its report (target: under
  5 s), or how long it was still queued when the bench gave up (--patience).

    .venv/bin/python bench/queue_wait.py [--patience 120] [--database-url postgres://...]
                                         [--long-workers N]
"""

import argparse
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DAY = 86_400_000
TARGET_S = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patience", type=float, default=120.0)
    parser.add_argument("--database-url", default="")
    # One long worker shows the turns: B's backtest waits for the end of a turn of A's fill.
    parser.add_argument("--long-workers", type=int, default=0, help="Q_LONG_WORKERS")
    options = parser.parse_args()
    sys.path.insert(0, str(PROJECT))

    from bench.site import environment, running_worker
    from exchanges.sandbox import SandboxVenue

    venue = SandboxVenue()
    with tempfile.TemporaryDirectory(prefix="nb-bench-") as tmp, venue:
        env = environment(
            tmp,
            options.database_url,
            EXCHANGE_API_OVERRIDES=f"kraken={venue.url}",
            EXCHANGE_RATE_LIMIT="false",
            **({"Q_LONG_WORKERS": str(options.long_workers)} if options.long_workers else {}),
        )
        with running_worker(env, clusters=("", "long", "start")):
            measure(options.patience)


def measure(patience: float) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import User
    from exchanges.models import Exchange
    from strategies.candles.fetch import candles_fill
    from strategies.models import Backtest, BacktestStatus, CatalogEntry, RunStatus, StrategyRun
    from strategies.services.backtests import backtest_cancel, backtest_start
    from strategies.services.runs import strategy_run_start

    call_command("load_strategies", verbosity=0)
    kraken = Exchange.objects.get(slug="kraken")
    ema = CatalogEntry.objects.get(slug="ema-crossover")
    today = int(time.time() * 1000) // DAY * DAY
    first = User.objects.create_user("first@example.com", "bench-password-1")
    second = User.objects.create_user("second@example.com", "bench-password-2")
    # B's market is warm: its hours held, as a market someone runs on is.
    candles_fill(
        exchange=kraken, symbol="ETH/USD", timeframe="1h", start=today - 40 * DAY, end=today
    )

    long_one = backtest_start(
        owner=first,
        source=ema,
        exchange=kraken,
        symbol="BTC/USD",
        timeframe="1m",
        start_ms=today - 90 * DAY,
        end_ms=today,
        capital=Decimal("10000"),
        fee=0.004,
    )
    while Backtest.objects.get(pk=long_one.pk).status == BacktestStatus.QUEUED:
        time.sleep(0.1)
    print("user A: a 3-month 1-minute backtest on a cold Kraken BTC/USD is running")

    pressed = time.monotonic()
    run = strategy_run_start(
        owner=second,
        source=ema,
        exchange=kraken,
        symbol="ETH/USD",
        timeframe="1h",
        capital=Decimal("1000"),
        fee=0.004,
        slippage_bps=5.0,
        max_volume_share=0.1,
    )
    started = waited(
        lambda: StrategyRun.objects.get(pk=run.pk).status != RunStatus.STARTING, patience
    )
    verdict(
        "user B: a paper run on a warm market, start to running",
        started,
        time.monotonic() - pressed,
    )

    submitted = time.monotonic()
    short_one = backtest_start(
        owner=second,
        source=ema,
        exchange=kraken,
        symbol="ETH/USD",
        timeframe="1h",
        start_ms=today - 31 * DAY,
        end_ms=today - DAY,
        capital=Decimal("10000"),
        fee=0.004,
    )
    done = waited(
        lambda: (
            Backtest.objects.get(pk=short_one.pk).status
            in (BacktestStatus.DONE, BacktestStatus.FAILED)
        ),
        patience,
    )
    verdict(
        "user B: a 1-month 1-hour backtest on a warm market, submit to report",
        done,
        time.monotonic() - submitted,
    )
    first_one = Backtest.objects.select_related("fill").get(pk=long_one.pk)
    print(f"user A's backtest meanwhile: {first_one.status}, {first_one.percent} % fetched")
    backtest_cancel(backtest=first_one)
    backtest_cancel(backtest=Backtest.objects.get(pk=short_one.pk))


def waited(done, patience: float) -> bool:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(0.05)
    return False


def verdict(label: str, finished: bool, seconds: float) -> None:
    if not finished:
        print(f"{label}: still waiting after {seconds:.1f} s (MISSED, target {TARGET_S:.0f} s)")
        return
    met = "met" if seconds < TARGET_S else "MISSED"
    print(f"{label}: {seconds:.1f} s ({met}, target {TARGET_S:.0f} s)")


if __name__ == "__main__":
    main()
