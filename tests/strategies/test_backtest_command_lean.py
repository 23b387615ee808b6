"""manage.py backtest runs on a checkout where bin/up never wrote .env (no SECRET_KEY, no
key-encryption keys, no ALLOWED_HOSTS), on throwaway values that cannot outlive the process;
every other process still refuses to start without the real secrets.

Each test starts a child process with a scrubbed environment (tests.subprocesses.clean_env:
no .env file, nothing inherited but PATH, HOME and LANG).
"""

import json

import pytest

from noonbarbari.secretless import secretless_command
from tests.strategies.test_indicators_properties import random_walk
from tests.subprocesses import clean_env, run_manage, run_python

REFUSAL = "Set SECRET_KEY, FIELD_ENCRYPTION_KEYS, FIELD_ENCRYPTION_ACTIVE_KEY"
GIVEN_SECRETS = {
    "SECRET_KEY": "given-secret-key-for-this-test-only-0123456789abcdefghijklmnop",
    "FIELD_ENCRYPTION_KEYS": "g1=Z2l2ZW4ta2V5LWZvci10aGlzLXRlc3Qtb25seS0zMmI",
    "FIELD_ENCRYPTION_ACTIVE_KEY": "g1",
    "ALLOWED_HOSTS": "noonbarbari.example",
}
# What the settings decided, printed by a child process that imports them as `manage.py
# backtest` would (sys.argv set first): never a secret itself, only facts about it.
SETTINGS_AS_BACKTEST = """
import hashlib, json, sys
sys.argv = ["manage.py", "backtest"]
from django.conf import settings
print(json.dumps({
    "throwaway": settings.THROWAWAY_SECRETS,
    "secret_key_digest": hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest(),
    "secret_key_length": len(settings.SECRET_KEY),
    "active_kek": settings.FIELD_ENCRYPTION_ACTIVE_KEY,
    "database": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
}))
"""


@pytest.fixture
def small_candles(tmp_path):
    """300 hourly bars of a random walk, as the command reads them."""
    candles = random_walk(300, seed=3)
    lines = ["timestamp,open,high,low,close,volume"]
    columns = (candles.time, candles.open, candles.high, candles.low, candles.close)
    for row in zip(*(column.tolist() for column in columns), candles.volume.tolist(), strict=True):
        lines.append(",".join(repr(value) for value in row))
    path = tmp_path / "candles.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_backtest_runs_without_any_secret(small_candles):
    completed = run_manage(
        "backtest",
        "--strategy",
        "ema-crossover",
        "--candles",
        str(small_candles),
        "--json",
        env=clean_env(),
    )

    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert set(result) >= {"trades", "open_trades", "stats", "fill_model"}
    assert result["fill_model"]["fee"] == 0.001  # the command's default
    assert REFUSAL not in completed.stderr


def test_a_wrong_candle_file_is_still_reported_plainly(tmp_path):
    completed = run_manage(
        "backtest",
        "--strategy",
        "ema-crossover",
        "--candles",
        str(tmp_path / "missing.csv"),
        env=clean_env(),
    )

    assert completed.returncode == 1
    assert "does not exist" in completed.stderr
    assert REFUSAL not in completed.stderr


def test_other_commands_and_the_web_server_still_refuse_to_start():
    check = run_manage("check", env=clean_env())
    web = run_python("from noonbarbari.wsgi import application", env=clean_env())
    # DEBUG on does not lift it either: only the secretless command does.
    server = run_manage("runserver", "--noreload", env=clean_env(DEBUG="true"))

    for completed in (check, web, server):
        assert completed.returncode != 0
        assert REFUSAL in completed.stderr
        assert "run bin/up once" in completed.stderr


def test_the_throwaway_values_are_made_per_process_and_kept_off_disk():
    first = json.loads(run_python(SETTINGS_AS_BACKTEST, env=clean_env()).stdout)
    second = json.loads(run_python(SETTINGS_AS_BACKTEST, env=clean_env()).stdout)

    assert first["throwaway"] is True
    assert first["active_kek"] == "throwaway"
    assert first["secret_key_length"] >= 50  # as long as Django asks of a real one
    # Random in each process: nothing one signed can be checked by another.
    assert first["secret_key_digest"] != second["secret_key_digest"]
    # Nothing made with them reaches a file.
    assert first["database"] == ":memory:"
    assert first["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_real_secrets_are_used_when_they_are_given():
    printed = run_python(SETTINGS_AS_BACKTEST, env=clean_env(**GIVEN_SECRETS))
    decided = json.loads(printed.stdout)

    assert decided["throwaway"] is False
    assert decided["active_kek"] == "g1"
    assert decided["database"] != ":memory:"


@pytest.mark.parametrize(
    ("argv", "secretless"),
    [
        (["manage.py", "backtest", "--strategy", "x"], True),
        (["/srv/app/manage.py", "backtest"], True),
        (["manage.py", "runserver"], False),
        (["manage.py", "check"], False),
        (["manage.py"], False),
        (["manage.py", "help", "backtest"], False),
        # A server is started by its own program, whatever its arguments say.
        (["gunicorn", "backtest"], False),
        (["/usr/bin/uwsgi", "backtest"], False),
        (["manage.py", "backtests"], False),
    ],
)
def test_only_manage_py_backtest_is_secretless(argv, secretless):
    assert secretless_command(argv) is secretless
