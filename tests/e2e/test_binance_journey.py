"""A user's way to Binance in a real browser, in English at desktop width: the Binance guide,
the demo key `binance-full` turning green, a year of hourly candles backtested, a paper run,
and the go-live page, which lets Binance through and turns KuCoin away, naming the exchanges
that trade live (Binance's spot markets among them, as their table says).

What is real and what is not:
- Real: Debian's chromium driven by Playwright; the site served by pytest-django's live
  server; ccxt's own binance class talking HTTP to the sandbox venue, which signs, checks
  permissions and serves klines as Binance Spot does; the tasks (connection test, backtest,
  paper-run preparation) queued as the site queues them, on commit, and run by django-q2 in
  its sync mode (tests/settings.py), as the other e2e backtest and key tests run them.
- Not real, and why: the user is made verified and enrolled in the database, and the browser
  gets a session with its second factor passed (sign-up and enrolment are test_journey's
  subject); the paper run is made a day old in the database (as the `trader` fixture of
  tests/strategies/test_runs_go_live.py does) rather than waited for; the KuCoin run and key
  are saved straight in the database, as no test may reach KuCoin.
"""

import re
import time
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, Response, expect

from exchanges import retry
from exchanges.credentials import Credentials, credentials_assign
from exchanges.models import Exchange, ExchangeKey
from strategies.models import CatalogEntryText, RunMode, StrategyRun
from tests.accounts.helpers import enrol, make_user
from tests.e2e.browsing import accessibility_problems, sign_in
from tests.e2e.test_journey import days_ago
from tests.strategies.run_helpers import paper_run
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Seconds from sending the backtest form to its report on screen: a year of hourly candles
# fetched (nine klines requests) and backtested.
REPORT_WITHIN_S = 30.0
# The go-live page's gates, in order (strategies/services/live_start.py live_gates): the
# venue, the paper run's length, the key, the risk notice, the code.
PASSED_ON_A_PAGE_NOT_SENT = 3  # the notice is ticked and the code typed only when sending


@pytest.fixture
def binance_on_sandbox(transactional_db, venue, settings, monkeypatch):
    # Transactional tests empty the database: load the content again.
    call_command("load_guides", verbosity=0)
    call_command("load_strategies", verbosity=0)
    settings.EXCHANGE_API_OVERRIDES = {"binance": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    return venue


def kucoin_paper_run(user) -> StrategyRun:
    """A day-old paper run on KuCoin BTC/USDT with a KuCoin key, saved without its connection
    test (which would call KuCoin)."""
    kucoin = Exchange.objects.get(ccxt_id="kucoin")
    key = ExchangeKey(user=user, exchange=kucoin, label="kucoin")
    credentials_assign(
        key, Credentials(api_key="not-a-kucoin-key", secret="not-a-secret", passphrase="not-one")
    )
    key.save()
    run = paper_run(user, HAND, hand_candles(), start=1, exchange=kucoin, symbol="BTC/USDT")
    StrategyRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(hours=25))
    return run


