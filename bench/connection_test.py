"""Save-to-verdict latency of the connection test, through a real worker, against the sandbox.

A fresh SQLite database (or --database-url), a real `manage.py qcluster` process, the sandbox
venue on loopback counting calls like Kraken's Starter tier, production settings (the rate
limiter on unless --no-rate-limit). Keys are saved one after the other with the service the web
form uses, each a different sandbox key as if saved by different users (--same-key: one sandbox
key saved again and again, which Kraken's per-key counter throttles); each latency runs from the
save's commit to the verdict being in the database. Also prints the HTTP requests per test.
Targets: p50 under 1 s; one or two requests per test once markets are cached.

    .venv/bin/python bench/connection_test.py [--keys 20] [--no-rate-limit] [--same-key]
"""

import argparse
import base64
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
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--no-rate-limit", action="store_true")
    parser.add_argument("--same-key", action="store_true")
    options = parser.parse_args()
    sys.path.insert(0, str(PROJECT))

    from bench.site import environment, running_worker
    from exchanges.sandbox import CallCounter, SandboxVenue

    keys = sandbox_keys(1 if options.same_key else options.keys)
    venue = SandboxVenue(keys, rate_limit=CallCounter())
    with tempfile.TemporaryDirectory(prefix="nb-bench-") as tmp, venue:
        env = environment(
            tmp,
            options.database_url,
            EXCHANGE_API_OVERRIDES=f"kraken={venue.url},krakenfutures={venue.url}",
            EXCHANGE_RATE_LIMIT="false" if options.no_rate_limit else "true",
        )
        with running_worker(env):
            latencies, requests = measure(keys, options.keys)

    ordered = sorted(latencies)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"worker: 1 qcluster, 2 workers; rate limiter {'off' if options.no_rate_limit else 'on'}")
    print(f"sandbox keys: {len(keys)} (the venue counts each key's calls as Kraken's Starter tier)")
    print(f"database: {'given' if options.database_url else 'SQLite'}; keys tested: {len(ordered)}")
    first_ms = latencies[0] * 1000
    print(f"first test (markets not cached yet): {first_ms:.0f} ms, {requests[0]} requests")
    p50_ms = statistics.median(ordered) * 1000
    print(f"save-to-verdict p50 {p50_ms:.0f} ms, p95 {p95 * 1000:.0f} ms")
    print(f"HTTP requests per test after the first: {sorted(set(requests[1:]))}")


def sandbox_keys(count: int) -> list:
    """Keys like the demo's "spot-full" (query, trade, cancel; no withdrawals), each its own."""
    import dataclasses

    from exchanges.sandbox.keys import DEMO_KEYS_PATH, load_keys

    model = next(key for key in load_keys(DEMO_KEYS_PATH) if key.label == "spot-full")
    return [
        dataclasses.replace(
            model,
            key=base64.b64encode(os.urandom(42)).decode(),
            secret=base64.b64encode(os.urandom(64)).decode(),
            label=f"bench-{number}",
        )
        for number in range(count)
    ]


def measure(keys: list, count: int) -> tuple[list[float], list[int]]:
    import django

    django.setup()
    from django.db import transaction

    from accounts.models import User
    from exchanges.credentials import Credentials
    from exchanges.models import ConnectionTest, Exchange
    from exchanges.services import exchange_key_create

    user = User.objects.create_user("bench@example.com", secrets.token_urlsafe(16))
    kraken = Exchange.objects.get(slug="kraken")
    latencies, requests = [], []
    for number in range(count):
        demo = keys[number % len(keys)]
        with transaction.atomic():
            key = exchange_key_create(
                user=user,
                exchange=kraken,
                label=f"bench-{number}",
                credentials=Credentials(api_key=demo.key, secret=demo.secret),
            )
        saved = time.perf_counter()
        while True:
            test = ConnectionTest.objects.filter(key=key, finished_at__isnull=False).first()
            if test is not None:
                break
            if time.perf_counter() - saved > 60:
                raise SystemExit("no verdict within 60 s: is the worker running?")
            time.sleep(0.01)
        latencies.append(time.perf_counter() - saved)
        requests.append(test.requests)
        if test.verdict != "ok":
            raise SystemExit(f"unexpected verdict {test.verdict} ({test.raw_code})")
    return latencies, requests


if __name__ == "__main__":
    main()
