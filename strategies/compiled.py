"""numba's `njit`, with its on-disk cache keyed by every compiled source at once.

numba keys a cached function by its own file's modification time and size only. A compiled
function that calls another module's compiled function (the fill loop calls tables.py and
levels.py, the CSV parser calls decimal_to_double.py and eight_digits.py) keeps the callee's
old machine code in its cache when only the callee's file changes, as a deploy that updates
only that file does.
So the cache lives in a folder named after a digest of all the sources below: any change to
any of them starts a fresh cache (compiled once, about ten seconds), and no stale code runs.

The folder is under NUMBA_CACHE_DIR when it is set, else var/numba/ in the checkout. Every
module with compiled code imports `njit` from here, never from numba directly.
"""

import hashlib
import os
from pathlib import Path

import numba
from numba import njit

ROOT = Path(__file__).resolve().parent
SOURCES = (
    "candles_parse.py",
    "decimal_to_double.py",
    "eight_digits.py",
    "engine/metrics.py",
    "engine/waits.py",
    "engine/fills/anchors.py",
    "engine/fills/kernel.py",
    "engine/fills/ladder.py",
    "engine/fills/levels.py",
    "engine/fills/model.py",
    "engine/fills/tables.py",
)


def sources_digest() -> str:
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update(name.encode())
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def cache_folder() -> Path:
    base = os.environ.get("NUMBA_CACHE_DIR") or ROOT.parent / "var" / "numba"
    return Path(base) / sources_digest()


# Read by numba when each cached function is decorated, i.e. after this import.
numba.config.CACHE_DIR = str(cache_folder())  # type: ignore[attr-defined]  # set from the env

__all__ = ["njit"]
