"""What the benches that drive a real worker share: production settings on a fresh database,
the migrations and guides applied, and one `manage.py qcluster` running while they measure."""

import base64
import contextlib
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def environment(tmp: str, database_url: str, **overrides: str) -> dict[str, str]:
    """Production settings (DEBUG off, fresh secrets) on `database_url` or a SQLite file in
    `tmp`, with a cache the bench and the worker share; `overrides` last."""
    return {
        "DJANGO_SETTINGS_MODULE": "noonbarbari.settings",
        "DJANGO_READ_DOT_ENV": "false",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": "bench=" + base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "FIELD_ENCRYPTION_ACTIVE_KEY": "bench",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "DATABASE_URL": database_url or f"sqlite:///{tmp}/bench.sqlite3",
        "CACHE_URL": f"filecache://{tmp}/cache",
        "LOCK_DIR": f"{tmp}/locks",
        "Q_WORKERS": "2",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


def migrated(env: dict[str, str]) -> None:
    """`env` in this process's environment, the database migrated and the guides loaded."""
    os.environ.update(env)
    for command in (["migrate"], ["load_guides"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "--verbosity=0"],
            cwd=PROJECT,
            env=os.environ,
            check=True,
        )


@contextlib.contextmanager
def running_worker(env: dict[str, str], clusters: tuple[str, ...] = ("",)) -> Iterator[None]:
    """`env` in this process's environment, the database migrated and the guides loaded, and
    a qcluster of each of `clusters` ("" the default one, "long", "start") running until the
    block ends."""
    migrated(env)
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=PROJECT,
            env={**os.environ, "Q_CLUSTER_NAME": name},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name in clusters
    ]
    try:
        yield
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
