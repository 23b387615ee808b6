"""A live fill drifting from its paper twin beyond the owner's threshold, and the daily
summary at the owner's hour in their time zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.utils import translation

from notifications.events import renderers
from notifications.models import Notification, Preferences
from strategies.models import RunMode
from strategies.series import Candles
from strategies.services import live_ticks
from strategies.services.daily_summaries import daily_summaries_send
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.strategies.run_helpers import paper_run, sandbox_key, stored
from tests.strategies.test_runs_stop import PROTECTED
from tests.strategies.test_runs_ticks import hand_candles

pytestmark = pytest.mark.django_db


def live_run_below_the_venue(sandbox, factor: float):
    """A prepared live run of PROTECTED whose candles sit at `factor` times the venue's price:
    its twin buys at that open, live at the venue's price."""
    sandbox.freeze_time(1_790_000_000.0)
    price = float(sandbox.state.market.price("XXBTZUSD", sandbox.state.clock())) * factor
    table = np.array([(price, price, price, price, 100.0)] * 4)
    candles = Candles("1h", hand_candles().time[:4], *(table[:, i].copy() for i in range(5)))
    stored(candles)
    owner = make_user("drift@example.com")
    run = paper_run(owner, PROTECTED, candles, start=1, capital=1000.0)
    run.mode, run.key, run.notional_cap = (
        RunMode.LIVE,
        sandbox_key(sandbox, owner, "spot-full"),
        1000,
    )
    run.save()
    assert live_ticks.live_prepare(run)
    return run, candles.time.tolist()


def test_a_fill_dearer_than_its_twin_beyond_the_threshold_is_told(sandbox):
    run, times = live_run_below_the_venue(sandbox, 0.99)  # paper buys 1 % cheaper
    run_tick(run_id=run.pk, bar_ms=times[1])  # live buys at the venue's price
    assert not Notification.objects.filter(event="drift").exists()  # its twin not filled yet
    run_tick(run_id=run.pk, bar_ms=times[2])  # the twin's entry filled at bar 2's open

    (told,) = Notification.objects.filter(event="drift")
    # Live paid p; paper 0.99 p plus its 5 bps of slippage: 1 / (0.99 x 1.0005) - 1 = 0.96 %.
    assert told.params["cost_pct"] == pytest.approx(100 * (1 / (0.99 * 1.0005) - 1), abs=0.01)
    with translation.override("en"):
        message = renderers["drift"](told.params)
    assert message.title.startswith("Live drifted 0.96")


def test_a_fill_within_the_threshold_is_not_news(sandbox):
    run, times = live_run_below_the_venue(sandbox, 0.99)
    Preferences.objects.create(user=run.owner, drift_threshold_pct=2)
    run_tick(run_id=run.pk, bar_ms=times[1])
    run_tick(run_id=run.pk, bar_ms=times[2])
    assert not Notification.objects.filter(event="drift").exists()


def test_the_daily_summary_comes_at_the_owners_hour_once(sandbox):
    run, times = live_run_below_the_venue(sandbox, 1.0)
    run_tick(run_id=run.pk, bar_ms=times[1])  # bought at bar 2's open
    bought = datetime.fromtimestamp(times[2] / 1000, tz=UTC)
    now = bought + timedelta(hours=1, minutes=30)  # the summary an hour and a half later
    local_hour = now.astimezone(ZoneInfo("Europe/Paris")).hour
    Preferences.objects.create(user=run.owner, summary_hour=local_hour, time_zone="Europe/Paris")

    assert daily_summaries_send(now - timedelta(hours=1)) == 0  # not its hour yet
    assert daily_summaries_send(now) == 1
    assert daily_summaries_send(now + timedelta(minutes=15)) == 1  # recorded again: told once
    (told,) = Notification.objects.filter(event="daily")
    day = now.astimezone(ZoneInfo("Europe/Paris")).date()
    assert told.key == f"daily:{day.isoformat()}"
    with translation.override("en"):
        message = renderers["daily"](told.params)
    assert message.title.startswith("Your runs on ")
    (line,) = message.paragraphs
    assert line.startswith(f"#{run.pk} protected (BTC/USD): equity ")
    assert line.endswith("; 1 fill")  # the entry, inside the day
