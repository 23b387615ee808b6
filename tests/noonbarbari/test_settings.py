import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from exchanges.crypto import keyring
from tests.subprocesses import clean_env, run_manage

REAL_LOOKING_SECRET = "4v9#Jq2@xLm8!pZr5^Tb7&Wc1*Yd3(Ue6)Hf0-Gi_Kj+No=Sp;Rq:Ts,Uv.Wx/Yz"
KEKS = {
    "FIELD_ENCRYPTION_KEYS": "p1=cHJvZHVjdGlvbi1sb29raW5nLWtleS0zMi1ieXRlcyE",
    "FIELD_ENCRYPTION_ACTIVE_KEY": "p1",
}
PRODUCTION = {"SECRET_KEY": REAL_LOOKING_SECRET, "ALLOWED_HOSTS": "noonbarbari.example", **KEKS}
DEVELOPMENT = {"DEBUG": "true", "SECRET_KEY": "dev-secret", **KEKS}

SETTINGS_FILE = Path(settings.BASE_DIR) / "noonbarbari" / "settings.py"


@pytest.fixture
def load_settings(monkeypatch):
    """Execute the settings module in this process, under an environment the test controls:
    no .env file, nothing inherited but PATH, HOME and LANG, plus the given variables."""

    def load(**variables: str) -> ModuleType:
        wanted = clean_env(**variables)
        for name in list(os.environ):
            if name not in wanted:
                monkeypatch.delenv(name)
        for name, value in wanted.items():
            monkeypatch.setenv(name, value)
        spec = importlib.util.spec_from_file_location("settings_under_test", SETTINGS_FILE)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


@pytest.mark.parametrize(
    ("variables", "missing"),
    [
        ({}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": "noonbarbari.example", **KEKS}, "SECRET_KEY"),
        ({"SECRET_KEY": REAL_LOOKING_SECRET, **KEKS}, "ALLOWED_HOSTS"),
        (
            {"SECRET_KEY": REAL_LOOKING_SECRET, "ALLOWED_HOSTS": "x.example"},
            "FIELD_ENCRYPTION_KEYS",
        ),
    ],
)
def test_production_refuses_to_start_without_secrets(load_settings, variables, missing):
    with pytest.raises(ImproperlyConfigured, match=f"Set {missing}"):
        load_settings(**variables)


@pytest.mark.parametrize(
    ("keys", "active", "message"),
    [
        ("p1=c2hvcnQ", "p1", "must be 32 bytes"),
        ("p1=!!!notbase64!!!", "p1", "not base64"),
        ("nonsense", "p1", "must look like"),
        ("p1=cHJvZHVjdGlvbi1sb29raW5nLWtleS0zMi1ieXRlcyE", "p9", "must name one of"),
    ],
)
def test_malformed_encryption_keys_are_refused(settings, keys, active, message):
    settings.FIELD_ENCRYPTION_KEYS, settings.FIELD_ENCRYPTION_ACTIVE_KEY = keys, active

    with pytest.raises(ImproperlyConfigured, match=message) as refused:
        keyring.keys()

    assert keys.split("=")[-1] not in str(refused.value) or keys == "nonsense"


def test_malformed_encryption_keys_stop_the_start():
    """Every process (web, worker, commands) checks the keys as it starts."""
    env = clean_env(**{**PRODUCTION, "FIELD_ENCRYPTION_KEYS": "p1=c2hvcnQ"})
    completed = run_manage("check", env=env)

    assert completed.returncode != 0
    assert "must be 32 bytes" in completed.stderr


def test_production_defaults_are_secure(load_settings):
    loaded = load_settings(**PRODUCTION)

    assert loaded.DEBUG is False
    assert loaded.ALLOWED_HOSTS == ["noonbarbari.example"]
    assert loaded.SECURE_SSL_REDIRECT is True
    assert loaded.SECURE_HSTS_SECONDS >= 31_536_000
    assert loaded.SESSION_COOKIE_SECURE is True


def test_development_needs_only_the_generated_secret(load_settings):
    loaded = load_settings(**DEVELOPMENT)

    assert loaded.DEBUG is True
    assert "127.0.0.1" in loaded.ALLOWED_HOSTS
    assert loaded.SECURE_SSL_REDIRECT is False
    assert loaded.SESSION_COOKIE_SECURE is False


def test_defaults_are_sqlite_tuned_for_a_web_server_and_a_worker_and_a_shared_cache(
    load_settings,
):
    loaded = load_settings(**DEVELOPMENT)

    database = loaded.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    options = database["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]
    assert "secure_delete=ON" in options["init_command"]
    # Not per-process memory: the worker and the web server must see the same entries.
    assert loaded.CACHES["default"]["BACKEND"] == (
        "django.core.cache.backends.filebased.FileBasedCache"
    )


def test_postgresql_and_redis_come_from_urls(load_settings):
    loaded = load_settings(
        **DEVELOPMENT,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/noonbarbari",
        CACHE_URL="rediscache://127.0.0.1:6379/1",
        Q_REDIS_URL="redis://127.0.0.1:6379/2",
    )

    assert loaded.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert "redis" in loaded.CACHES["default"]["BACKEND"].lower()
    assert loaded.Q_CLUSTER["redis"] == "redis://127.0.0.1:6379/2"
    assert "orm" not in loaded.Q_CLUSTER


def test_task_cluster_uses_the_orm_broker_with_a_retry_longer_than_the_timeout(load_settings):
    q_cluster = load_settings(**DEVELOPMENT).Q_CLUSTER

    assert q_cluster["orm"] == "default"
    assert q_cluster["name"]
    assert q_cluster["timeout"] < q_cluster["retry"]
    assert 1 <= q_cluster["max_attempts"] <= 5
    assert q_cluster["catch_up"] is False


def test_check_deploy_is_clean_in_production_mode():
    completed = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=clean_env(**PRODUCTION)
    )

    assert completed.returncode == 0, completed.stderr
    assert "System check identified no issues" in completed.stdout


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite pragmas")
def test_sqlite_connections_run_in_wal_mode():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
