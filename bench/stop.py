"""Time from pressing Stop on a live run to the sandbox venue showing none of its orders open.

A fresh SQLite database (or --database-url), a real `manage.py qcluster` process with
production settings and a mail server that refuses every connection (EMAIL_URL to a closed
port: what the default configuration meets with no mail server), the sandbox venue on loopback
in this process. Each round: a live run buys at the venue's price and rests its stop-loss there
(ticked in this process), then its owner presses Stop (the page's POST, through Django's test
client) and the clock runs until the venue's open orders hold none of the run's. Rounds
alternate between a venue that answers and one that refuses the first cancel with Kraken's
"EService:Unavailable". Prints the POST's answer time and the stop-to-nothing-resting time.

    .venv/bin/python bench/stop.py [--rounds 5] [--database-url postgres://...]
    (Q_REDIS_URL=redis://... in the environment: the Redis broker)
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default="")
    options = parser.parse_args()
    sys.path.insert(0, str(PROJECT))

    from bench.site import environment, running_worker
    from exchanges.sandbox import SandboxVenue

    venue = SandboxVenue()
    with tempfile.TemporaryDirectory(prefix="nb-bench-") as tmp, venue:
        env = environment(
            tmp,
            options.database_url,
            ALLOWED_HOSTS="testserver,127.0.0.1",
            EXCHANGE_API_OVERRIDES=f"kraken={venue.url}",
            EXCHANGE_RATE_LIMIT="false",
            RUNS_MIN_MARKET_VOLUME="1000",
            EMAIL_URL="smtp://127.0.0.1:1",
            EMAIL_TIMEOUT="2",
        )
        with running_worker(env):
            figures = measure(venue, options.rounds)

    print("worker: 1 qcluster, 2 workers; mail server refusing every connection")
    broker = "Redis (Q_REDIS_URL)" if os.environ.get("Q_REDIS_URL") else "the ORM broker"
    print(f"database: {'given' if options.database_url else 'SQLite'}; broker: {broker}")
    for label, rounds in figures.items():
        answers = [answer * 1000 for answer, _ in rounds]
        cleared = [clear for _, clear in rounds]
        print(
            f"{label}: {len(rounds)} stops; POST answered p50 {statistics.median(answers):.0f} ms"
            f" (max {max(answers):.0f} ms); nothing resting after p50 "
            f"{statistics.median(cleared):.2f} s (max {max(cleared):.2f} s)"
        )


def measure(venue, rounds: int) -> dict[str, list[tuple[float, float]]]:
    import django

    django.setup()
    import numpy as np
    from django.test import Client

    from accounts.models import User
    from exchanges.connection_tests import connection_test_run
    from exchanges.credentials import Credentials
    from exchanges.models import Exchange
    from exchanges.sandbox import Fault
    from exchanges.services import exchange_key_create
    from strategies.models import RunMode
    from strategies.series import Candles
    from strategies.services import live_ticks
    from strategies.services.run_ticks import run_tick
    from tests.strategies.run_helpers import paper_run, stored
    from tests.strategies.test_runs_stop import PROTECTED

    owner = User.objects.create_user("bench@example.com", secrets.token_urlsafe(16))
    demo = venue.key("spot-full")
    key = exchange_key_create(
        user=owner,
        exchange=Exchange.objects.get(slug="kraken"),
        label="bench",
        credentials=Credentials(api_key=demo.key, secret=demo.secret),
    )
    for test in key.tests.all():
        connection_test_run(test_id=test.pk)
    client = Client()
    client.force_login(owner)
    hour = 3_600_000
    figures: dict[str, list[tuple[float, float]]] = {"answering venue": [], "one 503": []}
    for number in range(rounds * 2):
        price = float(venue.state.market.price("XXBTZUSD", time.time()))
        first = (int(time.time() * 1000) // hour - 3) * hour
        table = np.array([(price, price, price, price, 100.0)] * 3, dtype=np.float64)
        times = np.arange(first, first + 3 * hour, hour, dtype=np.int64)
        candles = Candles("1h", times, *(table[:, i].copy() for i in range(5)))
        stored(candles)
        run = paper_run(owner, PROTECTED, candles, start=1, capital=1000.0)
        run.mode, run.key, run.notional_cap = RunMode.LIVE, key, 1000.0
        run.save()
        if not live_ticks.live_prepare(run):
            raise SystemExit(f"run {run.pk} not prepared: {run.stop_code}")
        run_tick(run_id=run.pk, bar_ms=int(candles.time[1]))
        if not resting(venue, demo.key):
            raise SystemExit("no stop rests at the venue: the tick did not protect the entry")
        label = "one 503" if number % 2 else "answering venue"
        if number % 2:
            venue.inject(Fault("unavailable", endpoint="CancelOrder"))
        pressed = time.perf_counter()
        response = client.post(f"/en/runs/{run.pk}/stop/")
        answered = time.perf_counter() - pressed
        if response.status_code != 302:
            raise SystemExit(f"Stop answered {response.status_code}")
        while resting(venue, demo.key):
            if time.perf_counter() - pressed > 120:
                raise SystemExit("an order still rests 120 s after Stop")
            time.sleep(0.01)
        figures[label].append((answered, time.perf_counter() - pressed))
    return figures


def resting(venue, api_key: str) -> list:
    orders = venue.state.ledger.orders.values()
    return [order for order in orders if order.key == api_key and order.status == "open"]


if __name__ == "__main__":
    main()
