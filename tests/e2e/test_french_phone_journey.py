"""The trading pages as a new user met them: in French on a 390 px phone, the backtest form's
dates filled, every run's profit or loss and Stop button on the screen, the editor's refused
lines wrapped; and pages with a chart that log no Content-Security-Policy violation."""

import re

import numpy as np
import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from strategies.models import Backtest, CatalogEntry
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import enrol, make_user
from tests.e2e.browsing import PHONE, sign_in
from tests.strategies.mine_helpers import copied
from tests.strategies.run_helpers import kraken, paper_run, stored
from tests.strategies.test_mine_document import BROKEN
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOUR_MS = 3_600_000
# A strategy name long enough to wrap on a phone.
LONG_NAME = "moyennes-mobiles-exponentielles-croisees-avec-filtre"
# Whatever the browser logs about the policy (Chromium: "Refused to apply inline style
# because it violates ... Content Security Policy ...", "Applying inline style violates ...").
CSP_WORDS = re.compile(r"Content Security Policy|violates", re.IGNORECASE)
# Every violation the page meets, also those the console would word differently.
LISTEN_TO_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def content(transactional_db):
    # Transactional tests empty the database: load the content again.
    call_command("load_guides", verbosity=0)
    call_command("load_strategies", verbosity=0)


def runs_of(user) -> None:
    """Three paper runs: one ticked through a trade (a profit or loss), one with a long name,
    and one stopped (no Stop button)."""
    candles = hand_candles()
    stored(candles)
    ticked = paper_run(user, HAND, candles, start=1, capital=1000.0, max_volume_share=0.5)
    for bar_ms in candles.time[1:4].tolist():
        run_tick(run_id=ticked.pk, bar_ms=bar_ms)
    paper_run(user, HAND.replace("hand-worked", LONG_NAME), candles, start=1)
    stopped = paper_run(user, HAND, candles, start=1)
    stopped.status = "stopped"
    stopped.save(update_fields=["status"])


def right_edge(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    return box["x"] + box["width"]


def test_a_french_user_on_a_phone_reads_the_backtest_form_and_the_runs_dashboard(
    content, live_server, page: Page, steps
):
    user = make_user("telephone@example.com", preferred_language="fr")
    sign_in(page, live_server, user, device=enrol(user))
    page.set_viewport_size(PHONE)
    runs_of(user)

    with steps("French backtest form with its dates"):
        page.goto(f"{live_server.url}/fr/strategies/backtests/new/")
        start, end = page.locator("input[name=start]"), page.locator("input[name=end]")
        # A date input the browser could not read holds "" (and shows jj/mm/aaaa).
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", start.input_value())
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", end.input_value())
        expect(page.get_by_label("Frais taker (%)")).to_be_visible()

    with steps("French runs dashboard"):
        page.goto(f"{live_server.url}/fr/runs/")
        rows = page.locator("table.run-list tbody tr")
        expect(rows).to_have_count(3)
        for row in rows.all():
            for part in (row.locator(".run-name a"), row.locator(".badge").first):
                expect(part).to_be_visible()
                assert right_edge(part) <= PHONE["width"]
            pnl = row.locator(".run-pnl")
            expect(pnl).to_be_visible()
            assert re.search(r"\d,\d\d", pnl.inner_text()), pnl.inner_text()
            assert right_edge(pnl) <= PHONE["width"]
        stops = page.locator("table.run-list").get_by_role("button", name=re.compile("^Arrêter "))
        expect(stops).to_have_count(2)  # the stopped run has none
        for stop in stops.all():
            expect(stop).to_be_visible()
            assert right_edge(stop) <= PHONE["width"]
        scroller = page.locator(".table-scroll").first
        assert scroller.evaluate("box => box.scrollWidth <= box.clientWidth")


def test_the_editors_refused_lines_wrap_without_blank_rows_on_a_phone(
    content, live_server, page: Page, steps
):
    user = make_user("editeur@example.com")
    strategy = copied(user, "ema-crossover")
    sign_in(page, live_server, user)
    page.set_viewport_size(PHONE)

    with steps("French editor with refused lines"):
        page.goto(f"{live_server.url}/fr/strategies/mine/{strategy.pk}/edit/")
        page.locator("textarea[name=text]").fill(BROKEN)
        page.get_by_role("button", name="Enregistrer comme nouvelle version").click()
        problems = page.locator(".line-problem")
        expect(problems).to_have_count(3)
        for problem in problems.all():
            problem.scroll_into_view_if_needed()
            assert right_edge(problem) <= PHONE["width"], problem.inner_text()
        # A line without a problem is as high as its text (wrapped or not): no blank row under.
        heights = page.locator(".source-lines tr:not(.line-error)").evaluate_all(
            """rows => rows.map(row => [
                row.getBoundingClientRect().height,
                row.querySelector("code").getBoundingClientRect().height,
                parseFloat(getComputedStyle(row.querySelector("th")).lineHeight),
            ])"""
        )
        assert len(heights) == 7  # 10 lines, 3 refused
        assert all(row - text < line / 2 for row, text, line in heights), heights


def backtest_with_a_chart(user) -> Backtest:
    """A finished report with its equity and prices, as the task stores them."""
    entry = CatalogEntry.objects.get(slug="ema-crossover")
    start = 1_767_225_600_000  # 2026-01-01 00:00 UTC
    times = start + HOUR_MS * np.arange(48)
    closes = 100 + np.sin(np.arange(48) / 5) * 5
    return Backtest.objects.create(
        owner=user,
        catalog_entry=entry,
        strategy_name=entry.slug,
        document=entry.document,
        exchange=kraken(),
        symbol="BTC/USD",
        timeframe="1h",
        start_ms=start,
        end_ms=start + 48 * HOUR_MS,
        capital=10_000,
        fee=0.004,
        slippage_bps=5,
        max_volume_share=0.1,
        tie="stop_first",
        status="done",
        stats={"total_return": 0.01, "cagr": None, "final_equity": 10_100.0},
        equity=[
            [int(t) + HOUR_MS, 10_000 + 2 * float(c)] for t, c in zip(times, closes, strict=True)
        ],
        prices=[
            [int(t), float(c), float(c) + 1, float(c) - 1, float(c)]
            for t, c in zip(times, closes, strict=True)
        ],
        provenance=[[start, start + 48 * HOUR_MS, "exchange"]],
        bars=48,
        gaps=0,
    )


def test_pages_with_a_chart_log_no_csp_violation(content, live_server, page: Page, steps):
    user = make_user("graphiques@example.com")
    backtest = backtest_with_a_chart(user)
    candles = hand_candles()
    stored(candles)
    run = paper_run(user, HAND, candles, start=1, capital=1000.0, max_volume_share=0.5)
    for bar_ms in candles.time[1:4].tolist():
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    sign_in(page, live_server, user)
    logged: list[str] = []
    page.on("console", lambda message: logged.append(message.text))
    page.add_init_script(LISTEN_TO_VIOLATIONS)

    for name, url in (
        ("backtest report with charts", f"/en/strategies/backtests/{backtest.pk}/"),
        ("run page with its chart", f"/fr/runs/{run.pk}/"),
    ):
        with steps(name):
            page.goto(f"{live_server.url}{url}")
            expect(page.locator("#equity-chart canvas").first).to_be_visible()
            expect(page.get_by_role("link", name="tradingview.com")).to_be_visible()
            page.locator(".fill-model summary").click()  # folded, and opens
            expect(page.locator(".fill-model ol li").first).to_be_visible()
            assert page.evaluate("window.cspViolations") == [], name

    assert [text for text in logged if CSP_WORDS.search(text)] == []
