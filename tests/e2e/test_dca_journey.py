"""A French user's DCA in a real browser: the catalog's DCA accumulator with its worst case
before anything starts, its backtest on Kraken (the sandbox venue's candles, fetched by the
"long" cluster) with the worst case and the largest deal on the report, then a paper run from
the report, whose page says the worst case again. Real: chromium, the live server, three
qclusters, ccxt against the sandbox (see test_journey for what is not real, and why)."""

import re

import pytest
from playwright.sync_api import Page, expect

from strategies.models import Backtest, CatalogEntryText
from tests.accounts.helpers import enrol, make_user
from tests.e2e.browsing import sign_in
from tests.e2e.test_journey import LONG, Texts, days_ago, platform  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.cluster, pytest.mark.django_db(transaction=True)]

# The accumulator commits 6 % of the equity at first, 14.1875 base orders at worst: 85.125 %.
WORST = "Pire cas, tous les ordres de sécurité exécutés : 85,125 % du capital, 14,1875 fois"


def spaced(text: str) -> str:
    """French numbers group thousands with a no-break space: compared as plain spaces."""
    return re.sub(r"[\u00a0\u202f]", " ", text)


def test_a_french_user_backtests_and_paper_trades_the_dca_accumulator(
    platform,  # noqa: F811 (the fixture imported above)
    live_server,
    page: Page,
    steps,
):
    t = Texts("fr")
    user = make_user("dca@example.com", preferred_language="fr")
    sign_in(page, live_server, user, device=enrol(user))
    url = live_server.url
    title = CatalogEntryText.objects.get(entry__slug="dca-accumulator", language="fr").title

    with steps("the DCA accumulator in the catalog, its worst case said"):
        page.goto(f"{url}/fr/strategies/")
        page.get_by_role("link", name=title, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.get_by_text(WORST, exact=False).first).to_be_visible()

    with steps("its backtest on Kraken"):
        page.get_by_role("link", name=t("Backtest it")).click()
        page.get_by_label(t("Exchange"), exact=True).select_option("kraken")
        page.get_by_label(t("Market"), exact=True).fill("BTC/USD")
        page.get_by_label(t("Timeframe"), exact=True).select_option("1h")
        page.get_by_label(t("From"), exact=True).fill(days_ago(30))
        page.get_by_label(t("To (included)"), exact=True).fill(days_ago(1))
        page.get_by_role("button", name=t("Run the backtest")).click()
        expect(page.get_by_role("heading", name=t("Statistics"))).to_be_visible(timeout=LONG)

    with steps("the report's worst case and largest deal"):
        backtest = Backtest.objects.get(owner=user)
        worst = 0.85125 * float(backtest.capital)
        facts = spaced(page.locator(".backtest-facts").inner_text())
        shown = f"{worst:,.2f}".replace(",", " ").replace(".", ",")
        assert f"un cycle engage jusqu’à {shown} de la devise de cotation" in facts, facts
        assert backtest.trades, "the month must make the ladder trade"
        largest = max(trade["size"] * trade["entry_price"] for trade in backtest.trades)
        assert largest <= worst * 1.001  # the worst case bounds every deal (slippage aside)
        assert "Le plus gros cycle ici a détenu" in facts
        expect(page.get_by_text(WORST, exact=False).first).to_be_visible()

    with steps("a paper run from the report, its page saying the worst case"):
        page.get_by_role("link", name=t("Start a paper run with these settings")).click()
        page.get_by_label(t("Timeframe"), exact=True).select_option("1m")
        page.get_by_role("button", name=t("Start the paper run")).click()
        state = page.locator("#run-live p").first
        expect(state).to_contain_text(t("Running"), timeout=LONG)  # prepared: history loaded
        said = spaced(page.locator("main").inner_text())
        assert "Ordres de sécurité : Avec tous les ordres de sécurité exécutés" in said
        expect(page.get_by_text(WORST, exact=False).first).to_be_visible()
