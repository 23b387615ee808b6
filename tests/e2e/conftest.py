"""Browser tests: Playwright driving Debian's chromium package (never a downloaded browser)."""

import os
import re
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_EXECUTABLE") or shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; the live server's database access
# happens in its own thread, so Django's async-safety check is a false alarm here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    browser_tests = [item for item in items if "e2e" in item.keywords]
    if not browser_tests or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"Browser tests need Chromium at {CHROMIUM}; .ci/run installs it.")
    skip = pytest.mark.skip(reason="Debian's chromium package is not installed")
    for item in browser_tests:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def steps(page, request):
    """A journey's steps, each with its screenshot (tests.e2e.browsing.Steps)."""
    from tests.e2e.browsing import SCREENSHOTS, Steps

    folder = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    return Steps(page, folder)
