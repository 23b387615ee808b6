"""Microseconds per operation of the envelope encryption: field encrypt, decrypt, data-key unwrap.

Measured on the functions the model field uses, without the database: AES-256-GCM of a
typical 88-character exchange secret, and AES-GCM unwrap of a 32-byte data key. A reveal
through the model adds one indexed query for the data key row.

    .venv/bin/python bench/crypto.py [--rounds 20000]
"""

import argparse
import base64
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def timed(function, rounds: int) -> tuple[float, float]:
    """Median and 95th percentile, in microseconds, over batches of the call."""
    batch = 100
    samples = []
    for _ in range(rounds // batch):
        started = time.perf_counter_ns()
        for _ in range(batch):
            function()
        samples.append((time.perf_counter_ns() - started) / batch / 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20_000)
    rounds = parser.parse_args().rounds

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "noonbarbari.settings")
    os.environ["DJANGO_READ_DOT_ENV"] = "false"
    os.environ["SECRET_KEY"] = base64.b64encode(os.urandom(32)).decode()
    os.environ["DEBUG"] = "true"
    os.environ["FIELD_ENCRYPTION_KEYS"] = "b1=" + base64.urlsafe_b64encode(os.urandom(32)).decode()
    os.environ["FIELD_ENCRYPTION_ACTIVE_KEY"] = "b1"
    import django

    django.setup()
    from exchanges.crypto import cipher, datakeys

    data_key = os.urandom(32)
    secret = base64.b64encode(os.urandom(64)).decode()
    bound_to = "exchanges.exchangekey|secret|42|0b6f3c1e-5a7d-4c8e-9f21-7d3e8a1b2c4d"
    token = cipher.encrypt(secret, data_key=data_key, data_key_version=1, bound_to=bound_to)
    header = cipher.parse(token)
    row = SimpleNamespace(
        user_id=42, version=1, kek_id="b1",
        wrapped=datakeys.wrap(data_key, user_id=42, version=1, kek_id="b1"),
    )  # fmt: skip
    if cipher.decrypt(header, data_key=data_key, bound_to=bound_to) != secret:
        raise SystemExit("round trip failed")
    if datakeys.unwrap(row) != data_key:
        raise SystemExit("unwrap failed")

    results = {
        "encrypt one field value (88 chars)": timed(
            lambda: cipher.encrypt(
                secret, data_key=data_key, data_key_version=1, bound_to=bound_to
            ),
            rounds,
        ),
        "decrypt one field value": timed(
            lambda: cipher.decrypt(cipher.parse(token), data_key=data_key, bound_to=bound_to),
            rounds,
        ),
        "unwrap a data key": timed(lambda: datakeys.unwrap(row), rounds),
        "AES-GCM alone (reference)": timed(
            lambda: AESGCM(data_key).encrypt(os.urandom(12), secret.encode(), None), rounds
        ),
    }
    for name, (median, p95) in results.items():
        print(f"{name}: median {median:.1f} µs, p95 {p95:.1f} µs")


if __name__ == "__main__":
    main()
