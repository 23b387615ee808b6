"""Backtest runs against the sandbox venue: the form's refusals (English and French), a run end
to end through the form, the task and the report, idempotence, cancel, the per-user limit, the
CSV ledger, the history's query count, and every route closed to other users."""

import csv
import io
from datetime import datetime
from itertools import pairwise
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from exchanges import retry
from strategies import rules
from strategies.engine import FillModel, Market, backtest, history_bars
from strategies.models import Backtest, BacktestStatus, CatalogEntry, LongJob
from strategies.services import backtests as services
from strategies.services import candle_fills
from strategies.services.candles import candles_import
from strategies.views import backtest_display as display
from tests.strategies.backtest_run_helpers import (
    HOUR_MS,
    day_ms,
    days_ago,
    form_data,
    venue_hours,
)
from tests.strategies.mine_helpers import copied, page, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def kraken(venue, settings, monkeypatch):
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    return venue


def start_through_form(client, django_capture_on_commit_callbacks, language="en", **changes):
    """Post the form; the task runs once the request's transaction commits; then the page the
    user is sent to (the report, or the form with its errors)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/{language}/strategies/backtests/new/", form_data(**changes))
    if response.status_code == 302:
        return client.get(response["Location"])
    return response


def only_backtest(user) -> Backtest:
    (found,) = Backtest.objects.filter(owner=user)
    return found


def test_a_backtest_runs_end_to_end_through_the_form_the_task_and_the_report(
    kraken, django_capture_on_commit_callbacks
):
    client, user = signed_in("runner@example.com")

    response = start_through_form(client, django_capture_on_commit_callbacks)

    text = page(response)
    run = only_backtest(user)
    assert run.status == BacktestStatus.DONE, run.error_code
    start = day_ms(days_ago(3))
    assert (run.start_ms, run.end_ms) == (start, day_ms(days_ago(0)))
    assert run.bars == 72
    assert run.gaps == 0
    assert run.fee == pytest.approx(0.0040)  # Kraken's entry-tier taker fee, 0.40 %
    assert run.provenance
    assert {source for _a, _b, source in run.provenance} == {"exchange"}
    # The same engine on the venue's own candles, with the same warm-up, gives the same trades:
    # the store, the warm-up and the results' storage lose or add nothing.
    document = rules.parse(CatalogEntry.objects.get(slug="ema-crossover").document)
    warm = history_bars(document, "1h")
    candles = venue_hours(kraken, start - warm * HOUR_MS, warm + 72)
    expected = backtest(
        document,
        candles,
        capital=10_000.0,
        model=FillModel(fee=0.004, slippage_bps=0, max_volume_share=0.1),
        market=Market(amount_step=1e-8, min_amount=0.00005, min_cost=0.5),
        warmup=warm,
    )
    assert [t["entry_time"] for t in run.trades] == [t.entry_time for t in expected.trades]
    assert [t["pnl"] for t in run.trades] == pytest.approx([t.pnl for t in expected.trades])
    assert run.stats["final_equity"] == pytest.approx(expected.stats.final_equity)
    assert all(t["entry_time"] >= start for t in [*run.trades, *run.open_trades])
    # The warm-up in full, and a candle's median move over the period by a plain loop.
    assert (run.warmup_bars, run.warmup_wanted) == (warm, warm)
    closes = candles.close[warm:].tolist()
    moves = sorted(abs(after / before - 1) for before, after in pairwise(closes))
    assert len(moves) % 2 == 1
    assert run.typical_move == pytest.approx(moves[len(moves) // 2])
    assert len(run.equity) == 72
    assert len(run.prices) == 72
    # The report, titled by the catalog's title (its document names it by its slug).
    assert "Backtest of EMA crossover" in text
    assert "Total return" in text
    assert "Sharpe ratio (daily, annualised with √365)" in text
    assert "not enough data" in text  # three days are under the 30 days Sharpe needs
    assert "Decisions are taken at a bar's close, on closed bars only." in text
    assert "Download the ledger (CSV)" in text
    assert 'id="backtest-chart-data"' not in text  # the chart's data is fetched apart
    assert "lightweight-charts.standalone.production.js" in text
    chart = client.get(reverse("strategies:backtests:chart", args=[run.pk]))
    columns = chart.json()
    assert chart["Cache-Control"] == "private, max-age=86400"
    # One column per field, times in seconds: the stored points, to the 8 digits drawn.
    assert columns["equity"]["time"] == [ms // 1000 for ms, _value in run.equity]
    drawn = pytest.approx([value for _ms, value in run.equity], rel=1e-7)
    assert columns["equity"]["value"] == drawn
    assert columns["prices"]["close"] == pytest.approx([row[4] for row in run.prices], rel=1e-7)
    # Buy and hold on the same times: the capital bought at the first open and marked at each
    # close, by hand from the venue's candles; it ends on the buy-and-hold return stated.
    period = candles.slice(warm, len(candles))
    units = 10_000.0 / float(period.open[0])
    held = [units * close for close in period.close.tolist()]
    assert columns["equity"]["hold"] == pytest.approx(held, rel=1e-7)
    assert held[-1] / 10_000.0 - 1 == pytest.approx(run.stats["buy_and_hold_return"])
    assert columns["labels"]["hold"] == "Buy and hold"
    # The strategy's two averages over the candles, a value per price point.
    lines = columns["indicators"]
    assert [(line["label"], line["pane"]) for line in lines] == [
        ("EMA 20", False),
        ("EMA 50", False),
    ]
    assert all(len(line["values"]) == len(run.prices) for line in lines)
    entries = [
        time
        for time, entry in zip(*(columns["markers"][k] for k in ("time", "entry")), strict=True)
        if entry
    ]
    assert len(entries) == len(run.trades) + len(run.open_trades)
    assert "the exchange's candles" in text
    assert "ema_fast: {kind: ema, period: 20}" in text


def test_running_the_task_again_changes_nothing(kraken, django_capture_on_commit_callbacks):
    client, user = signed_in("twice@example.com")
    start_through_form(client, django_capture_on_commit_callbacks)
    first = only_backtest(user)
    assert first.status == BacktestStatus.DONE

    services.backtest_run(backtest_id=first.pk)

    again = only_backtest(user)
    assert (again.finished_at, again.trades, again.stats, again.equity) == (
        first.finished_at,
        first.trades,
        first.stats,
        first.equity,
    )


def test_a_retried_run_replaces_its_partial_results(kraken, django_capture_on_commit_callbacks):
    client, user = signed_in("retry@example.com")
    start_through_form(client, django_capture_on_commit_callbacks)
    done = only_backtest(user)
    # As if a worker died while simulating, after writing half a result.
    Backtest.objects.filter(pk=done.pk).update(
        status=BacktestStatus.SIMULATING, trades=[{"junk": 1}], stats=None, gaps=99
    )

    services.backtest_run(backtest_id=done.pk)

    retried = only_backtest(user)
    assert retried.status == BacktestStatus.DONE
    assert retried.trades == done.trades
    assert retried.gaps == 0
    assert retried.stats == done.stats


def test_cancel_stops_a_queued_backtest_and_the_task_leaves_it_alone(
    kraken, django_capture_on_commit_callbacks
):
    client, user = signed_in("cancel@example.com")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post("/en/strategies/backtests/new/", form_data())
    run = only_backtest(user)
    assert run.status == BacktestStatus.QUEUED
    assert len(queued) == 1
    assert "Cancel the backtest" in page(client.get(run.get_absolute_url()))

    response = client.post(reverse("strategies:backtests:cancel", args=[run.pk]), follow=True)
    queued[0]()  # the worker picks the task up afterwards

    run.refresh_from_db()
    assert run.status == BacktestStatus.CANCELLED
    assert run.stats is None
    assert run.trades == []
    assert "Backtest cancelled." in page(response)


def test_cancel_while_fetching_stops_at_the_next_progress(
    kraken, django_capture_on_commit_callbacks, monkeypatch
):
    client, user = signed_in("midway@example.com")
    original = candle_fills.candles_fill

    def cancelled_meanwhile(**arguments):
        services.backtest_cancel(backtest=only_backtest(user))
        return original(**arguments)

    monkeypatch.setattr(candle_fills, "candles_fill", cancelled_meanwhile)
    start_through_form(client, django_capture_on_commit_callbacks)

    run = only_backtest(user)
    assert run.status == BacktestStatus.CANCELLED
    assert run.stats is None
    assert run.bars is None
    # Nobody waits for the fill any more: it stopped at its first page (what it got stays).
    assert run.fill.status == "cancelled"
    assert not LongJob.objects.exists()


@pytest.mark.parametrize(
    ("language", "changes", "message"),
    [
        ("en", {"symbol": "BTC/XYZ"}, "Kraken has no market BTC/XYZ (any more)."),
        ("fr", {"symbol": "BTC/XYZ"}, "Kraken n\u2019a pas de marché BTC/XYZ (ou plus)."),
        (
            "en",
            {"strategy": "catalog:breakout-momentum"},
            "This strategy can open short positions, which this market does not allow",
        ),
        (
            "fr",
            {"strategy": "catalog:breakout-momentum"},
            "Cette stratégie peut ouvrir des positions short, ce que ce marché ne permet",
        ),
        (
            "en",
            {"start": days_ago(-2).isoformat(), "end": days_ago(-3).isoformat()},
            "The period starts in the future: no candle has closed in it yet.",
        ),
        (
            "fr",
            {"start": days_ago(-2).isoformat(), "end": days_ago(-3).isoformat()},
            "La période commence dans le futur\u00a0: aucune bougie n\u2019y est encore close.",
        ),
        (
            "en",
            {"start": days_ago(2).isoformat(), "end": days_ago(4).isoformat()},
            "The period is empty: its end must come after its start.",
        ),
        (
            "fr",
            {"start": days_ago(2).isoformat(), "end": days_ago(4).isoformat()},
            "La période est vide\u00a0: sa fin doit venir après son début.",
        ),
        ("en", {"capital": "0"}, "Ensure this value is greater than or equal to 0.01."),
        ("fr", {"capital": "-5"}, "Cette valeur doit être supérieure ou égale à 0.01."),
    ],
)
def test_the_form_refuses_what_cannot_run_and_keeps_what_was_typed(
    kraken, django_capture_on_commit_callbacks, language, changes, message
):
    client, user = signed_in("refused@example.com")

    response = start_through_form(client, django_capture_on_commit_callbacks, language, **changes)

    text = page(response)
    assert message in text
    assert not Backtest.objects.filter(owner=user).exists()
    assert 'value="BTC/' in text  # what was typed is still there


def test_an_exchange_out_of_reach_is_said_to_be_out_of_reach(
    settings, django_capture_on_commit_callbacks
):
    settings.EXCHANGE_API_OVERRIDES = {"kraken": "http://127.0.0.1:9"}
    settings.EXCHANGE_RATE_LIMIT = False
    client, user = signed_in("offline@example.com")

    response = start_through_form(client, django_capture_on_commit_callbacks)

    assert "Kraken did not answer in time or is under maintenance." in page(response)
    assert not Backtest.objects.filter(owner=user).exists()


def test_a_third_backtest_at_once_is_refused(kraken, django_capture_on_commit_callbacks):
    client, user = signed_in("busy@example.com")
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/en/strategies/backtests/new/", form_data())
        client.post("/en/strategies/backtests/new/", form_data(symbol="ETH/USD"))
    assert Backtest.objects.filter(owner=user, status=BacktestStatus.QUEUED).count() == 2

    english = page(start_through_form(client, django_capture_on_commit_callbacks))
    french = page(start_through_form(client, django_capture_on_commit_callbacks, "fr"))

    assert "You already have 2 backtests queued or running" in english
    assert "Tu as déjà 2 backtests en attente ou en cours" in french
    assert Backtest.objects.filter(owner=user).count() == 2


def test_the_ledger_downloads_as_csv(kraken, django_capture_on_commit_callbacks):
    client, user = signed_in("csv@example.com")
    start_through_form(client, django_capture_on_commit_callbacks, max_volume_share="0")
    run = only_backtest(user)

    response = client.get(reverse("strategies:backtests:csv", args=[run.pk]))

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(run.trades) + len(run.open_trades)
    for row, trade in zip(rows, [*run.trades, *run.open_trades], strict=True):
        opened = datetime.fromisoformat(row["entry_time"].replace("Z", "+00:00"))
        assert opened.timestamp() * 1000 == trade["entry_time"]
        assert row["entry_time"].endswith("Z")
        assert float(row["pnl"]) == pytest.approx(trade["pnl"], rel=1e-9)
        if trade in run.trades:  # closed: with its excursions, as fractions
            assert float(row["mae"]) == pytest.approx(trade["mae"], rel=1e-9)
            assert float(row["mae"]) <= 0 <= float(row["mfe"])


def test_the_csv_gives_times_in_iso_and_numbers_without_float_noise():
    trade = {
        "side": "long",
        "entry_time": 1_704_067_200_000,  # 2024-01-01 00:00 UTC
        "entry_price": 56414.69999999999,
        "exit_time": 1_704_070_800_000,
        "exit_price": 0.1 + 0.2,
        "size": 0.123456789123,
        "pnl": -1.0000000000000002,
        "fees": 0.30000000000000004,
        "exit_reason": "signal",
    }

    row = display.csv_row(trade, amount_step=1e-8)

    assert row["entry_time"] == "2024-01-01T00:00:00Z"
    assert row["exit_time"] == "2024-01-01T01:00:00Z"
    assert (row["entry_price"], row["exit_price"]) == (56414.7, 0.3)
    assert (row["pnl"], row["fees"]) == (-1.0, 0.3)
    assert row["size"] == 0.12345679  # eight decimals: the market's step of 1e-08
    assert display.csv_row(trade, amount_step=None)["size"] == 0.123456789123


def test_a_users_own_strategy_is_backtested_from_its_page(
    kraken, django_capture_on_commit_callbacks
):
    client, user = signed_in("mine@example.com")
    strategy = copied(user, "ema-crossover")
    detail = page(client.get(strategy.get_absolute_url()))
    link = f"/en/strategies/backtests/new/?strategy=mine:{strategy.pk}"
    assert link.replace("&", "&amp;") in detail or link in detail
    assert "selected>" in page(client.get(link))

    start_through_form(client, django_capture_on_commit_callbacks, strategy=f"mine:{strategy.pk}")

    run = only_backtest(user)
    assert run.status == BacktestStatus.DONE
    assert run.strategy_version is not None
    assert run.strategy_version.strategy == strategy


def test_the_catalog_page_offers_a_backtest():
    text = page(signed_in("reader@example.com")[0].get("/en/strategies/ema-crossover/"))
    assert "/en/strategies/backtests/new/?strategy=catalog:ema-crossover" in text
    assert "Backtest it" in text


def test_the_history_lists_and_filters_in_a_fixed_number_of_queries(
    kraken, django_capture_on_commit_callbacks, django_assert_num_queries
):
    client, user = signed_in("history@example.com")
    start_through_form(client, django_capture_on_commit_callbacks)
    start_through_form(client, django_capture_on_commit_callbacks, symbol="ETH/USD")
    Backtest.objects.filter(owner=user, symbol="ETH/USD").update(status=BacktestStatus.FAILED)

    # The user, the backtests with their exchange, their catalog titles: the session and the
    # banner's keys to replace are read from the cache once the first page has read them.
    with django_assert_num_queries(3):
        text = page(client.get("/en/strategies/backtests/"))
    assert text.count('class="badge badge-backtest-') == 2
    filtered = page(client.get("/en/strategies/backtests/?status=failed"))
    assert filtered.count('class="badge badge-backtest-') == 1
    assert "ETH/USD" in filtered


def test_the_history_rounds_a_return_as_the_report_does(kraken, django_capture_on_commit_callbacks):
    client, user = signed_in("rounding@example.com")
    start_through_form(client, django_capture_on_commit_callbacks)
    done = only_backtest(user)
    done.stats = {**(done.stats or {}), "total_return": 0.0053}
    done.save(update_fields=["stats"])

    # It read "1 %": the list rounded to whole percents where the report shows 0.53 %.
    assert "<td>0.53 %</td>" in page(client.get("/en/strategies/backtests/"))
    assert "<td>0,53 %</td>" in page(client.get("/fr/strategies/backtests/"))


def test_two_reports_side_by_side(kraken, django_capture_on_commit_callbacks):
    client, user = signed_in("compare@example.com")
    start_through_form(client, django_capture_on_commit_callbacks)
    start_through_form(client, django_capture_on_commit_callbacks, slippage_bps="25")
    first, second = Backtest.objects.filter(owner=user).order_by("pk")

    text = page(client.get(f"/fr/strategies/backtests/compare/?a={first.pk}&b={second.pk}"))

    assert "Deux backtests côte à côte" in text
    assert text.count("Croisement d’EMA") >= 2
    assert "Rendement total" in text


def test_comparing_with_one_pick_says_what_is_missing(kraken):
    client, _user = signed_in("compare-one@example.com")

    response = client.get("/en/strategies/backtests/compare/?a=1", follow=True)

    assert response.redirect_chain[-1][0] == "/en/strategies/backtests/"
    assert "Pick two backtests to compare: one as A and one as B." in page(response)


def test_another_users_backtest_is_not_found_on_any_route(
    kraken, django_capture_on_commit_callbacks
):
    owner_client, owner = signed_in("owner@example.com")
    start_through_form(owner_client, django_capture_on_commit_callbacks)
    mine = only_backtest(owner)
    other_client, other = signed_in("other@example.com")
    start_through_form(other_client, django_capture_on_commit_callbacks)
    theirs = only_backtest(other)

    for name in ("detail", "progress", "csv"):
        url = reverse(f"strategies:backtests:{name}", args=[mine.pk])
        assert other_client.get(url).status_code == 404, name
    cancel = reverse("strategies:backtests:cancel", args=[mine.pk])
    assert other_client.post(cancel).status_code == 404
    compare = reverse("strategies:backtests:compare")
    assert other_client.get(f"{compare}?a={theirs.pk}&b={mine.pk}").status_code == 404
    listed = page(other_client.get("/en/strategies/backtests/"))
    assert f"/en/strategies/backtests/{mine.pk}/" not in listed
    assert f"/en/strategies/backtests/{theirs.pk}/" in listed
    # Visitors are sent to log in.
    visitor = Client()
    for name in ("detail", "progress", "csv"):
        response = visitor.get(reverse(f"strategies:backtests:{name}", args=[mine.pk]))
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_the_docs_page_states_the_fill_model_and_defines_every_statistic():
    english = page(Client().get("/en/docs/backtests/"))
    french = page(Client().get("/fr/docs/backtests/"))

    assert "Stop-loss and take-profit levels are set from the entry fill price E" in english
    assert "Gross profit divided by gross loss, in money" in english
    assert "Rendement total" in french
    assert "Facteur de profit" in french


def test_the_form_says_what_data_is_already_held_for_the_market(
    kraken, django_capture_on_commit_callbacks
):
    client, _user = signed_in("reach@example.com")
    data = "/fr/strategies/backtests/data/?exchange=kraken&symbol=BTC/USD&timeframe=1h"
    assert "encore conservé pour Kraken BTC/USD 1h" in page(client.get(data))

    start_through_form(client, django_capture_on_commit_callbacks)

    held = page(client.get(data))
    assert "Déjà conservé pour Kraken BTC/USD 1h" in held
    assert f"→ {days_ago(0).isoformat()} 00:00" in held  # the period ends at midnight today
    # An exchange not offered, or nothing chosen yet: only the general note.
    other = page(
        client.get("/en/strategies/backtests/data/?exchange=nowhere&symbol=X&timeframe=1h")
    )
    assert "Already held" not in other
    assert "Kraken's candle history reaches back 720 candles" in other


def imported_hours(owner, hours: int = 30 * 24):
    """A month of the user's own hourly candles, ending at midnight today (a slow rise)."""
    end = day_ms(days_ago(0))
    lines = ["timestamp,open,high,low,close,volume"]
    for index in range(hours):
        price = 100 + index * 0.1 + (5 if index % 48 < 24 else -5)
        time_ms = end - (hours - index) * 3_600_000
        lines.append(f"{time_ms},{price},{price + 1},{price - 1},{price + 0.5},1000")
    return candles_import(owner=owner, symbol="MY/COIN", source="\n".join(lines).encode())


