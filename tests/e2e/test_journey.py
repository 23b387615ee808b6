"""A new user's whole journey in a real browser, once in French and once in English: from the
guides to a paper run, through sign-up, the mail, two-factor enrolment, three keys, a copied
strategy and its backtest; then the gates before going live, and logging in again.

What is real and what is not:
- Real: Debian's chromium driven by Playwright; the site served by pytest-django's live
  server (the whole Django stack, middleware and templates, on the test database: SQLite, or
  PostgreSQL in CI's second pass); two `manage.py qcluster` processes (the default cluster
  runs connection tests, paper-run preparation, the fan-out schedule and ticks; the "long"
  one backtests), as production runs them; ccxt's own kraken class talking HTTP to the
  sandbox venue, which signs, checks permissions and serves candles as Kraken does; TOTP
  codes computed from the key the page shows, as an authenticator app computes them.
- Not real, and why: the mail goes to Django's in-memory outbox (no mail server on a CI
  machine; the test reads the link from it as a user reads the message); the exchange is the
  sandbox (no test may reach the internet); the paper run uses 1-minute candles, so that "the
  next bar" closes within the test's minute rather than an hour.
"""

import re
import time
from base64 import b32decode, b64encode

import pytest
from django.core.management import call_command
from django.utils import translation
from django_otp.oath import TOTP
from django_q.conf import Conf
from django_q.models import Schedule
from playwright.sync_api import Page, expect

from exchanges import retry
from exchanges.sandbox import Fault
from strategies.models import CatalogEntryText
from tests.e2e.browsing import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.cluster, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and unusual passphrase 7"
# A secret of the right shape (88 characters of base64: 64 bytes), which is not the key's.
WRONG_SECRET = b64encode(bytes(range(64))).decode()
LONG = 60_000  # ms: a worker's task, a backtest


@pytest.fixture
def platform(transactional_db, venue, settings, start_qcluster, monkeypatch):
    """The content, the three task clusters (short tasks, backtests, run starts) pointed at
    the sandbox, and the fan-out schedule (a transactional test starts with empty tables, the
    migrations' schedules included)."""
    call_command("load_guides", verbosity=0)
    call_command("load_strategies", verbosity=0)
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    monkeypatch.setattr(Conf, "SYNC", False)
    variables = {"EXCHANGE_API_OVERRIDES": f"kraken={venue.url}", "EXCHANGE_RATE_LIMIT": "false"}
    start_qcluster(**variables)
    start_qcluster(Q_CLUSTER_NAME="long", **variables)
    start_qcluster(Q_CLUSTER_NAME="start", **variables)
    Schedule.objects.create(
        name="runs-fan-out",
        func="strategies.tasks.fan_out_runs",
        schedule_type=Schedule.MINUTES,
        minutes=1,
    )
    return venue


class Texts:
    """The product's own words in one language (its catalogs), so one journey reads both."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, message: str) -> str:
        with translation.override(self.language):
            return translation.gettext(message)


def totp_now(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the base32 key the page printed."""
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = totp.time + steps_ahead * 30
    return f"{totp.token():06d}"


