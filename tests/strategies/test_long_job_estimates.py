"""Estimates of long work, every expected figure worked out by hand: the measured rates, what a
period will cost (held, candles, trades, finer candles), the line played forward (turns, users
in turn, the per-user limit), and the sentences the form and the backtest page show."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from exchanges.models import Exchange
from strategies.candles.store import series_for
from strategies.models import CandleSeries, LongJob, MeasuredRate
from strategies.models.long_jobs import LineTurn
from strategies.selectors import long_jobs as line
from strategies.selectors.long_job_costs import fill_cost, rate_of
from strategies.services.measured_rates import rate_record
from tests.accounts.helpers import make_user
from tests.strategies.backtest_run_helpers import form_data
from tests.strategies.long_job_helpers import kraken_backtest
from tests.strategies.mine_helpers import page, signed_in

pytestmark = pytest.mark.django_db

HOUR, DAY = 3_600_000, 86_400_000
# A time inside an hour's bar: the bar forming then is not closed, so ranges end at NOW_BAR.
NOW_BAR = 1_790_000_000_000 // HOUR * HOUR
NOW = NOW_BAR + 1_234_567


def utc_day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).date().isoformat()


def raw_link(client, query: str) -> str:
    response = client.get(f"/en/strategies/backtests/data/?{query}&start=2026-01-01&end=2026-01-05")
    return response.content.decode()


def _measured(key: str, amount: float, seconds: float) -> None:
    MeasuredRate.objects.create(key=key, amount=amount, seconds=seconds, samples=1)


def test_a_rate_weighs_its_turns_by_their_time_the_older_ones_fading():
    rate_record("simulate", 100, 1.0)
    rate_record("simulate", 300, 1.0)
    rate_record("simulate", 0, 5.0)  # nothing done: no measurement

    # (0.8 x 100 + 300) bars over (0.8 x 1 + 1) s
    assert rate_of("simulate") == pytest.approx(380 / 1.8)
    assert rate_of("trades:kraken:X/USD", "simulate") == pytest.approx(380 / 1.8)  # fallback
    assert rate_of("never") is None


def test_a_kraken_period_costs_its_trades_its_candles_and_nothing_for_what_is_held():
    series = series_for(
        exchange=Exchange.objects.get(slug="kraken"), symbol="BTC/USD", timeframe="1h"
    )
    series.coverage = [[NOW_BAR - 5 * DAY, NOW_BAR]]
    series.save()
    _measured("candles:kraken", 1000, 1.0)  # 1,000 bars a second
    _measured("trades:kraken:BTC/USD", HOUR, 1.0)  # an hour of market a second

    cost = fill_cost(series, NOW_BAR - 40 * DAY, NOW_BAR + DAY, NOW)

    # Kraken's candles reach 720 hours (30 days) back; older hours come from trades.
    assert cost.held_ms == 5 * DAY
    assert cost.candles_ms == 25 * DAY  # 600 bars: 0.6 s
    assert cost.trades_ms == 10 * DAY  # 240 hours: 240 s
    assert cost.aggregated_ms == 0
    assert cost.seconds == pytest.approx(240.6)


def test_an_unmeasured_part_leaves_the_cost_unknown_and_the_exchange_wide_rate_stands_in():
    series = series_for(
        exchange=Exchange.objects.get(slug="kraken"), symbol="ETH/USD", timeframe="1h"
    )
    _measured("candles:kraken", 1000, 1.0)

    assert fill_cost(series, NOW_BAR - 40 * DAY, NOW_BAR, NOW).seconds is None

    _measured("trades:kraken", 2 * HOUR, 1.0)  # measured on other Kraken markets
    assert fill_cost(series, NOW_BAR - 40 * DAY, NOW_BAR, NOW).seconds == pytest.approx(
        10 * 24 / 2 + 720 / 1000
    )


def test_binance_periods_come_from_candles_and_finer_candles_held_cost_nothing():
    binance = Exchange.objects.get(slug="binance")
    hours = series_for(exchange=binance, symbol="BTC/USDT", timeframe="1h")
    _measured("candles:binance", 500, 1.0)

    cost = fill_cost(hours, NOW_BAR - 100 * DAY, NOW_BAR, NOW)
    assert (cost.candles_ms, cost.trades_ms) == (100 * DAY, 0)  # klines reach the listing
    assert cost.seconds == pytest.approx(2400 / 500)

    minutes = series_for(exchange=binance, symbol="BTC/USDT", timeframe="1m")
    minutes.coverage = [[NOW_BAR - 100 * DAY, NOW_BAR]]
    minutes.save()
    cost = fill_cost(hours, NOW_BAR - 100 * DAY, NOW_BAR, NOW)
    assert (cost.aggregated_ms, cost.candles_ms, cost.seconds) == (100 * DAY, 0, 0.0)


def test_the_line_played_forward_gives_each_job_its_place_start_and_end(settings, monkeypatch):
    """One slot, one job a user at once, 30 s turns. Ann's fill holds the worker (100 s left,
    its turn just started); Bob's backtest (10 s) waits; Ann's backtest (5 s) waits, queued
    before Bob's. By hand: the fill's turn ends at 30 s; Bob, never served, goes first (30 to
    40); then Ann's oldest job, her backtest (40 to 45); then her fill's last 70 s in turns
    of 30, 30 and 10 (45 to 115)."""
    settings.LONG_JOB_SLOTS, settings.LONG_JOBS_PER_USER, settings.LONG_JOB_TURN_S = 1, 1, 30
    ann, bob = make_user("ann@example.com"), make_user("bob@example.com")
    now = timezone.now()
    fill = LongJob.objects.create(
        kind="candle_fill",
        target_id=1,
        owner=ann,
        queued_at=now - timedelta(minutes=20),
        dispatched_at=now,
        beat_at=now,
        turn=1,
    )
    LineTurn.objects.create(owner=ann, served_at=now)
    bobs = LongJob.objects.create(
        kind="backtest", target_id=2, owner=bob, queued_at=now - timedelta(minutes=5)
    )
    anns = LongJob.objects.create(
        kind="backtest", target_id=3, owner=ann, queued_at=now - timedelta(minutes=10)
    )
    seconds: dict[int, float | None] = {fill.pk: 100.0, bobs.pk: 10.0, anns.pk: 5.0}
    monkeypatch.setattr(line, "job_seconds", lambda job, now_ms, rates: seconds[job.pk])

    places = line.line_places(now)

    assert places[fill.pk] == line.Place(0, 0.0, pytest.approx(115.0), False)
    assert places[bobs.pk] == line.Place(1, pytest.approx(30.0), pytest.approx(40.0), False)
    assert places[anns.pk] == line.Place(2, pytest.approx(40.0), pytest.approx(45.0), False)

    seconds[fill.pk] = None  # never measured: counted as one turn, and said to be a floor
    places = line.line_places(now)
    assert places[bobs.pk].lower_bound
    assert places[fill.pk].lower_bound


def test_a_queued_backtest_shows_its_place_and_when_its_report_should_be_ready(
    sandbox, settings, client
):
    settings.LONG_JOB_SLOTS, settings.LONG_JOBS_PER_USER = 1, 1
    ann = make_user("ann@example.com")
    client, bob = signed_in("bob@example.com")
    now = timezone.now()
    LongJob.objects.create(
        kind="backtest",
        target_id=999,
        owner=ann,
        queued_at=now,
        dispatched_at=now,
        beat_at=now,
        turn=1,
    )  # Ann's backtest holds the one worker (it no longer exists: no cost known for it)
    theirs = kraken_backtest(bob, days=3)
    series_for(exchange=Exchange.objects.get(slug="kraken"), symbol="BTC/USD", timeframe="1h")
    CandleSeries.objects.filter(symbol="BTC/USD").update(coverage=[[0, NOW_BAR * 2]])
    _measured("simulate", 7200, 1.0)

    english = page(client.get(f"/en/strategies/backtests/{theirs.pk}/progress/"))
    french = page(client.get(f"/fr/strategies/backtests/{theirs.pk}/progress/"))

    assert "Next in the line for a worker." in english
    assert "at the earliest" in english  # Ann's job ahead was never measured
    assert "Prochain dans la file" in french
    assert "au plus tôt" in french


def test_the_form_says_what_the_period_will_cost_and_offers_the_period_held(sandbox, client):
    client, _user = signed_in("planner@example.com")
    kraken = Exchange.objects.get(slug="kraken")
    series = series_for(exchange=kraken, symbol="BTC/USD", timeframe="1h")
    day = NOW_BAR // DAY * DAY
    series.coverage = [[day - 10 * DAY - HOUR, day - DAY]]
    series.save()
    data = form_data()
    query = "&".join(f"{name}={data[name]}" for name in ("exchange", "symbol", "timeframe"))

    text = page(
        client.get(f"/en/strategies/backtests/data/?{query}&start=2026-01-01&end=2026-01-05")
    )
    french = page(
        client.get(f"/fr/strategies/backtests/data/?{query}&start=2026-01-01&end=2026-01-05")
    )

    assert "No time estimate yet" in text
    assert "Pas encore d" in french
    # Held from an hour before a day's start: the whole days are the next day to the day
    # before the range's end (the form's "to" is included).
    first, last = (utc_day(day - 10 * DAY), utc_day(day - 2 * DAY))
    assert f"Use the period already held: {first} → {last}" in text
    assert f"start={first}&amp;end={last}" in raw_link(client, query)
    assert "Utiliser la période déjà conservée" in french
