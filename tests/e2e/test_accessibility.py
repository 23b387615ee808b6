"""axe-core on the site's main pages, in English on a desktop screen and in French on a phone:
no serious or critical violation, and no link name repeated for different targets
(tests.e2e.browsing.accessibility_problems). No axe rule is disabled.

One set of data serves every page: the guides and the strategy catalog, a user with both
factors passed, a green and a red Kraken key tested against the sandbox venue, a paper run with
a few ticks, and a finished backtest. Every page is checked before the test fails, so one run
lists all the problems; a page with problems leaves its screenshot and HTML in
var/e2e-screenshots/<test>/ (only then: screenshots of every page would double the time)."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from exchanges import retry
from exchanges.models import KeyStatus
from strategies.models import Backtest, BacktestStatus, CatalogEntry
from strategies.services.backtests import backtest_start
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import enrol, make_user
from tests.e2e.browsing import PHONE, SCREENSHOTS, accessibility_problems, sign_in
from tests.strategies.backtest_run_helpers import day_ms, days_ago
from tests.strategies.run_helpers import kraken, paper_run, sandbox_key, stored
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
EMAIL = "accessibility@example.com"
SIGNED_OUT = {
    "the home page": "",
    "the guides": "guides/",
    "Kraken's guide": "guides/kraken/",
    "sign-up": "accounts/signup/",
    "login": "accounts/login/",
}


@pytest.fixture
def signed_in_pages(transactional_db, venue, settings, monkeypatch):
    """The user, and the paths of the pages that show their data, by name."""
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    call_command("load_strategies", verbosity=0)
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    user = make_user(EMAIL)

    green = sandbox_key(venue, user, "spot-full")  # its connection test runs inline
    red = sandbox_key(venue, user, "spot-withdraw")  # it can withdraw funds: refused
    assert (green.status, red.status) == (KeyStatus.OK, KeyStatus.REFUSED)

    candles = hand_candles()
    stored(candles)
    run = paper_run(user, HAND, candles, start=1, capital=1000.0, max_volume_share=0.5)
    for bar_ms in candles.time[1:4].tolist():
        run_tick(run_id=run.pk, bar_ms=bar_ms)

    # Queued when the transaction commits (at once here), run inline: tasks are synchronous.
    backtest = backtest_start(
        owner=user,
        source=CatalogEntry.objects.get(slug="ema-crossover"),
        exchange=kraken(),
        symbol="BTC/USD",
        timeframe="1h",
        start_ms=day_ms(days_ago(3)),
        end_ms=day_ms(days_ago(1)),
        capital=Decimal(10_000),
        fee=0.001,
    )
    assert Backtest.objects.get(pk=backtest.pk).status == BacktestStatus.DONE

    return user, {
        "the keys": "profile/keys/",
        "a green key": f"profile/keys/{green.pk}/",
        "a red key": f"profile/keys/{red.pk}/",
        "the strategy library": "strategies/",
        "a strategy": "strategies/ema-crossover/",
        "a backtest report": f"strategies/backtests/{backtest.pk}/",
        "the runs": "runs/",
        "a paper run": f"runs/{run.pk}/",
        "the notifications": "profile/notifications/",
        "the risk limits": "runs/limits/",
    }


@pytest.mark.parametrize(
    ("language", "screen"),
    [pytest.param("en", DESKTOP, id="en"), pytest.param("fr", PHONE, id="fr-phone")],
)
def test_the_main_pages_have_no_serious_accessibility_problem(
    signed_in_pages, live_server, page: Page, request, language, screen
):
    user, private = signed_in_pages
    page.set_viewport_size(screen)
    folder = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    found: dict[str, list[str]] = {}

    def audit(name: str) -> None:
        assert page.evaluate("document.documentElement.lang") == language, name
        if problems := accessibility_problems(page):
            found[name] = problems
            stem = folder / re.sub(r"[^a-z0-9]+", "-", name.lower())
            folder.mkdir(parents=True, exist_ok=True)
            stem.with_suffix(".html").write_text(page.content())
            page.screenshot(path=stem.with_suffix(".png"), full_page=True)

    def visit(name: str, path: str) -> None:
        url = f"{live_server.url}/{language}/{path}"
        response = page.goto(url)
        assert response is not None, name
        assert response.ok, (name, response.status)
        assert page.url == url, f"{name}: sent to {page.url}"  # not a login page instead
        audit(name)

    for name, path in SIGNED_OUT.items():
        visit(name, path)
    # The login form with its error.
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill("not the password")
    page.locator("main button[type=submit]").click()
    page.locator(".errorlist, [role=alert]").first.wait_for()
    audit("login refused")

    sign_in(page, live_server, user, device=enrol(user))
    for name, path in private.items():
        visit(name, path)

    assert not found, "\n".join(
        f"{name}:\n" + "\n".join(f"  {line}" for line in lines) for name, lines in found.items()
    )
