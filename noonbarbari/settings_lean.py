"""Settings for the commands that need no database, no installed app and no secret, and the
languages every process shares.

`manage.py backtest` reads a candle file and a strategy file and prints a result: it signs,
encrypts and stores nothing. manage.py runs it on these settings (noonbarbari/lean.py), so it
starts without a `.env`, without importing the admin, the exchanges' client library or the
models, and in well under half a second. The full settings import the languages from here.
"""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Internationalisation (the full settings use these) ------------------------------------

LANGUAGE_CODE = "en"
# Each language is named in itself: a reader looks for their own language's name.
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- What a lean command does not have -----------------------------------------------------

INSTALLED_APPS: list[str] = []
DATABASES: dict[str, dict] = {}