def mail_link(mailoutbox, path_part: str) -> str:
    """The path of the link the last message carries (its host is the site's, not the test
    server's)."""
    (link,) = {m for m in re.findall(r"https?://[^\s\"<>]+", mailoutbox[-1].body) if path_part in m}
    return re.sub(r"^https?://[^/]+", "", link)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_new_users_journey(platform, live_server, page: Page, steps, mailoutbox, language):
    venue, url, t = platform, live_server.url, Texts(language)
    email = f"journey-{language}@example.com"
    if language == "fr":
        page.set_viewport_size(PHONE)  # the French journey on a phone, the English one not
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)

    with steps("guides index"):
        page.goto(f"{url}/{language}/guides/")
        page.get_by_role("link", name=re.compile(r"\bKraken\b(?! Futures)")).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Kraken")

    with steps("sign up"):
        page.get_by_role("link", name=t("Sign up"), exact=True).last.click()
        page.get_by_label(t("Email address"), exact=True).fill(email)
        page.get_by_label(t("Password"), exact=True).fill(PASSWORD)
        page.get_by_label(t("Password (again)"), exact=True).fill(PASSWORD)
        page.get_by_role("button", name=t("Sign up")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Confirm your email address"))

    with steps("follow the mail"):
        page.goto(url + mail_link(mailoutbox, "/confirm-email/"))
        page.get_by_role("button", name=t("Confirm the address")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Your profile"))

    with steps("turn on two-factor"):
        page.get_by_role("link", name=t("Turn on two-factor authentication")).click()
        page.get_by_text(t("Can't scan it? Type the key instead")).click()
        secret = page.locator("code.secret").inner_text()
        page.get_by_label(t("Code")).fill(totp_now(secret))
        page.get_by_role("button", name=t("Turn on")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Backup codes"))
        backup_codes = page.locator("ul.backup-codes code").all_inner_texts()
        assert len(backup_codes) >= 5
        page.get_by_role("button", name=t("I have saved my backup codes")).click()

    with steps("the full key turns green"):
        demo = venue.key("spot-full")
        add_key(page, url, language, t, "full", demo.key, demo.secret)
        expect(page.get_by_text(f"✓ {t('Connected')}")).to_be_visible(timeout=LONG)

    with steps("a wrong secret turns red"):
        other = venue.key("spot-read-only")
        add_key(page, url, language, t, "wrong secret", other.key, WRONG_SECRET)
        guide_link = page.get_by_role("link", name=t("What to do, in the guide"))
        expect(guide_link).to_be_visible(timeout=LONG)
        expect(page.locator(".callout-danger")).to_be_visible()
        said = page.locator("#key-status .helptext code").inner_text()  # Kraken's own error
        anchor = guide_link.get_attribute("href").split("#")[1]
        guide_link.click()
        expect(page).to_have_url(re.compile(f"/{language}/guides/kraken/#{anchor}$"))
        expect(page.locator(f"[id='{anchor}']")).to_be_visible()
        expect(page.locator(f"[id='{anchor}']")).to_contain_text(said)  # the right entry

    with steps("a key that can withdraw is refused"):
        risky = venue.key("spot-withdraw")
        add_key(page, url, language, t, "withdraw", risky.key, risky.secret)
        expect(page.get_by_text(t("Permissions to remove:"))).to_be_visible(timeout=LONG)
        expect(page.locator(".badge-status-refused")).to_be_visible()

    title = CatalogEntryText.objects.get(
        entry__slug="premium_discount_zones", language=language
    ).title
    with steps("the strategy the guide recommends"):
        page.goto(f"{url}/{language}/guides/kraken/")
        page.get_by_role("navigation", name=t("Main")).get_by_role(
            "link", name=t("Strategies"), exact=True
        ).click()
        page.get_by_role("link", name=title, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)

    with steps("a copy with another parameter"):
        page.get_by_role("button", name=t("Make a copy")).click()
        page.get_by_role("link", name=t("Edit parameters")).click()
        period = page.locator("form.form input[type=number]").first
        period.fill(str(int(period.input_value()) + 5))
        page.get_by_role("button", name=t("Save as a new version")).click()
        expect(page.get_by_text(t("Version %(number)s") % {"number": 2}).first).to_be_visible()

    with steps("a backtest on Kraken"):
        page.get_by_role("link", name=t("Backtest it")).click()
        page.get_by_label(t("Exchange"), exact=True).select_option("kraken")
        page.get_by_label(t("Market"), exact=True).fill("BTC/USD")
        page.get_by_label(t("Timeframe"), exact=True).select_option("1h")
        page.get_by_label(t("From"), exact=True).fill(days_ago(20))
        page.get_by_label(t("To (included)"), exact=True).fill(days_ago(1))
        # The exchange answers its first candle request slowly: long enough to see progress.
        venue.inject(Fault("slow", endpoint="OHLC", seconds=3))
        page.get_by_role("button", name=t("Run the backtest")).click()
        fetching = "Fetching candles from the exchange (once for every backtest that needs them)."
        expect(page.get_by_text(t(fetching))).to_be_visible()

    with steps("the report and its chart"):
        expect(page.get_by_role("heading", name=t("Statistics"))).to_be_visible(timeout=LONG)
        expect(page.locator("canvas").first).to_be_visible()

    with steps("a paper run from the report"):
        page.get_by_role("link", name=t("Start a paper run with these settings")).click()
        page.get_by_label(t("Timeframe"), exact=True).select_option("1m")
        page.get_by_role("button", name=t("Start the paper run")).click()
        run_url = page.url
        state = page.locator("#run-live p").first
        expect(state).to_contain_text(t("Waiting for the first candle to close."), timeout=LONG)
        expect(state).to_contain_text(t("Running"), timeout=LONG)  # prepared: history loaded

    with steps("the runs dashboard after the next bar"):
        # The page follows the run without a reload: the next 1-minute candle closes, the
        # fan-out schedule queues the run's tick, the worker evaluates it.
        evaluated = t("Last candle evaluated: %(bar)s UTC.").split("%(bar)s")[0]
        expect(state).to_contain_text(evaluated, timeout=150_000)
        page.get_by_role("link", name=t("My runs")).first.click()
        row = page.get_by_role("row").filter(has_text="BTC/USD")
        expect(row.get_by_text(t("Running"))).to_be_visible()

    with steps("what going live still needs"):
        page.goto(run_url)
        page.get_by_role("link", name=t("Go live with this strategy")).click()
        gates = page.locator("ul.run-gates li")
        expect(gates.first).to_be_visible()
        missing = " ".join(g for g in gates.all_inner_texts() if t("Done") not in g)
        paper_first = t(
            "Run this strategy on paper on %(exchange)s %(symbol)s for %(hours)d hours first: the "
            "longest paper run so far lasted %(done)s hours."
        ).split("%(done)s")[0]  # the hours done are a few minutes' worth
        assert paper_first % {"exchange": "Kraken", "symbol": "BTC/USD", "hours": 24} in missing
        assert t("Read the risk notice and tick the box that says you accept it.") in missing

    with steps("log out"):
        log_out(page, t)

    with steps("log in with a code"):
        log_in(page, url, language, t, email)
        page.get_by_label(t("Code")).fill(totp_now(secret, steps_ahead=1))
        page.get_by_role("button", name=t("Log in")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Your profile"))
        log_out(page, t)

    with steps("log in with a backup code"):
        log_in(page, url, language, t, email)
        page.get_by_label(t("Code")).fill(backup_codes[0])
        page.get_by_role("button", name=t("Log in")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Your profile"))


def add_key(page: Page, url: str, language: str, t: Texts, label: str, key: str, secret: str):
    page.goto(f"{url}/{language}/profile/keys/")
    page.locator("a[href$='/profile/keys/add/kraken/']").first.click()
    page.get_by_label(t("Label")).fill(label)
    page.get_by_label(t("API key")).fill(key)
    page.get_by_label(t("Secret")).fill(secret)
    page.get_by_role("button", name=t("Save the key")).click()


def log_out(page: Page, t: Texts) -> None:
    page.get_by_role("button", name=t("Log out")).first.click()
    expect(page.get_by_role("link", name=t("Log in")).first).to_be_visible()


def log_in(page: Page, url: str, language: str, t: Texts, email: str) -> None:
    page.goto(f"{url}/{language}/accounts/login/")
    page.get_by_label(t("Email address")).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t("Log in")).click()


def days_ago(days: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() - days * 86_400))
