"""The report pages under load: a 1-year 1-hour backtest's report, its chart data, and a paper
run's page with 600 bars, served by gunicorn with two workers to 20 clients at once.

Prints, for each page, the bytes on the wire (gzip accepted, as browsers do) and uncompressed,
p50 and p95 latency and requests per second. Targets: the report under 100 KB on the wire with
p95 under 300 ms, the run page's p95 under 200 ms.

The data is real but synthetic: a seeded random walk stored as Kraken BTC/USD 1-hour candles for
the year before today, ema-crossover backtested over it by the site's own services (as a long
worker would), and a paper run of it ticked by the site's own tick over the last 600 bars. The
site runs on production settings and a fresh SQLite database (or --database-url: give it a
throwaway one).

    .venv/bin/python bench/pages.py [--clients 20] [--requests 400] [--database-url URL]
"""

import argparse
import gzip
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8531
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
RUN_BARS = 600
TARGETS = {"report": (100_000, 0.300), "run": (None, 0.200)}  # (bytes on the wire, p95 s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="per page")
    parser.add_argument("--database-url", default="")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.site import environment, migrated
    from exchanges.sandbox import SandboxVenue

    venue = SandboxVenue()  # the markets the services check, in this process
    with tempfile.TemporaryDirectory() as scratch, venue:
        env = environment(
            scratch,
            options.database_url,
            EXCHANGE_API_OVERRIDES=f"kraken={venue.url}",
            EXCHANGE_RATE_LIMIT="false",
            STATIC_ROOT=f"{scratch}/static",
        )
        migrated(env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("load_strategies", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        cookie, pages = site_data()
        with gunicorn(env):
            for name, path in pages.items():
                measure(name, path, cookie, options.clients, options.requests)


def site_data() -> tuple[str, dict[str, str]]:
    """A user with a finished backtest and a paper run; their session cookie and pages."""
    from decimal import Decimal

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from bench.signals import random_walk
    from exchanges.models import Exchange
    from strategies.candles.store import candles_write, series_for
    from strategies.models import CatalogEntry
    from strategies.services.backtests import backtest_run, backtest_start

    user = get_user_model().objects.create_user("pages@example.com", "a long bench password")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    kraken = Exchange.objects.get(slug="kraken")
    end = int(time.time() * 1000) // DAY_MS * DAY_MS
    walk = hourly(random_walk(375 * 24), end - 375 * DAY_MS)  # and warm-up before the year
    series = series_for(exchange=kraken, symbol="BTC/USD", timeframe="1h")
    covered = (int(walk.time[0]), end)
    candles_write(series=series, candles=walk, covered=covered, source="exchange")
    entry = CatalogEntry.objects.get(slug="ema-crossover")
    backtest = backtest_start(
        owner=user,
        source=entry,
        exchange=kraken,
        symbol="BTC/USD",
        timeframe="1h",
        start_ms=end - 365 * DAY_MS,
        end_ms=end,
        capital=Decimal("10000"),
        fee=0.001,
    )
    backtest_run(backtest_id=backtest.pk)
    backtest.refresh_from_db()
    print(f"backtest {backtest.pk}: {backtest.status}, {len(backtest.trades)} trades")
    run = paper_run(user, entry, kraken, walk, end)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    pages = {
        "report": backtest.get_absolute_url(),
        "chart data": f"{backtest.get_absolute_url()}chart/",
        "run": run.get_absolute_url(),
    }
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}", pages


def hourly(walk, start: int):
    """The walk's bars as 1-hour candles from `start`, volumes those of a liquid market."""
    import numpy as np

    from strategies.series import Candles

    times = start + HOUR_MS * np.arange(len(walk), dtype=np.int64)
    open_, high, low, close = (
        price * 400 for price in (walk.open, walk.high, walk.low, walk.close)
    )
    return Candles("1h", times, open_, high, low, close, walk.volume * 1000)


def paper_run(user, entry, exchange, walk, end: int):
    """A paper run of `entry` whose last RUN_BARS bars were ticked by the site's tick."""
    from strategies import rules
    from strategies.engine.history import history_bars
    from strategies.models import RunMode, RunStatus, StrategyRun
    from strategies.services.run_ticks import run_ticks

    document = entry.document
    parsed = rules.parse(document, base_timeframe="1h")
    start = end - RUN_BARS * HOUR_MS
    run = StrategyRun.objects.create(
        owner=user,
        strategy_name=parsed.name,
        document=document,
        exchange=exchange,
        symbol="BTC/USD",
        timeframe="1h",
        mode=RunMode.PAPER,
        capital=10_000,
        fee=0.001,
        slippage_bps=5,
        max_volume_share=0.1,
        tie="stop_first",
        amount_step=1e-8,
        status=RunStatus.RUNNING,
        start_ms=start,
        history_ms=start - history_bars(parsed, "1h") * HOUR_MS,
        equity=10_000,
    )
    run_ticks(run_ids=[run.pk], bar_ms=end - HOUR_MS)
    run.refresh_from_db()
    print(f"run {run.pk}: {run.status}, ticked through {run.last_bar_ms}")
    return run


class gunicorn:
    """`gunicorn noonbarbari.wsgi` with two workers on PORT, for the `with` block."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __enter__(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "noonbarbari.wsgi", "--workers", "2"]
        command += ["--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **self.env})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def fetch(path: str, cookie: str, encoding: str = "gzip") -> tuple[int, bytes, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    headers = {"Cookie": cookie, "Accept-Encoding": encoding, "Host": "127.0.0.1"}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status}")
    return response.status, body, elapsed


def measure(name: str, path: str, cookie: str, clients: int, requests: int) -> None:
    try:
        _status, wire, _elapsed = fetch(path, cookie)
    except RuntimeError as missing:
        print(f"{name:<11} {missing}")
        return
    _status, plain, _elapsed = fetch(path, cookie, encoding="identity")
    if wire[:2] == b"\x1f\x8b" and not gzip.decompress(wire):
        raise RuntimeError(f"{path}: an empty gzip body")
    times: list[float] = []
    lock = threading.Lock()
    per_client = max(1, requests // clients)

    def client() -> None:
        for _ in range(per_client):
            elapsed = fetch(path, cookie)[2]
            with lock:
                times.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    size_target, p95_target = TARGETS.get(name, (None, None))
    verdicts = []
    if size_target is not None:
        verdicts.append(f"size {'ok' if len(wire) <= size_target else 'MISSED'}")
    if p95_target is not None:
        verdicts.append(f"p95 {'ok' if p95 <= p95_target else 'MISSED'}")
    print(
        f"{name:<11} {len(wire) / 1000:7.1f} KB on the wire ({len(plain) / 1000:.1f} KB "
        f"uncompressed); p50 {statistics.median(times) * 1000:5.0f} ms, p95 {p95 * 1000:5.0f} "
        f"ms, {len(times) / wall:5.1f} req/s ({clients} clients) {' '.join(verdicts)}"
    )


if __name__ == "__main__":
    main()
