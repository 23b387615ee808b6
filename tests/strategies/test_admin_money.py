"""The admin shows a run's money to the cent, not as the float the fills left."""

from decimal import Decimal

import pytest
from django.urls import reverse

from exchanges.models import Exchange
from strategies.models import RunMode, RunStatus, StrategyRun
from tests.accounts.helpers import make_user

pytestmark = pytest.mark.django_db

RAW_EQUITY = 9968.159524040233


@pytest.fixture
def run() -> StrategyRun:
    return StrategyRun.objects.create(
        owner=make_user("trader@example.com"),
        strategy_name="EMA crossover",
        document="name: EMA crossover",
        exchange=Exchange.objects.get(slug="kraken"),
        symbol="BTC/USD",
        timeframe="1h",
        mode=RunMode.PAPER,
        capital=Decimal("10000.00"),
        fee=0.001,
        slippage_bps=5.0,
        max_volume_share=0.1,
        tie="stop_first",
        status=RunStatus.RUNNING,
        history_ms=0,
        start_ms=3_600_000,
        equity=RAW_EQUITY,
    )


def test_the_run_list_shows_equity_to_the_cent(admin_client, run):
    page = admin_client.get(reverse("admin:strategies_strategyrun_changelist")).content.decode()

    # 9968.1595... rounded to the cent: the third decimal (9) carries the second up to 6.
    assert '<td class="field-equity_to_the_cent">9968.16</td>' in page
    assert "9968.159" not in page


def test_the_run_page_shows_equity_and_capital_to_the_cent(admin_client, run):
    url = reverse("admin:strategies_strategyrun_change", args=[run.pk])

    page = admin_client.get(url).content.decode()

    assert '<div class="readonly">9968.16</div>' in page
    assert '<div class="readonly">10000.00</div>' in page  # the starting capital
    assert "9968.159" not in page


def test_french_staff_read_a_decimal_comma(admin_client, run):
    url = reverse("admin:strategies_strategyrun_changelist").replace("/en/", "/fr/", 1)

    page = admin_client.get(url).content.decode()

    assert '<td class="field-equity_to_the_cent">9968,16</td>' in page


def test_the_list_still_sorts_by_equity(admin_client, run):
    url = reverse("admin:strategies_strategyrun_changelist")

    page = admin_client.get(url).content.decode()

    assert 'class="sortable column-equity_to_the_cent"' in page
