"""Rough edges a new user met on the trading pages (French on a phone, English on a desktop):
ISO dates in the French form, costs typed in percent and cleaned to fractions in one place,
percentages on every page, the fill model folded, CAGR without its -100 % on a young run, one
rounding for one amount. The layout at 390 px and the CSP are the browser's to check
(tests/e2e/test_french_phone_journey.py)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from strategies.engine import STATEMENT
from strategies.engine.metric_texts import METRICS
from strategies.engine.metrics import cagr
from strategies.forms.backtests import BacktestForm, PercentField
from strategies.models import Backtest, CatalogEntry
from strategies.services.run_ticks import run_tick
from strategies.views import backtest_display
from tests.strategies.mine_helpers import page, signed_in
from tests.strategies.run_helpers import kraken, paper_run, stored
from tests.strategies.test_runs_pages import FORM, verified
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = pytest.mark.django_db

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
CAGR = next(metric for metric in METRICS if metric.name == "cagr")
FINAL_EQUITY = next(metric for metric in METRICS if metric.name == "final_equity")


def value_of(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group())
    assert value, found.group()
    return value.group(1)


def report(user, **fields) -> Backtest:
    entry = CatalogEntry.objects.get(slug="ema-crossover")
    values = {
        "owner": user,
        "catalog_entry": entry,
        "strategy_name": entry.slug,
        "document": entry.document,
        "exchange": kraken(),
        "symbol": "BTC/USD",
        "timeframe": "1h",
        "start_ms": 0,
        "end_ms": HOUR_MS,
        "capital": 10_000,
        "fee": 0.004,
        "slippage_bps": 5,
        "max_volume_share": 0.1,
        "tie": "stop_first",
        "status": "done",
        "stats": {},
        "bars": 1,
        "gaps": 0,
    }
    return Backtest.objects.create(**values | fields)


# 1. Dates -------------------------------------------------------------------------------------


def test_the_french_backtest_form_writes_iso_dates_into_its_date_inputs():
    client, _user = signed_in("dates-fr@example.com")

    html = page(client.get("/fr/strategies/backtests/new/"))

    # The view's default period: the 90 days to today. <input type="date"> takes only ISO.
    start, end = value_of(html, "start"), value_of(html, "end")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", start), start
    assert (date.fromisoformat(end) - date.fromisoformat(start)).days == 90
    assert 'type="date"' in html


def test_a_french_form_reads_back_the_dates_it_wrote():
    initial = {"start": date(2026, 9, 7), "end": date(2026, 9, 30)}
    with translation.override("fr"):
        shown = BacktestForm(initial=initial)
        html = str(shown["start"]) + str(shown["end"])
        assert 'value="2026-09-07"' in html
        assert 'value="2026-09-30"' in html

        posted = BacktestForm(data={"start": "2026-09-07", "end": "2026-09-30"})
        posted.is_valid()

    assert "start" not in posted.errors
    assert "end" not in posted.errors
    assert (posted.cleaned_data["start"], posted.cleaned_data["end"]) == (
        date(2026, 9, 7),
        date(2026, 9, 30),
    )
    # [7 Sept 00:00 UTC, 1 Oct 00:00 UTC): 2026-09-07 is day 20 703 of the epoch (56 years
    # of 365 days, 14 leap days to 2024, and 249 days from 1 Jan to 7 Sept 2026).
    assert posted.period_ms() == (20_703 * DAY_MS, (20_703 + 24) * DAY_MS)
    assert 'value="2026-09-07"' in str(posted["start"])  # shown again as typed


# 6. Percent to fraction, once ---------------------------------------------------------------


def test_a_percent_field_cleans_to_the_fraction_and_shows_fractions_in_percent():
    fee = PercentField(
        required=False, min_value=Decimal(0), max_value=Decimal(10), decimal_places=4
    )

    assert fee.clean("0.4") == 0.004
    assert fee.clean("0.26") == 0.0026
    assert fee.clean("") is None
    assert fee.prepare_value(0.0026) == "0.26"
    assert fee.prepare_value(Decimal("0.1")) == "10"
    assert fee.prepare_value("0.40") == "0.40"  # typed text, shown again as typed
    with translation.override("fr"):
        with pytest.raises(ValidationError) as refused:
            fee.clean("11")  # the bound is in percent, as typed
        assert refused.value.messages == ["Cette valeur doit être inférieure ou égale à 10."]


def test_a_backtest_gets_fee_and_volume_share_as_fractions(monkeypatch):
    client, user = signed_in("percent-backtest@example.com")
    started = report(user)
    calls = []

    def start(**kwargs):
        calls.append(kwargs)
        return started

    monkeypatch.setattr("strategies.views.backtests.services.backtest_start", start)

    response = client.post(
        "/fr/strategies/backtests/new/",
        {
            "strategy": "catalog:ema-crossover",
            "exchange": "kraken",
            "symbol": "BTC/USD",
            "timeframe": "1h",
            "start": "2026-01-01",
            "end": "2026-01-03",
            "capital": "1000",
            "fee": "0.26",
            "slippage_bps": "5",
            "max_volume_share": "5",
            "tie": "stop_first",
        },
    )

    assert response.status_code == 302
    assert (calls[0]["fee"], calls[0]["max_volume_share"]) == (0.0026, 0.05)


def test_a_paper_run_gets_fee_and_volume_share_as_fractions_and_bad_input_an_error(monkeypatch):
    client, user = verified("percent-run@example.com")
    calls = []

    def start(**kwargs):
        calls.append(kwargs)
        return report(user)  # anything with a URL: the view redirects to it

    monkeypatch.setattr("strategies.views.runs.services.strategy_run_start", start)

    empty_fee = client.post("/fr/runs/new/", FORM | {"max_volume_share": "2.5"})
    typed_fee = client.post("/fr/runs/new/", FORM | {"fee": "0.1", "max_volume_share": "100"})
    refused = client.post("/fr/runs/new/", FORM | {"fee": "abc", "max_volume_share": "101"})

    assert (empty_fee.status_code, typed_fee.status_code) == (302, 302)
    # Empty fee: left to the service (the account's own tier, or the entry tier).
    assert (calls[0]["fee"], calls[0]["max_volume_share"]) == (None, 0.025)
    assert (calls[1]["fee"], calls[1]["max_volume_share"]) == (0.001, 1.0)
    text = page(refused)
    assert "Saisis un nombre." in text
    assert "Cette valeur doit être inférieure ou égale à 100." in text
    assert value_of(text, "fee") == "abc"
    assert value_of(text, "max_volume_share") == "101"
    assert len(calls) == 2


def test_a_paper_run_from_a_backtest_shows_its_costs_in_percent():
    client, user = verified("percent-initial@example.com")
    backtest = report(user, fee=0.0026, max_volume_share=0.05)

    form = page(client.get(f"/en/runs/new/?backtest={backtest.pk}"))

    assert value_of(form, "fee") == "0.26"
    assert value_of(form, "max_volume_share") == "5"


# 3. Percent everywhere, the fill model folded ------------------------------------------------


def test_costs_read_in_percent_on_the_run_and_the_backtest_page():
    client, user = verified("costs@example.com")
    candles = hand_candles()
    stored(candles)
    run = paper_run(user, HAND, candles, start=1, fee=0.004, slippage_bps=5, max_volume_share=0.1)
    backtest = report(user, fee=0.004, slippage_bps=5, max_volume_share=0.1)

    run_page = page(client.get(f"/en/runs/{run.pk}/"))
    report_page = page(client.get(f"/en/strategies/backtests/{backtest.pk}/"))

    costs = (
        "taker fee 0.4% per leg, slippage 5 basis points per leg, at most 10% of a candle's "
        "volume per order"
    )
    assert f"This paper run fills as a backtest does: {costs}." in run_page
    assert costs in report_page
    assert "(a fraction of each fill)" not in run_page
    assert "0.4000" not in report_page
    for html in (run_page, report_page):
        folded = re.search(r'<details class="details fill-model">(.*?)</details>', html, re.S)
        assert folded, "the fill model is not folded"
        # Every point of the statement (8 when this was written; other work may add some).
        points = len(STATEMENT)
        assert f"<summary>How every order is filled, in {points} points</summary>" in folded.group(
            1
        )
        assert folded.group(1).count("<li>") == points


def test_a_live_runs_page_words_its_twins_costs_in_percent():
    client, user = verified("costs-live@example.com")
    candles = hand_candles()
    stored(candles)
    run = paper_run(user, HAND, candles, start=1, fee=0.0026, slippage_bps=7.5)
    run.mode = "live"
    run.save(update_fields=["mode"])

    html = page(client.get(f"/en/runs/{run.pk}/"))

    assert (
        "This live run decides with a paper twin that fills as a backtest does: taker fee 0.26% "
        "per leg, slippage 7.5 basis points per leg, at most 10% of a candle's volume per order."
    ) in html


# 3. CAGR on a young run -----------------------------------------------------------------------


def test_cagr_needs_thirty_days_as_sharpe_does():
    # 1 % lost in 10 minutes: 0.99 ** (365.25 days / 10 minutes) - 1 rounds to -100 %.
    assert cagr(99.0, 100.0, 10 * 60_000) is None
    assert cagr(110.0, 100.0, 30 * DAY_MS - 1) is None
    # 30 days: 1.1 ** (365.25 / 30) - 1 = exp(12.175 x ln 1.1) - 1 = exp(12.175 x 0.0953102)
    # - 1 = exp(1.1604014) - 1 = 3.1912141 - 1 = 2.1912141
    assert cagr(110.0, 100.0, 30 * DAY_MS) == pytest.approx(2.1912141, rel=1e-6)
    assert cagr(0.0, 100.0, HOUR_MS) == -1.0  # an account wiped out is -100 % at any age
    assert "under 30 days" in str(CAGR.definition)


def test_a_young_runs_cagr_reads_not_enough_data():
    client, user = verified("young@example.com")
    user.preferred_language = "fr"
    user.save()
    candles = hand_candles()
    stored(candles)
    run = paper_run(user, HAND, candles, start=1, capital=1000.0, fee=0, max_volume_share=0.5)
    for bar_ms in candles.time[1:].tolist():
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    run.refresh_from_db()

    html = page(client.get(f"/fr/runs/{run.pk}/"))

    assert run.stats["total_return"] < 0  # bought at 110 and 120, sold at 80 and 70
    assert run.stats["cagr"] is None
    stat = re.search(r'#metric-cagr">[^<]*</a></dt><dd>([^<]*)</dd>', html)
    assert stat is not None
    assert stat.group(1) == "pas assez de données"
    assert "-100,00 %" not in html


# 4. One amount, one figure --------------------------------------------------------------------


def test_the_final_equity_is_rounded_as_the_accounts_equity():
    # 9910.678 rounds to 9910.68; number_format alone cut it to 9910.67.
    assert backtest_display.metric_value(FINAL_EQUITY, 9910.678) == "9,910.68"
    with translation.override("fr"):
        assert backtest_display.metric_value(FINAL_EQUITY, 9910.678) == "9\u00a0910,68"
        assert backtest_display.metric_value(CAGR, -0.123456) == "-12,35 %"


def test_a_runs_page_shows_one_figure_for_its_equity():
    client, user = verified("one-figure@example.com")
    user.preferred_language = "fr"
    user.save()
    candles = hand_candles()
    stored(candles)
    run = paper_run(user, HAND, candles, start=1, capital=10_000.0)
    run.equity = 9910.678
    run.stats = {"final_equity": 9910.678, "cagr": None}
    run.save(update_fields=["equity", "stats"])

    html = page(client.get(f"/fr/runs/{run.pk}/"))

    # "Capital", "Liquidités" (nothing held: the cash is the equity) and "Capital final".
    assert html.count("9\u00a0910,68") == 3
    assert "9\u00a0910,67" not in html
