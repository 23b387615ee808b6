import json

import pytest
from django.db import connection

from tests.subprocesses import clean_env, run_manage, run_python

REAL_LOOKING_SECRET = "4v9#Jq2@xLm8!pZr5^Tb7&Wc1*Yd3(Ue6)Hf0-Gi_Kj+No=Sp;Rq:Ts,Uv.Wx/Yz"
KEKS = {
    "FIELD_ENCRYPTION_KEYS": "p1=cHJvZHVjdGlvbi1sb29raW5nLWtleS0zMi1ieXRlcyE",
    "FIELD_ENCRYPTION_ACTIVE_KEY": "p1",
}
PRODUCTION = {"SECRET_KEY": REAL_LOOKING_SECRET, "ALLOWED_HOSTS": "noonbarbari.example", **KEKS}
DEVELOPMENT = {"DEBUG": "true", "SECRET_KEY": "dev-secret", **KEKS}

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "debug": s.DEBUG,
    "allowed_hosts": s.ALLOWED_HOSTS,
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "hsts": s.SECURE_HSTS_SECONDS,
    "secure_cookies": s.SESSION_COOKIE_SECURE,
    "engine": db["ENGINE"],
    "sqlite_options": db.get("OPTIONS", {}),
    "cache": s.CACHES["default"]["BACKEND"],
    "q_cluster": {k: v for k, v in s.Q_CLUSTER.items() if k != "label"},
}))
"""


def load_settings(**variables: str) -> dict:
    completed = run_python(PRINT_SETTINGS, clean_env(**variables))
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


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
def test_production_refuses_to_start_without_secrets(variables, missing):
    completed = run_python("import django; django.setup()", clean_env(**variables))

    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert f"Set {missing}" in completed.stderr


@pytest.mark.parametrize(
    ("keys", "active", "message"),
    [
        ("p1=c2hvcnQ", "p1", "must be 32 bytes"),
        ("p1=!!!notbase64!!!", "p1", "not base64"),
        ("nonsense", "p1", "must look like"),
        ("p1=cHJvZHVjdGlvbi1sb29raW5nLWtleS0zMi1ieXRlcyE", "p9", "must name one of"),
    ],
)
def test_malformed_encryption_keys_stop_the_start(keys, active, message):
    env = clean_env(
        **{**PRODUCTION, "FIELD_ENCRYPTION_KEYS": keys, "FIELD_ENCRYPTION_ACTIVE_KEY": active}
    )
    completed = run_manage("check", env=env)

    assert completed.returncode != 0
    assert message in completed.stderr
    assert keys.split("=")[-1] not in completed.stderr or keys == "nonsense"


def test_production_defaults_are_secure():
    loaded = load_settings(**PRODUCTION)

    assert loaded["debug"] is False
    assert loaded["allowed_hosts"] == ["noonbarbari.example"]
    assert loaded["ssl_redirect"] is True
    assert loaded["hsts"] >= 31_536_000
    assert loaded["secure_cookies"] is True


def test_development_needs_only_the_generated_secret():
    loaded = load_settings(**DEVELOPMENT)

    assert loaded["debug"] is True
    assert "127.0.0.1" in loaded["allowed_hosts"]
    assert loaded["ssl_redirect"] is False
    assert loaded["secure_cookies"] is False


def test_defaults_are_sqlite_tuned_for_a_web_server_and_a_worker_and_a_shared_cache():
    loaded = load_settings(**DEVELOPMENT)

    assert loaded["engine"] == "django.db.backends.sqlite3"
    options = loaded["sqlite_options"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]
    assert "secure_delete=ON" in options["init_command"]
    # Not per-process memory: the worker and the web server must see the same entries.
    assert loaded["cache"] == "django.core.cache.backends.filebased.FileBasedCache"


def test_postgresql_and_redis_come_from_urls():
    loaded = load_settings(
        **DEVELOPMENT,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/noonbarbari",
        CACHE_URL="rediscache://127.0.0.1:6379/1",
        Q_REDIS_URL="redis://127.0.0.1:6379/2",
    )

    assert loaded["engine"] == "django.db.backends.postgresql"
    assert "redis" in loaded["cache"].lower()
    assert loaded["q_cluster"]["redis"] == "redis://127.0.0.1:6379/2"
    assert "orm" not in loaded["q_cluster"]


def test_task_cluster_uses_the_orm_broker_with_a_retry_longer_than_the_timeout():
    q_cluster = load_settings(**DEVELOPMENT)["q_cluster"]

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
