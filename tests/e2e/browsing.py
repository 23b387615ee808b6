"""What browser tests share: a session signed in without the login pages, the 390 px check,
axe-core, and a record of each step (a screenshot, and the page's HTML when the step fails).

Screenshots go to var/e2e-screenshots/<test>/ (or E2E_SCREENSHOTS), which .ci/run lists at
the end of a run, so a failing CI run shows what the browser saw."""

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS") or settings.BASE_DIR / "var/e2e-screenshots")
# axe-core's impacts that fail a page; "moderate" and "minor" ones are printed, not failed.
BLOCKING_IMPACTS = ("serious", "critical")
# Each link a screen reader lists, with its accessible name as axe-core computes it
# (aria-labelledby, aria-label, an image's alt, a title; never text hidden by aria-hidden) and
# its target. Links hidden from assistive technology (display:none, aria-hidden, inert) are
# left out; visually hidden ones are not. Runs after Axe().run, which injects axe-core.
LINK_NAMES = """() => {
    axe.setup(document);
    try {
        return [...document.querySelectorAll('a[href], area[href]')]
            .map(element => axe.utils.getNodeFromTree(element))
            .filter(node => node && axe.commons.dom.isVisibleToScreenReaders(node))
            .map(node => [axe.commons.text.accessibleTextVirtual(node), node.actualNode.href]);
    } finally {
        axe.teardown();
    }
}"""


def sign_in(page: Page, live_server, user, device=None) -> None:
    """Give the browser a session of `user` (with its second factor passed when `device` is
    given), for tests whose subject is not the login itself."""
    client = Client()
    client.force_login(user)
    if device is not None:
        from tests.accounts.helpers import verify_session

        verify_session(client, device)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def fits_the_screen(page: Page) -> bool:
    """No sideways scroll: the document is no wider than the window."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def accessibility_problems(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page, and links whose accessible
    name is repeated for different targets ("guide" ten times), one line each."""
    results = Axe().run(page)
    problems = []
    for v in results.response["violations"]:
        line = f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        if v["impact"] in BLOCKING_IMPACTS:
            problems.append(line)
        else:
            print(f"{page.url}: {line}")  # pytest shows it with -s, or when the test fails
    targets: dict[str, set[str]] = {}
    for name, href in page.evaluate(LINK_NAMES):
        targets.setdefault(" ".join(name.split()).lower(), set()).add(href)
    problems += [
        f"link name {name!r} leads to {len(hrefs)} places"
        for name, hrefs in targets.items()
        if name and len(hrefs) > 1
    ]
    return problems


class Steps:
    """Names each step of a journey; its screenshot is taken when it ends, its HTML kept when
    it fails (then the error goes on). On a phone-sized window, the page each step ends on
    must not scroll sideways."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        self.count += 1
        stem = self.folder / f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}"
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            yield
        except BaseException:
            with contextlib.suppress(Exception):  # a closed page must not hide the failure
                stem.with_suffix(".html").write_text(self.page.content())
                self.page.screenshot(path=f"{stem}-failed.png", full_page=True)
            raise
        self.page.screenshot(path=stem.with_suffix(".png"), full_page=True)
        size = self.page.viewport_size
        if size is not None and size["width"] <= PHONE["width"]:
            assert fits_the_screen(self.page), f"{name}: the page scrolls sideways at 390 px"