@pytest.mark.browser_context_args(locale="en-US")
def test_a_user_backtests_papers_and_reaches_the_go_live_page_on_binance(
    binance_on_sandbox, live_server, page: Page, steps
):
    venue, url = binance_on_sandbox, live_server.url
    server_errors: list[str] = []

    def note_server_error(response: Response) -> None:
        if response.status >= 500:
            server_errors.append(f"{response.status} {response.url}")

    page.on("response", note_server_error)
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    ema = CatalogEntryText.objects.get(entry__slug="ema-crossover", language="en").title

    with steps("a visitor reads the Binance guide"):
        page.goto(f"{url}/en/guides/binance/")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Connect Binance to your trading bot"
        )
        once_connected = page.locator("#once-connected")
        expect(once_connected.get_by_role("heading", level=2)).to_have_text("Once connected")
        expect(once_connected).to_contain_text(
            "On Binance Spot, a live run's stop-loss and take-profit rest at Binance together, "
            "as one OCO order: whichever triggers first cancels the other."
        )
        expect(once_connected.get_by_role("link", name=ema, exact=True)).to_be_visible()

    user = make_user("binance-journey@example.com")
    sign_in(page, live_server, user, device=enrol(user))

    with steps("the binance-full key turns green"):
        page.goto(f"{url}/en/profile/keys/")
        page.locator("a[href$='/profile/keys/add/binance/']").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Binance")
        demo = venue.key("binance-full")
        page.get_by_label("Label").fill("binance-full")
        page.get_by_label("API key").fill(demo.key)
        page.get_by_label("Secret").fill(demo.secret)
        page.get_by_role("button", name="Save the key").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("binance-full")
        expect(page.get_by_text("✓ Connected")).to_be_visible()

    with steps("a year of hours backtested on Binance"):
        page.goto(f"{url}/en/guides/binance/")
        page.locator("#once-connected").get_by_role("link", name=ema, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(ema)
        page.get_by_role("link", name="Backtest it").click()
        page.get_by_label("Exchange", exact=True).select_option("binance")
        page.get_by_label("Market", exact=True).fill("BTC/USDT")
        page.get_by_label("Timeframe", exact=True).select_option("1h")
        first_day, last_day = days_ago(365), days_ago(1)  # 365 days: 8760 hours
        page.get_by_label("From", exact=True).fill(first_day)
        page.get_by_label("To (included)", exact=True).fill(last_day)
        submitted = time.monotonic()
        page.get_by_role("button", name="Run the backtest").click()
        statistics = page.get_by_role("heading", name="Statistics")
        expect(statistics).to_be_visible(timeout=REPORT_WITHIN_S * 1000)
        seconds = time.monotonic() - submitted
        print(f"backtest: {seconds:.1f} s from submitting to the report on screen")
        assert seconds < REPORT_WITHIN_S, f"the report took {seconds:.1f} s"
        expect(page.locator("canvas").first).to_be_visible()
        expect(page.get_by_text("Binance · BTC/USDT · 1h")).to_be_visible()
        # The last day included: the period ends at the next midnight.
        after_last = date.fromisoformat(last_day) + timedelta(days=1)
        period = f"{first_day} 00:00 → {after_last} 00:00"
        expect(page.get_by_text(period, exact=True)).to_be_visible()

    with steps("a paper run on Binance BTC/USDT"):
        page.get_by_role("link", name="Start a paper run with these settings").click()
        page.get_by_role("button", name="Start the paper run").click()
        expect(page.get_by_text("Paper · Binance · BTC/USDT · 1h")).to_be_visible()
        # Prepared (history loaded) when the page shows it: the task ran as the request ended.
        expect(page.locator("#run-live p").first).to_contain_text(
            "Running Waiting for the first candle to close."
        )
    paper = StrategyRun.objects.get(owner=user, mode=RunMode.PAPER)

    # A day on paper, in the database: the page's 24-hour gate counts from started_at.
    StrategyRun.objects.filter(pk=paper.pk).update(started_at=timezone.now() - timedelta(hours=25))
    with steps("the go-live page lets Binance through"):
        page.get_by_role("link", name="Go live with this strategy").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Go live")
        expect(page.locator("main")).to_contain_text("on Binance (BTC/USDT) sends real orders")
        gates = page.locator("ul.run-gates li")
        expect(gates).to_have_count(5)
        names = ("Exchange trading live", "Time on paper", "Key")
        for passed, name in zip(gates.all()[:PASSED_ON_A_PAGE_NOT_SENT], names, strict=True):
            expect(passed).to_have_text(f"✓ {name} · Done")
        expect(gates.nth(3)).to_contain_text("Read the risk notice and tick the box")
        expect(gates.nth(4)).to_contain_text("Type a fresh code from your authenticator app")
        expect(page.get_by_text("does not trade live")).to_have_count(0)
        chosen = page.get_by_label("Exchange key", exact=True).locator("option:checked")
        expect(chosen).to_have_text("binance-full")
        assert accessibility_problems(page) == []

    kucoin = kucoin_paper_run(user)
    with steps("the go-live page turns KuCoin away"):
        page.goto(f"{url}/en/runs/{kucoin.pk}/go-live/")
        venue_gate = page.locator("ul.run-gates li").first
        expect(venue_gate).to_contain_text(
            "KuCoin does not trade live on Noon Barbari yet for spot markets"
        )
        expect(venue_gate).to_contain_text(re.compile(r"Live runs trade on [^;]*Binance \(spot\)"))
        expect(page.locator("ul.run-gates li").nth(1)).to_have_text("✓ Time on paper · Done")
        assert accessibility_problems(page) == []

    with steps("the exchanges that trade live"):
        venue_gate.get_by_role("link", name="Which exchanges trade live, and how").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Which exchanges trade live")
        binance_row = page.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name="Binance", exact=True)
        )
        expect(binance_row.get_by_role("cell").first).to_have_text("live")
        kucoin_row = page.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name="KuCoin", exact=True)
        )
        expect(kucoin_row.get_by_role("cell").first).to_have_text("paper only")

    assert server_errors == []