def own_data_form(series, **changes):
    base = form_data(candles=str(series.pk), exchange="", symbol="", fee="0.1")
    return base | changes


def test_a_backtest_runs_on_candles_the_user_imported(django_capture_on_commit_callbacks):
    client, user = signed_in("own-data@example.com")
    series = imported_hours(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/strategies/backtests/new/", own_data_form(series))
    assert response.status_code == 302

    run = only_backtest(user)
    assert run.status == BacktestStatus.DONE, run.error_code
    assert (run.exchange, run.series, run.symbol, run.fee) == (None, series, "MY/COIN", 0.001)
    report = page(client.get(run.get_absolute_url()))
    assert "Your imported candles · <code>MY/COIN</code> · 1h" in report
    assert run.bars == 3 * 24  # the three days of the period, warm-up excluded


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"fee": ""}, "Give the fee: your own candles come with none."),
        ({"timeframe": "4h"}, "Your candles are 1h bars: choose 1h."),
        ({"strategy": "catalog:super_trend"}, "can open short positions"),
    ],
)
def test_own_candles_are_refused_with_the_reason(changes, field_error):
    client, user = signed_in("own-refused@example.com")
    series = imported_hours(user)

    response = client.post("/en/strategies/backtests/new/", own_data_form(series, **changes))

    assert response.status_code == 200
    assert field_error in page(response)
    assert not Backtest.objects.filter(owner=user).exists()


