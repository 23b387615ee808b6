"""Requests per second: the dynamic French Kraken guide against the same page as a static file.

Both are served by one gunicorn process (sync worker, the production WSGI server) on loopback,
with production settings on a fresh SQLite database loaded by load_guides: the dynamic page
goes through Django's middleware, one query and the page cache; the static copy is served by
WhiteNoise. Load comes from `wrk` (Debian package) when it is installed, else from a Python
client, which is slower and says so. Target: dynamic >= 0.5 x static.

    .venv/bin/python bench/guides.py [--seconds 10] [--connections 4]
"""

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PAGE = "/fr/guides/kraken/"
STATIC_COPY = "bench/kraken-fr.html"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=env, check=True)


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer {url}")


def load_with_wrk(url: str, seconds: int, connections: int) -> float:
    output = subprocess.run(
        ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("Requests/sec"))
    non_2xx = [line for line in output.splitlines() if "Non-2xx" in line]
    if non_2xx:
        raise SystemExit(f"{url}: {non_2xx[0].strip()}")
    return float(line.split(":")[1])


def load_with_python(url: str, seconds: int, connections: int) -> float:
    count = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        nonlocal count
        while time.monotonic() < stop:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
                response.read()
                if response.status != 200:
                    raise SystemExit(f"{url} answered {response.status}")
            with lock:
                count += 1

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="nb-bench-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "noonbarbari.settings",
            "DJANGO_READ_DOT_ENV": "false",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": f"bench={secrets.token_urlsafe(32)}",
            "FIELD_ENCRYPTION_ACTIVE_KEY": "bench",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "CACHE_URL": f"filecache://{tmp}/cache",
            "STATIC_ROOT": f"{tmp}/static",
            "LOG_LEVEL": "WARNING",
        }
        manage(env, "migrate", "--verbosity=0")
        manage(env, "load_guides", "--verbosity=0")
        manage(env, "collectstatic", "--noinput", "--verbosity=0")

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "noonbarbari.wsgi",
                "--workers=1",
                f"--bind=127.0.0.1:{port}",
                "--log-level=warning",
            ],
            cwd=PROJECT,
            env=env,
        )
        try:
            wait_until_up(base + PAGE)
            # The static twin: the very bytes the dynamic page answers, saved under STATIC_ROOT
            # and served by WhiteNoise after a restart (it indexes files when it starts).
            with urllib.request.urlopen(base + PAGE) as response:  # noqa: S310 - loopback
                html = response.read()
            copy = Path(tmp) / "static" / STATIC_COPY
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(html)
            server.terminate()
            server.wait()
            server = subprocess.Popen(server.args, cwd=PROJECT, env=env)
            wait_until_up(f"{base}/static/{STATIC_COPY}")
            wait_until_up(base + PAGE)

            use_wrk = shutil.which("wrk") is not None
            load = load_with_wrk if use_wrk else load_with_python
            dynamic = load(base + PAGE, options.seconds, options.connections)
            static = load(f"{base}/static/{STATIC_COPY}", options.seconds, options.connections)
        finally:
            server.terminate()
            server.wait()

    print(f"load generator: {'wrk' if use_wrk else 'Python threads (install wrk for figures)'}")
    print(
        f"server: gunicorn, 1 sync worker; {options.connections} connections, {options.seconds} s"
    )
    print(f"page size: {len(html)} bytes")
    print(f"dynamic {PAGE}: {dynamic:.0f} requests/s")
    print(f"static copy via WhiteNoise: {static:.0f} requests/s")
    print(f"ratio dynamic/static: {dynamic / static:.2f} (target >= 0.50)")


if __name__ == "__main__":
    main()
