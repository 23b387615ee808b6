"""HTTP requests a live tick makes, venue by venue, against the sandbox venue.

For each venue that trades live (Kraken Spot, Kraken Futures, Binance Spot, Binance USDⓈ-M),
a live run of a protected strategy (a stop-loss and a take-profit; a short on the derivatives
venues) on the venue's BTC market, on candles at the venue's price: its preparation (the key's
permissions, the account's holding), the tick that enters and protects the position, then a
quiet tick (nothing to send: the position held, its orders resting). Counted at the venue:
every request it answered, by endpoint. The key's markets and clock offset are cached, as in
production after the first call of the day.

    .venv/bin/python bench/live_requests.py [--database-url postgres://...]
"""

import argparse
import secrets
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
LONG = """
name: protected-long
indicators: {}
entry: {lhs: {bar: close}, op: gt, rhs: {value: 0}}
risk: {stop_loss_pct: 0.05, take_profit_pct: 0.05}
sizing: {kind: fixed_quote, amount: 600}
"""
SHORT = """
name: protected-short
long_only: false
indicators: {}
entry:
  combine: OR
  rules: [{lhs: {bar: close}, op: gt, rhs: {value: 0}, direction: short}]
risk: {stop_loss_pct: 0.05, take_profit_pct: 0.05}
sizing: {kind: fixed_quote, amount: 600}
"""
# slug, symbol, the sandbox pair its price follows, demo key, document, amount step
VENUES = [
    ("kraken", "BTC/USD", "XXBTZUSD", "spot-full", LONG, 1e-8),
    ("kraken-futures", "BTC/USD:USD", "XXBTZUSD", "futures-full", SHORT, 1e-4),
    ("binance", "BTC/USDT", "BTCUSDT", "binance-full", LONG, 1e-5),
    ("binance-usdm", "BTC/USDT:USDT", "BTCUSDT", "binance-full", SHORT, 1e-3),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    options = parser.parse_args()
    sys.path.insert(0, str(PROJECT))

    from bench.site import environment, migrated
    from exchanges.sandbox import SandboxVenue

    venue = SandboxVenue()
    with tempfile.TemporaryDirectory(prefix="nb-bench-") as tmp, venue:
        urls = ",".join(
            f"{ccxt_id}={venue.url}"
            for ccxt_id in ("kraken", "krakenfutures", "binance", "binanceusdm")
        )
        migrated(
            environment(
                tmp,
                options.database_url,
                EXCHANGE_API_OVERRIDES=urls,
                EXCHANGE_RATE_LIMIT="false",
                RUNS_MIN_MARKET_VOLUME="1000",
            )
        )
        counted = count_requests(venue)
        for row in VENUES:
            report(row[0], measure(venue, counted, *row))


def count_requests(venue) -> Counter:
    """Every request the venue answers (its admin endpoints aside), by path."""
    counted: Counter = Counter()
    handle = venue.app.handle

    def counting(request):
        if not request.path.startswith("/_sandbox/"):
            counted[request.path] += 1
        return handle(request)

    venue.app.handle = counting
    return counted


def measure(venue, counted, slug, symbol, pair, label, document, step) -> dict[str, Counter]:
    import django

    django.setup()
    import numpy as np

    from accounts.models import User
    from exchanges.connection_tests import connection_test_run
    from exchanges.credentials import Credentials
    from exchanges.models import Exchange
    from exchanges.services import exchange_key_create
    from strategies.models import RunMode
    from strategies.series import Candles
    from strategies.services import live_ticks
    from strategies.services.run_ticks import run_tick
    from tests.strategies.run_helpers import paper_run, stored

    exchange = Exchange.objects.get(slug=slug)
    owner = User.objects.create_user(f"{slug}@example.com", secrets.token_urlsafe(16))
    demo = venue.key(label)
    key = exchange_key_create(
        user=owner,
        exchange=exchange,
        label=label,
        credentials=Credentials(api_key=demo.key, secret=demo.secret),
    )
    for test in key.tests.all():
        connection_test_run(test_id=test.pk)
    hour = 3_600_000
    price = float(venue.state.market.price(pair, time.time()))
    first = (int(time.time() * 1000) // hour - 4) * hour
    table = np.array([(price, price, price, price, 100.0)] * 4, dtype=np.float64)
    times = np.arange(first, first + 4 * hour, hour, dtype=np.int64)
    candles = Candles("1h", times, *(table[:, i].copy() for i in range(5)))
    stored(candles, symbol=symbol, exchange=exchange)
    run = paper_run(
        owner,
        document,
        candles,
        start=1,
        capital=1000.0,
        symbol=symbol,
        exchange=exchange,
        amount_step=step,
        allows_shorts=document is SHORT,
    )
    run.mode, run.key, run.notional_cap = RunMode.LIVE, key, 1000.0
    run.save()
    steps: dict[str, Counter] = {}
    counted.clear()
    if not live_ticks.live_prepare(run):
        raise SystemExit(f"{slug}: run not prepared: {run.stop_code}")
    steps["preparation"], counted = Counter(counted), counted
    counted.clear()
    run_tick(run_id=run.pk, bar_ms=int(candles.time[1]))
    steps["entry tick"] = Counter(counted)
    counted.clear()
    run_tick(run_id=run.pk, bar_ms=int(candles.time[2]))
    steps["quiet tick"] = Counter(counted)
    run.refresh_from_db()
    if run.status != "running" or not run.held:
        raise SystemExit(f"{slug}: the run did not enter ({run.status} {run.stop_code})")
    return steps


def report(slug: str, steps: dict[str, Counter]) -> None:
    print(f"{slug}:")
    for step, paths in steps.items():
        detail = ", ".join(f"{path} {n}" for path, n in sorted(paths.items()))
        print(f"  {step}: {sum(paths.values())} requests ({detail})")


if __name__ == "__main__":
    main()
