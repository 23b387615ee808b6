"""Run manage.py and Python in child processes with an environment the test controls."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROJECT_DIR = Path(settings.BASE_DIR)


def clean_env(**variables: str) -> dict[str, str]:
    """A minimal environment: no .env file, nothing inherited but PATH/HOME, plus `variables`."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(DJANGO_SETTINGS_MODULE="noonbarbari.settings", DJANGO_READ_DOT_ENV="false")
    env.update(variables)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run(["-c", code], env)


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run(["manage.py", *args], env)


def database_url(settings_dict: dict) -> str:
    """The DATABASE_URL that reaches the database described by a Django settings dict."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{settings_dict['NAME']}"
