"""Noon Barbari settings: one module, driven by the environment.

Every variable is listed in README.md ("Configuration") and in .env.example. Development needs
no configuration: `bin/up` writes a local `.env` with generated secrets. With `DEBUG` off (the
default) the site refuses to start without a real `SECRET_KEY` and `ALLOWED_HOSTS`.
"""

from pathlib import Path

import environ

from noonbarbari import settings_lean, task_clusters
from noonbarbari.required_settings import refuse_to_start_without

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# Real environment variables win over the file; tests switch the file off to stay hermetic.
if env.bool("DJANGO_READ_DOT_ENV", default=True):
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# --- Secrets and hosts -----------------------------------------------------------------------

SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)


# Key-encryption keys for exchange secrets, independent of SECRET_KEY: "k2=<base64>,k1=<base64>"
# (32 random bytes each), the active one named by FIELD_ENCRYPTION_ACTIVE_KEY. Several may be
# listed while `manage.py rotate_encryption_keys` moves data keys to the active one. The
# names contain KEY, so Django's error reports mask them.
FIELD_ENCRYPTION_KEYS = env.str("FIELD_ENCRYPTION_KEYS", default="")
FIELD_ENCRYPTION_ACTIVE_KEY = env.str("FIELD_ENCRYPTION_ACTIVE_KEY", default="")

# No process starts without them (`manage.py backtest` never reads these settings: it runs on
# noonbarbari/settings_lean.py, with no secret to need).
refuse_to_start_without(
    ("SECRET_KEY", SECRET_KEY),
    ("FIELD_ENCRYPTION_KEYS", FIELD_ENCRYPTION_KEYS),
    ("FIELD_ENCRYPTION_ACTIVE_KEY", FIELD_ENCRYPTION_ACTIVE_KEY),
)
if not DEBUG:
    refuse_to_start_without(("ALLOWED_HOSTS", ALLOWED_HOSTS))

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications ----------------------------------------------------------------------------

INSTALLED_APPS = [
    # The admin site of django-otp, behind the same login and two-factor code as the site.
    "accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles so that `runserver` serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    # Before allauth: our templates for its pages win.
    "accounts",
    "allauth",
    "allauth.account",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_htmx",
    "django_q",
    "noonbarbari",
    "exchanges",
    "guides",
    "notifications",
    "strategies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (a report's HTML shrinks six- to tenfold); below WhiteNoise, which serves
    # static files already compressed. BREACH: Django's GZipMiddleware pads each compressed
    # answer with random bytes (Heal the BREACH) and CSRF tokens are masked anew per request,
    # so a secret on a page with forms cannot be read from answer lengths.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the request: bodies in another charset than UTF-8, malformed
    # multipart bodies and NUL characters get a 400 page, not a server error.
    "noonbarbari.middleware.RefuseUnreadableInputMiddleware",
    "noonbarbari.middleware.RememberLanguageMiddleware",
    # Before the session, locale and auth middleware, which a cached page does not need.
    "noonbarbari.page_cache.VisitorPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): was this session confirmed with a second factor?
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "noonbarbari.urls"
WSGI_APPLICATION = "noonbarbari.wsgi.application"
ASGI_APPLICATION = "noonbarbari.asgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "noonbarbari" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "noonbarbari.context_processors.site",
                "exchanges.context_processors.key_reminders",
            ],
        },
    }
]

# --- Database --------------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the django-q2 worker write to the same file. WAL lets readers run
    # beside the writer, IMMEDIATE takes the write lock when a transaction starts (instead of
    # failing on upgrade), and the busy timeout makes a writer wait instead of raising
    # "database is locked". secure_delete overwrites deleted rows (wiped ciphertexts
    # included) instead of leaving them in free pages.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
            ),
        }
    )
# Persistent connections: opening one (and, on SQLite, running the pragmas) on every request
# costs more than the queries of a cached page.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -----------------------------------------------------------------------------------

