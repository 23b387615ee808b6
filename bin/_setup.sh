# Sourced by bin/up and bin/test: brings a checkout to a runnable state, idempotently.
#  - a virtual environment in .venv with exactly the versions in requirements-dev.lock
#    (hash-checked; re-installed only when the lock file changes);
#  - GNU gettext, which Django's compilemessages needs (Debian package, installed if missing);
#  - compiled translations (.mo files are build products, never committed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "Noon Barbari needs Python 3.11 or newer (set PYTHON=/path/to/python)." >&2
  exit 1
}

ensure_venv() {
  if [ ! -x .venv/bin/python ]; then
    echo "==> Creating the virtual environment in .venv"
    "$(find_python)" -m venv .venv
  fi
  local stamp=.venv/.installed-lock wanted
  wanted=$(sha256sum requirements-dev.lock | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "==> Installing the locked dependencies (requirements-dev.lock)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
      --require-hashes --no-deps -r requirements-dev.lock
    echo "$wanted" >"$stamp"
  fi
}

ensure_gettext() {
  command -v msgfmt >/dev/null 2>&1 && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing GNU gettext (needed to compile translations)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
  else
    echo "GNU gettext is missing: install it (Debian/Ubuntu: sudo apt-get install gettext)." >&2
    exit 1
  fi
}

compile_messages() {
  ensure_gettext
  # Without settings: compilemessages then needs neither a .env nor a database.
  env -u DJANGO_SETTINGS_MODULE .venv/bin/django-admin compilemessages --ignore=.venv --ignore=var \
    --verbosity=0
}

ensure_venv
