"""Paper runs on 1-hour bars over 100 markets, ticked by a real qcluster with two workers.

Prints the time from the fan-out (the schedule's task, which django-q2 starts up to ~30 s after
the bar's close: its scheduler looks at schedules every 30 s) until every run has recorded the
bar, ticks per second, the cluster's CPU time per tick (every process of the cluster: its
workers, and its pusher, monitor and sentinel), and the sandbox venue's candle requests for
that bar. Targets: all done within 60 s of the close, one candle request per market per bar,
under 10 worker-milliseconds a tick.

Everything is real but the exchange: the sandbox venue (in this process, with 20 synthetic
markets) answers ccxt; the database and broker are the site's defaults (a throwaway SQLite file
and the ORM broker) unless DATABASE_URL / Q_REDIS_URL say otherwise (then that database is
migrated and written to: give it a throwaway one).

    .venv/bin/python bench/runs.py [--runs 1000] [--markets 100] [--workers 2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nb_bench Q_REDIS_URL=redis://127.0.0.1:6379/7 \
        .venv/bin/python bench/runs.py
"""

import argparse
import base64
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOUR_MS = 3_600_000
DOCUMENT = "ema-crossover"
CANDLE_REQUESTS: list[str] = []  # the venue's candle endpoint, each time it is asked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--markets", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as scratch:
        venue = start_venue(options.markets)
        try:
            environment(Path(scratch), venue.url, options.workers)
            measure(options, venue)
        finally:
            venue.stop()


def start_venue(markets: int):
    """The sandbox venue with `markets` synthetic USD pairs (its three plus made-up coins)."""
    from exchanges.sandbox import SandboxVenue, spot_private
    from exchanges.sandbox.market import PAIRS, Market, PairSpec

    pairs = list(PAIRS)
    for number in range(markets - len(pairs)):
        coin = f"C{number:02d}"
        spot_private.ASSETS[f"X{coin}"] = (coin, 10, 5)
        spec = (f"X{coin}ZUSD", f"{coin}USD", f"{coin}/USD", f"X{coin}", "ZUSD")
        pairs.append(PairSpec(*spec, 10.0 + number, 3, 8, 5, "0.1", "0.5", 0.05, 400.0))
    venue = SandboxVenue()
    venue.state.market = Market(venue.state.market.seed, tuple(pairs[:markets]))
    handle = venue.app.handle

    def counted(request):
        if "OHLC" in request.path:
            CANDLE_REQUESTS.append(request.path)
        return handle(request)

    setattr(venue.app, "handle", counted)  # noqa: B010 (mypy refuses assigning to a method)
    return venue.start()


def environment(scratch: Path, venue_url: str, workers: int) -> None:
    """Settings for this process and the cluster it starts (development secrets, made now)."""
    defaults = {
        "DJANGO_SETTINGS_MODULE": "noonbarbari.settings",
        "DEBUG": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": "b1=" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "FIELD_ENCRYPTION_ACTIVE_KEY": "b1",
        "DATABASE_URL": f"sqlite:///{scratch / 'bench.sqlite3'}",
        "CACHE_URL": f"filecache://{scratch / 'cache'}",
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    os.environ["EXCHANGE_API_OVERRIDES"] = f"kraken={venue_url}"
    os.environ["EXCHANGE_RATE_LIMIT"] = "false"
    os.environ["Q_WORKERS"] = str(workers)


def measure(options, venue) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_guides", verbosity=0)
    call_command("load_strategies", verbosity=0)
    closed = int(time.time() * 1000) // HOUR_MS * HOUR_MS - HOUR_MS
    symbols = market_symbols()
    create_runs(options.runs, symbols, closed)
    requests_before = len(CANDLE_REQUESTS)
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(5)  # the cluster's workers start
        cpu_before = cluster_cpu_seconds(cluster.pid)
        elapsed = tick_once(options.runs, closed)
        cpu = cluster_cpu_seconds(cluster.pid) - cpu_before
    finally:
        os.killpg(cluster.pid, signal.SIGKILL)  # the figures are taken: no need to drain it
        cluster.wait(60)
    requests = len(CANDLE_REQUESTS) - requests_before
    print(f"runs: {options.runs} on {len(symbols)} markets (1h bars), {options.workers} workers")
    print(f"database: {django.db.connection.vendor}, broker: {broker_name()}")
    print(f"fan-out to every tick recorded: {elapsed:.1f} s")
    print(f"ticks per second: {options.runs / elapsed:.1f}")
    print(f"cluster CPU per tick: {1000 * cpu / options.runs:.2f} ms (target: under 10)")
    print(f"candle requests for the bar: {requests} ({requests / len(symbols):.2f} per market)")
    print("add up to ~30 s between the bar's close and the fan-out (django-q2's scheduler)")


def cluster_cpu_seconds(session: int) -> float:
    """User and system CPU time of every live process of the cluster's session (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[3]) == session:  # the session id (fields after the name, from state)
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def market_symbols() -> list[str]:
    """The venue's markets as ccxt spells them (XBT/USD is BTC/USD)."""
    from exchanges import clients

    client = clients.build("kraken")
    clients.ensure_markets(client)
    return sorted(client.symbols)


def broker_name() -> str:
    from django.conf import settings

    return "redis" if "redis" in settings.Q_CLUSTER else "orm"


def create_runs(count: int, symbols: list[str], closed: int) -> None:
    """Runs whose first bar just closed, their history held but not that bar: as they are
    one hour after they were started, when the bar closes."""
    from accounts.models import User
    from exchanges.models import Exchange
    from strategies import rules
    from strategies.candles.fetch import candles_fill
    from strategies.engine import history_bars
    from strategies.models import CatalogEntry, RunMode, RunStatus, StrategyRun

    exchange = Exchange.objects.get(slug="kraken")
    entry = CatalogEntry.objects.get(slug=DOCUMENT)
    document = rules.parse(entry.document)
    history = closed - history_bars(document, "1h") * HOUR_MS
    for symbol in symbols:
        report = candles_fill(
            exchange=exchange, symbol=symbol, timeframe="1h", start=history, end=closed
        )
        if not report.series.coverage:
            raise SystemExit(f"the venue gave no candles of {symbol}")
    owner = User.objects.create_user(email="bench@example.com", password=secrets.token_hex(8))
    StrategyRun.objects.bulk_create(
        StrategyRun(
            owner=owner,
            catalog_entry=entry,
            strategy_name=entry.slug,
            document=entry.document,
            exchange=exchange,
            symbol=symbols[number % len(symbols)],
            timeframe="1h",
            mode=RunMode.PAPER,
            capital=10_000,
            fee=0.004,
            slippage_bps=5,
            max_volume_share=0.1,
            tie="stop_first",
            amount_step=1e-8,
            status=RunStatus.RUNNING,
            start_ms=closed,
            history_ms=history,
            equity=10_000,
        )
        for number in range(count)
    )


def tick_once(count: int, closed: int) -> float:
    from strategies.models import StrategyRun
    from strategies.services.run_ticks import runs_fan_out

    started = time.perf_counter()
    runs_fan_out()
    while StrategyRun.objects.filter(last_bar_ms=closed).count() < count:
        if time.perf_counter() - started > 600:
            raise SystemExit("the ticks did not finish in 10 minutes")
        time.sleep(0.2)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