# Shared between processes by default (a file cache) so that the web server sees what the
# django-q2 worker writes (cluster statistics, later the exchange markets cache).
CACHES = {
    "default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}"),
    # Rendered page fragments, per process. Their keys carry the content's last change time,
    # read from the database on each request, so an edit is seen by every process at once and
    # a deploy starts from an empty cache.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
    # Signed-in sessions are kept here too (SESSION_ENGINE): past Django's default of 300
    # entries, a file cache culls a third of everything at random, the exchanges' markets
    # with the sessions.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 10_000)

# --- Tasks (django-q2) -----------------------------------------------------------------------

# The three task clusters (default, long, start): noonbarbari/task_clusters.py says why.
LONG_TASKS, START_TASKS = task_clusters.LONG_TASKS, task_clusters.START_TASKS
NOTIFY_TASKS = task_clusters.NOTIFY_TASKS
Q_CLUSTER = task_clusters.q_cluster(env)
Q_REDIS_URL = env.str("Q_REDIS_URL", default="")
if Q_REDIS_URL:
    Q_CLUSTER["redis"] = Q_REDIS_URL
else:
    # The ORM broker keeps tasks in the database: guaranteed delivery, nothing else to run.
    Q_CLUSTER["orm"] = "default"

# --- Strategy runs ---------------------------------------------------------------------------
# Active (starting, running or stopping) runs one account may have at once.
RUNS_MAX_ACTIVE = env.int("RUNS_MAX_ACTIVE", default=20)
# Hours a paper run of the same strategy and market must have run before a live one.
RUNS_PAPER_HOURS_BEFORE_LIVE = env.int("RUNS_PAPER_HOURS_BEFORE_LIVE", default=24)
# The most one live order may be worth (quote currency): the ceiling of a run's own cap.
RUNS_LIVE_MAX_NOTIONAL = env.float("RUNS_LIVE_MAX_NOTIONAL", default=10_000.0)
# A live entry is sent only on a market that traded at least this much (quote) in 24 hours.
RUNS_MIN_MARKET_VOLUME = env.float("RUNS_MIN_MARKET_VOLUME", default=100_000.0)
# Candle files one account may have waiting or being imported at once (by the long cluster),
# and the most one file may weigh, in MB.
CANDLE_IMPORTS_MAX_ACTIVE = env.int("CANDLE_IMPORTS_MAX_ACTIVE", default=2)
CANDLE_IMPORTS_MAX_MB = env.int("CANDLE_IMPORTS_MAX_MB", default=64)
# Long work (backtests, candle fills, candle imports) is handed to the long cluster in turns
# (strategies/models/long_jobs.py): as many at once as the long cluster has workers on every
# machine together, at most LONG_JOBS_PER_USER of one user's, and a candle fill gives its
# worker back after LONG_JOB_TURN_S seconds to whoever waits.
LONG_JOB_SLOTS = env.int("LONG_JOB_SLOTS", default=Q_CLUSTER["ALT_CLUSTERS"][LONG_TASKS]["workers"])
LONG_JOBS_PER_USER = env.int("LONG_JOBS_PER_USER", default=1)
LONG_JOB_TURN_S = env.float("LONG_JOB_TURN_S", default=10.0)

# --- Authentication --------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"

# django-allauth: email + password, our adapter (login stages, emails in the user's language).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm", "signup": "accounts.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str(
    "ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEBUG else "mandatory"
)
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# allauth's rate limits stay at their defaults, which are on: failed logins (10/min per IP,
# 5 per 5 min per account), sign-ups, password resets, email changes. Tests prove them.

# django-otp: TOTP devices and static backup codes; wrong codes slow down exponentially.
OTP_TOTP_ISSUER = "Noon Barbari"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin shows devices but never a TOTP key, its QR code or a backup code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
BACKUP_CODE_COUNT = 10

# --- Email -----------------------------------------------------------------------------------

