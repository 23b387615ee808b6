"""Test settings: the real settings module, with test values for what the environment gives.

Only environment *defaults* are set here, so CI can still point the suite at PostgreSQL
with DATABASE_URL. A developer's .env is ignored to keep runs hermetic.
"""

import os

os.environ.setdefault("DJANGO_READ_DOT_ENV", "false")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Test key-encryption keys (32 bytes each), never used anywhere else.
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS",
    "test2=dGVzdC1rZWstdHdvLTMyLWJ5dGVzLWxvbmctLS0tLS0,"
    "test1=dGVzdC1rZWstb25lLTMyLWJ5dGVzLWxvbmctLS0tLS0",
)
os.environ.setdefault("FIELD_ENCRYPTION_ACTIVE_KEY", "test2")
# The test client and the live server speak plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")

from noonbarbari.settings import *  # noqa: F403
from noonbarbari.settings import CACHES, DATABASES, Q_CLUSTER, VAR_DIR

# A file, not SQLite's in-memory default, so that tests can start a real qcluster process
# on the same database; one per run, so that two runs on one checkout do not collide.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}

CACHES = {**CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks run inline unless a test starts a real cluster.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Plain storage: the suite must not depend on a collectstatic run (a test covers the manifest).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Serve static files from the apps, as `runserver` does, rather than from a collected STATIC_ROOT.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
