"""Markets kept warm: every hour the latest candles of the markets in use (runs, backtests of
the last 30 days, the staff's list) are fetched from the candle endpoint, within its window,
as the site's own fills; never from trades, and nothing when nothing is missing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule

from exchanges.models import Exchange
from strategies.models import Backtest, CandleFill, CandleSeries, LongJob, WarmMarket
from strategies.services.backtests import backtest_cancel, backtest_run
from strategies.services.warm_markets import markets_in_use, warm_markets_extend
from tests.accounts.helpers import make_user
from tests.strategies.long_job_helpers import kraken_backtest

pytestmark = pytest.mark.django_db

HOUR = 3_600_000


def _now_bar() -> int:
    return int(timezone.now().timestamp() * 1000) // HOUR * HOUR


def _series(slug: str, symbol: str) -> CandleSeries:
    return CandleSeries.objects.get(exchange__slug=slug, symbol=symbol, timeframe="1h")


@pytest.fixture
def in_use(sandbox):
    """A recent backtest on Kraken BTC/USD, an old one on Kraken ETH/USD, Binance's BTC/USDT
    on the staff's list."""
    owner = make_user("warm@example.com")
    kraken_backtest(owner, days=3)
    old = kraken_backtest(owner, days=3, symbol="ETH/USD")
    Backtest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    binance = Exchange.objects.get(slug="binance")
    WarmMarket.objects.create(exchange=binance, symbol="BTC/USDT", timeframe="1h")
    LongJob.objects.all().delete()  # the backtests' own turns are not what this is about
    return owner


def test_the_markets_in_use_are_recent_backtests_runs_and_the_staff_list(in_use):
    kraken, binance = (Exchange.objects.get(slug=slug).pk for slug in ("kraken", "binance"))

    assert markets_in_use() == {(kraken, "BTC/USD", "1h"), (binance, "BTC/USDT", "1h")}


def test_warming_fetches_the_window_from_candles_once_and_extends_from_what_is_held(
    in_use, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = warm_markets_extend()

    now_bar = _now_bar()
    assert asked == 2
    # Kraken: its window, 720 hours, a bar short of its edge; Binance: one page back.
    assert _series("kraken", "BTC/USD").coverage == [[now_bar - 719 * HOUR, now_bar]]
    assert _series("binance", "BTC/USDT").coverage == [[now_bar - 720 * HOUR, now_bar]]
    for series in CandleSeries.objects.all():
        assert {source for _a, _b, source in series.provenance} == {"exchange"}  # no trades
    assert set(CandleFill.objects.values_list("status", flat=True)) == {"done"}
    assert not LongJob.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert warm_markets_extend() == 0  # nothing missing: nothing asked


def test_a_market_held_up_to_hours_ago_is_extended_from_there_and_a_long_hole_is_left_to_trades(
    in_use, django_capture_on_commit_callbacks
):
    now_bar = _now_bar()
    with django_capture_on_commit_callbacks(execute=True):
        warm_markets_extend(now_ms=now_bar - 5 * HOUR)  # the schedule ran 5 hours ago
    assert _series("kraken", "BTC/USD").coverage == [[now_bar - 724 * HOUR, now_bar - 5 * HOUR]]

    with django_capture_on_commit_callbacks(execute=True):
        warm_markets_extend()

    kraken = _series("kraken", "BTC/USD")
    assert kraken.coverage == [[now_bar - 724 * HOUR, now_bar]]
    latest = CandleFill.objects.filter(series=kraken).latest("pk")
    assert latest.ranges == [[now_bar - 5 * HOUR, now_bar]]  # only what was missing

    # Held until 40 days ago: the hole behind Kraken's window is a backtest's fill's to make
    # (from trades, estimated on the form), not the hourly schedule's.
    held = _series("binance", "BTC/USDT")
    held.coverage = [[now_bar - 2000 * HOUR, now_bar - 960 * HOUR]]
    held.save()
    assert warm_markets_extend(now_ms=now_bar) == 1
    assert CandleFill.objects.filter(series=held).latest("pk").ranges == [
        [now_bar - 960 * HOUR, now_bar]  # Binance's klines reach it: extended from the end
    ]


def test_the_schedule_runs_every_hour():
    schedule = Schedule.objects.get(func="strategies.tasks.warm_markets")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 60, -1)


def test_a_backtest_cancelled_while_waiting_on_the_site_s_fill_does_not_stop_it(
    in_use, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(Conf, "SYNC", False)  # the fills wait in the line
    with django_capture_on_commit_callbacks(execute=True):
        warm_markets_extend()
        joining = kraken_backtest(in_use, days=2)
    backtest_run(backtest_id=joining.pk)  # its turn: it joins the site's fill and waits
    joining.refresh_from_db()
    site_fill = joining.fill
    assert site_fill is not None
    assert LongJob.objects.get(kind="candle_fill", target_id=site_fill.pk).owner_id is None

    backtest_cancel(backtest=joining)

    assert CandleFill.objects.get(pk=site_fill.pk).status == "active"
