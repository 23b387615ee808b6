"""No application module is over 400 lines (the house rule: small modules).

A module that grows past the limit is split at its natural seams; this test names each one
that did, with its line count, so the rule holds without anyone counting by hand.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("accounts", "exchanges", "guides", "noonbarbari", "strategies", "bench")
MAX_LINES = 400
# Generated migrations and test code are not application modules.
SKIPPED_DIRECTORIES = {"migrations", "tests", "__pycache__"}


def application_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if not SKIPPED_DIRECTORIES & set(path.relative_to(ROOT).parts[:-1])
    )


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_application_module_is_over_400_lines():
    modules = application_modules()
    # The apps hold far more modules than this: fewer means the walk looked in the wrong place,
    # and an empty walk would pass without checking anything.
    assert len(modules) > 100, f"only {len(modules)} modules found under {APPS}"

    too_long = {
        path.relative_to(ROOT).as_posix(): lines
        for path in modules
        if (lines := line_count(path)) > MAX_LINES
    }

    assert not too_long, (
        f"modules over {MAX_LINES} lines (split them at their seams):\n"
        + "\n".join(f"  {name}: {lines} lines" for name, lines in sorted(too_long.items()))
    )


def test_the_line_count_is_the_number_of_lines(tmp_path):
    # Worked out by hand: three lines, the last without a final newline, and a blank one.
    module = tmp_path / "module.py"
    module.write_text("a = 1\n\nb = 2", encoding="utf-8")

    assert line_count(module) == 3


def test_migrations_and_tests_are_not_counted():
    names = {path.relative_to(ROOT).parts for path in application_modules()}
    # Migrations exist in the tree, so leaving them out is something the walk really does.
    assert (ROOT / "accounts" / "migrations" / "0001_initial.py").exists()

    assert not any("migrations" in parts[:-1] or "tests" in parts[:-1] for parts in names)
    assert ("exchanges", "sandbox", "server.py") in names