# e.g. smtp+tls://user:password@mail.example.com:587; development prints mail to the console.
_email = env.email("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# Seconds before an unanswering mail server is given up: mail is sent from short tasks (killed
# at Q_TIMEOUT), which retry it later; without a timeout a silent server holds the worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Noon Barbari <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Notifications ---------------------------------------------------------------------------
# Telegram: the bot's token (from @BotFather) and name; without both, Telegram is not offered.
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_BOT_USERNAME = env.str("TELEGRAM_BOT_USERNAME", default="")
TELEGRAM_API_URL = env.str("TELEGRAM_API_URL", default="https://api.telegram.org")
# The deep link that opens the bot with a one-time linking token ({bot}, {token}).
TELEGRAM_LINK_URL = env.str("TELEGRAM_LINK_URL", default="https://t.me/{bot}?start={token}")
# Seconds one call to Telegram, Discord or a user's webhook may take.
NOTIFICATION_TIMEOUT = env.float("NOTIFICATION_TIMEOUT", default=10.0)
# Allow webhook addresses on private networks and plain http (tests, the offline demo only).
NOTIFICATION_PRIVATE_ADDRESSES = env.bool("NOTIFICATION_PRIVATE_ADDRESSES", default=False)

# --- Internationalisation --------------------------------------------------------------------

# The lean settings' (lean commands print in the same languages).
LANGUAGE_CODE = settings_lean.LANGUAGE_CODE
LANGUAGES = settings_lean.LANGUAGES
LOCALE_PATHS = settings_lean.LOCALE_PATHS
USE_I18N = settings_lean.USE_I18N
USE_TZ = settings_lean.USE_TZ
TIME_ZONE = settings_lean.TIME_ZONE

# --- Static files ----------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security --------------------------------------------------------------------------------

# Production defaults; each can be relaxed through the environment (e.g. behind a TLS proxy).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Sessions read from the shared cache, written through to the database (which stays the
# record, as before): every signed-in page spares a query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
X_FRAME_OPTIONS = "DENY"
# Error reports and the development debug page hide secrets (exchange keys pasted in a form,
# URL passwords), DEBUG or not.
DEFAULT_EXCEPTION_REPORTER_FILTER = "noonbarbari.error_reports.SecretHidingFilter"
# Our page (templates/403_csrf.html), in the site's layout and language.
CSRF_FAILURE_VIEW = "noonbarbari.views.csrf_failure"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Logging ---------------------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # ccxt logs request bodies and headers at DEBUG: never let them through.
        "ccxt": {"level": "WARNING"},
        # urllib3 logs each request line at DEBUG, and a bot's token or a Discord webhook's
        # is in its path.
        "urllib3": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}

# --- Noon Barbari ----------------------------------------------------------------------------

NOONBARBARI_SUPPORT_EMAIL = env.str("NOONBARBARI_SUPPORT_EMAIL", default="support@noonbarbari.com")
# The addresses our exchange requests leave from: users add them to their keys' IP whitelist.
NOONBARBARI_EGRESS_IPS = env.list("NOONBARBARI_EGRESS_IPS", default=["51.38.112.198"])
# Exchanges: ccxt's timeout, and base URLs that replace an exchange's real origin, e.g.
# EXCHANGE_API_OVERRIDES=kraken=http://127.0.0.1:8765,krakenfutures=http://127.0.0.1:8765
# to use the sandbox venue (manage.py sandbox_venue) instead of the internet.
EXCHANGE_TIMEOUT_MS = env.int("EXCHANGE_TIMEOUT_MS", default=10_000)
EXCHANGE_RATE_LIMIT = env.bool("EXCHANGE_RATE_LIMIT", default=True)
EXCHANGE_API_OVERRIDES = env.dict("EXCHANGE_API_OVERRIDES", default={})
# Who sees /healthz's details (hosts, cluster ids, queue): verified staff, and callers that send
# "Authorization: Bearer <HEALTHZ_TOKEN>" (monitoring). Empty: staff only.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
# Per-key locks on SQLite (PostgreSQL uses advisory locks).
LOCK_DIR = env.path("LOCK_DIR", default=VAR_DIR / "locks")

# The public host name, written into django.contrib.sites (sitemap, allauth's emails).
SITE_DOMAIN = env.str(
    "SITE_DOMAIN",
    default="127.0.0.1:8000" if DEBUG else (ALLOWED_HOSTS or ["localhost"])[0].lstrip("."),
)
# The site's public origin, for canonical and hreflang links: never the request's Host header,
# which any visitor chooses (and which would then be stored in the anonymous page cache).
SITE_URL = f"{'https' if SECURE_SSL_REDIRECT or SESSION_COOKIE_SECURE else 'http'}://{SITE_DOMAIN}"
