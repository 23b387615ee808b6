import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command

from exchanges.sandbox import SandboxVenue
from tests.accounts.helpers import PASSWORD, enrol, verify_session
from tests.subprocesses import PROJECT_DIR, clean_env, database_url


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The real content, loaded once: every test starts from the published guides and the
    strategy catalog."""
    with django_db_blocker.unblock():
        call_command("load_guides", verbosity=0)
        call_command("load_strategies", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    """Each test starts in English, with empty caches, whatever an earlier test did."""
    from django.utils import translation

    for cache in caches.all():
        cache.clear()
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(email="admin@example.com", password=PASSWORD)


@pytest.fixture
def admin_client(admin_user):
    """A staff session verified with a second factor, as the admin requires."""
    from django.test import Client

    client = Client()
    device = enrol(admin_user)
    client.force_login(admin_user)
    verify_session(client, device)
    return client


@pytest.fixture(scope="session")
def sandbox_venue() -> Iterator[SandboxVenue]:
    """The demo keys' venue on an ephemeral 127.0.0.1 port, for the whole test session."""
    venue = SandboxVenue().start()
    yield venue
    venue.stop()


@pytest.fixture
def venue(sandbox_venue: SandboxVenue) -> Iterator[SandboxVenue]:
    """The session's venue with fresh balances, orders, nonces and no faults, on the real clock."""
    sandbox_venue.reset()
    sandbox_venue.unfreeze_time()
    yield sandbox_venue
    sandbox_venue.reset()
    sandbox_venue.unfreeze_time()


@pytest.fixture
def shared_cache(settings, tmp_path) -> str:
    """A file cache that this process and a cluster process share, as in production."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        },
    }
    return f"filecache://{tmp_path / 'cache'}"


@pytest.fixture
def start_qcluster(shared_cache, settings, tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start a real `manage.py qcluster` on the test database (for transactional tests).

    Each cluster leads its own process group: `os.killpg(process.pid, SIGKILL)` kills it with
    its workers, as a crashed machine would."""
    from django.db import connection

    processes: list[subprocess.Popen] = []

    def start(cwd: Path = PROJECT_DIR, **variables: str) -> subprocess.Popen:
        env = clean_env(
            DEBUG="false",
            SECRET_KEY=settings.SECRET_KEY,
            FIELD_ENCRYPTION_KEYS=settings.FIELD_ENCRYPTION_KEYS,
            FIELD_ENCRYPTION_ACTIVE_KEY=settings.FIELD_ENCRYPTION_ACTIVE_KEY,
            ALLOWED_HOSTS="localhost",
            DATABASE_URL=database_url(connection.settings_dict),
            CACHE_URL=shared_cache,
            # The same broker as the test process: Redis when the run sets Q_REDIS_URL.
            **(
                {"Q_REDIS_URL": settings.Q_CLUSTER["redis"]}
                if "redis" in settings.Q_CLUSTER
                else {}
            ),
            **{"Q_WORKERS": "1", **variables},
        )
        log = (tmp_path / f"qcluster-{len(processes)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        # Workers outliving their cluster would keep connections to the test database open,
        # and PostgreSQL then refuses to drop it at the end of the session.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
