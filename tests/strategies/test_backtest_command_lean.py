"""manage.py backtest runs on the lean settings: on a checkout where bin/up never wrote .env (no
SECRET_KEY, no key-encryption keys, no ALLOWED_HOSTS), without importing the exchanges' client
library, the admin or the models; every other process still refuses to start without the real
secrets.

Each test starts a child process with a scrubbed environment (tests.subprocesses.clean_env:
no .env file, nothing inherited but PATH, HOME and LANG).
"""

import json

import pytest

from noonbarbari.lean import lean_command
from tests.strategies.test_indicators_properties import random_walk
from tests.subprocesses import clean_env, run_manage, run_python

REFUSAL = "Set SECRET_KEY, FIELD_ENCRYPTION_KEYS, FIELD_ENCRYPTION_ACTIVE_KEY"
GIVEN_SECRETS = {
    "SECRET_KEY": "given-secret-key-for-this-test-only-0123456789abcdefghijklmnop",
    "FIELD_ENCRYPTION_KEYS": "g1=Z2l2ZW4ta2V5LWZvci10aGlzLXRlc3Qtb25seS0zMmI",
    "FIELD_ENCRYPTION_ACTIVE_KEY": "g1",
    "ALLOWED_HOSTS": "noonbarbari.example",
}
# What a lean command imported: a child process runs the command as manage.py does and lists
# the heavy modules it loaded.
IMPORTED_BY_BACKTEST = """
import json, sys
from noonbarbari.lean import lean_command, run_lean
argv = ["manage.py", "backtest", "--strategy", "ema-crossover", "--candles", sys.argv[1], "--json"]
try:
    run_lean(argv, lean_command(argv))
finally:
    heavy = ("ccxt", "django.contrib.admin", "strategies.models", "exchanges", "django.db.models")
    loaded = sorted({name.split(".")[0] if name.startswith("ccxt") else name
                     for name in sys.modules if name.startswith(heavy)})
    print(json.dumps(loaded), file=sys.stderr)
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


def test_the_command_loads_neither_the_exchanges_library_nor_the_admin_nor_the_models(
    small_candles,
):
    completed = run_python(
        IMPORTED_BY_BACKTEST.replace("sys.argv[1]", repr(str(small_candles))), env=clean_env()
    )

    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["trades"] is not None
    assert json.loads(completed.stderr.strip().splitlines()[-1]) == []


@pytest.mark.parametrize(
    ("argv", "lean"),
    [
        (["manage.py", "backtest", "--strategy", "x"], True),
        (["/srv/app/manage.py", "backtest"], True),
        (["manage.py", "runserver"], False),
        (["manage.py", "check"], False),
        (["manage.py"], False),
        (["manage.py", "help", "backtest"], False),
        (["manage.py", "backtests"], False),
    ],
)
def test_only_backtest_runs_on_the_lean_settings(argv, lean):
    assert (lean_command(argv) is not None) is lean
