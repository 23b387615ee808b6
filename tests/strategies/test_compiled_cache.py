"""numba's cache is keyed by every compiled source at once (strategies/compiled.py): a module
with compiled code that the digest does not cover could run stale machine code after a deploy
that changes only it."""

import re
from pathlib import Path

from strategies import compiled

STRATEGIES = Path(compiled.__file__).resolve().parent


def test_every_module_with_compiled_code_is_in_the_caches_digest_and_takes_njit_from_it():
    compiling = set()
    for path in STRATEGIES.rglob("*.py"):
        if path.name == "compiled.py":
            continue  # the one module that takes it from numba
        text = path.read_text()
        if re.search(r"^from numba import .*\bnjit\b", text, re.MULTILINE):
            raise AssertionError(f"{path}: take njit from strategies.compiled")
        if "from strategies.compiled import njit" in text:
            compiling.add(path.relative_to(STRATEGIES).as_posix())

    assert compiling == set(compiled.SOURCES)


def test_the_cache_folder_changes_with_any_compiled_source(tmp_path, monkeypatch):
    for name in compiled.SOURCES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text((STRATEGIES / name).read_text())
    monkeypatch.setattr(compiled, "ROOT", tmp_path)
    before = compiled.sources_digest()

    (tmp_path / "engine/fills/tables.py").write_text("# a callee changed\n")

    assert compiled.sources_digest() != before