def test_a_period_outside_the_imported_candles_is_refused():
    client, user = signed_in("own-outside@example.com")
    series = imported_hours(user, hours=24)  # only yesterday

    response = client.post(
        "/en/strategies/backtests/new/",
        own_data_form(series, start=days_ago(10).isoformat(), end=days_ago(5).isoformat()),
    )

    assert "Your candles do not reach this period: they hold" in page(response)


def test_another_users_candles_are_not_offered():
    _client, owner = signed_in("own-a@example.com")
    series = imported_hours(owner)
    other, _user = signed_in("own-b@example.com")

    response = other.post("/en/strategies/backtests/new/", own_data_form(series))

    assert response.status_code == 200
    assert "MY/COIN" not in page(response)
    assert not Backtest.objects.exists()


def test_a_market_the_user_says_allows_shorts_runs_a_strategy_that_goes_short(
    django_capture_on_commit_callbacks,
):
    client, user = signed_in("own-shorts@example.com")
    series = imported_hours(user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/en/strategies/backtests/new/",
            own_data_form(series, strategy="catalog:super_trend", allows_shorts="on"),
        )

    run = only_backtest(user)
    assert run.allows_shorts
    assert run.status == BacktestStatus.DONE, run.error_code


def test_a_period_the_exchange_has_no_candles_for_ends_with_the_reason(
    kraken, django_capture_on_commit_callbacks, monkeypatch
):
    """Beyond the data available (a market younger than the period, say): the run ends
    failed, and the report says why in the user's language."""
    client, user = signed_in("no-data@example.com")
    # The exchange answers, with nothing in the period.
    monkeypatch.setattr(candle_fills, "candles_fill", lambda **kwargs: SimpleNamespace(requests=1))

    response = start_through_form(client, django_capture_on_commit_callbacks, language="fr")

    run = only_backtest(user)
    assert run.status == BacktestStatus.FAILED
    assert run.error_code == "no_data"
    assert "pas de bougies 1h de BTC/USD dans cette" in page(response)
