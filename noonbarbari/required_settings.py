"""Secrets at start-up: refusing to start without them, and the commands that need none.

`manage.py backtest` reads a CSV file and a strategy file and prints a result: it signs,
encrypts and stores nothing. On a checkout where `bin/up` never wrote `.env` it runs on
throwaway values made for that one process (random, never written anywhere) and, in
settings.py, an in-memory database and cache, so that nothing the throwaway values could
sign or encrypt outlives the process. Every other process (the web server, the task
workers, any other command) still refuses to start without the real secrets. Imported by
settings.py: Django is not set up yet, and nothing here may need it to be.
"""

import base64
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# manage.py commands that run without SECRET_KEY and the key-encryption keys.
SECRETLESS_COMMANDS = frozenset({"backtest"})
THROWAWAY_KEY_ID = "throwaway"


def secretless_command(argv: list[str]) -> bool:
    """Whether this process is `manage.py <a command that touches no secret>`.

    Only manage.py's own command line counts: a server is started by another program
    (gunicorn, uwsgi, `manage.py runserver`), whose arguments never name such a command.
    """
    return len(argv) > 1 and Path(argv[0]).name == "manage.py" and argv[1] in SECRETLESS_COMMANDS


def throwaway_secrets() -> tuple[str, str, str]:
    """SECRET_KEY, FIELD_ENCRYPTION_KEYS and FIELD_ENCRYPTION_ACTIVE_KEY for one process."""
    kek = base64.urlsafe_b64encode(os.urandom(32)).decode()
    return secrets.token_urlsafe(50), f"{THROWAWAY_KEY_ID}={kek}", THROWAWAY_KEY_ID


def refuse_to_start_without(*names_and_values: tuple[str, object]) -> None:
    missing = [name for name, value in names_and_values if not value]
    if missing:
        raise ImproperlyConfigured(
            f"Set {', '.join(missing)} in the environment. Development machines get them from "
            "the .env file that bin/up writes (run bin/up once); production must provide real "
            "values."
        )


def secrets_for(
    argv: list[str], secret_key: str, keks: str, active_kek: str
) -> tuple[str, str, str, bool]:
    """SECRET_KEY, FIELD_ENCRYPTION_KEYS and FIELD_ENCRYPTION_ACTIVE_KEY for this process, and
    whether they are throwaway ones; without them, only a secretless command starts."""
    if secretless_command(argv) and not (secret_key and keks and active_kek):
        return (*throwaway_secrets(), True)
    refuse_to_start_without(
        ("SECRET_KEY", secret_key),
        ("FIELD_ENCRYPTION_KEYS", keks),
        ("FIELD_ENCRYPTION_ACTIVE_KEY", active_kek),
    )
    return secret_key, keks, active_kek, False
