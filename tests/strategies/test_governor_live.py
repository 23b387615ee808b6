"""The governor on live runs at the sandbox venue: a breach holds the next entry back and says
why on the run and the runs dashboard, an entry beyond the maximum exposure is not sent, and a
loss breach with "close the positions" flattens the runs under it."""

from decimal import Decimal

import pytest
from django.test import Client

from notifications.models import Notification
from strategies.models import RiskBreach, RunStatus
from strategies.services.governor import governor_check
from strategies.services.governor_limits import risk_limits_save
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import enrol, totp_code, verify_session
from tests.strategies.governor_helpers import live_row, moved
from tests.strategies.run_helpers import venue_orders
from tests.strategies.test_governor import VALUES
from tests.strategies.test_runs_stop import flat_live_run, resting

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(sandbox):
    sandbox.freeze_time(1_790_000_000.0)
    run, candles = flat_live_run(sandbox, "governed-live@example.com")
    run.device = enrol(run.owner)
    run.first_bar = int(candles.time[1])
    return run


def set_limits(run, **values):
    return risk_limits_save(
        owner=run.owner, key=None, values={**VALUES, **values}, code=totp_code(run.device)
    )


def signed_in(user, device) -> Client:
    client = Client()
    client.force_login(user)
    verify_session(client, device)
    return client


def test_a_breach_holds_the_entry_back_and_the_pages_say_why(run, sandbox):
    row = set_limits(run, max_drawdown_pct=Decimal("5"))
    other = live_row(run.owner, None, 1000.0, symbol="ETH/USD")
    governor_check(row.pk)
    moved(other, 850.0)  # the account's live runs: 2000 -> 1850, 7.5 % down
    (_breach,) = governor_check(row.pk)

    run_tick(run_id=run.pk, bar_ms=run.first_bar)

    assert venue_orders(sandbox, "spot-full") == []  # the entry its twin sent was held back
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
    client = signed_in(run.owner, run.device)
    said = "None of them enters a new position until you re-arm the limit"
    assert said in client.get(f"/en/runs/{run.pk}/").content.decode()
    dashboard = client.get("/en/runs/").content.decode()
    assert "A risk limit holds entries back" in dashboard
    assert "The drawdown of all your live runs reached 7.5 %" in dashboard
    french = client.get("/fr/runs/").content.decode()
    assert "Une limite de risque retient les entrées" in french


def test_an_entry_beyond_the_maximum_exposure_is_not_sent(run, sandbox):
    set_limits(run, max_exposure=Decimal("500"))  # PROTECTED buys 600 worth

    run_tick(run_id=run.pk, bar_ms=run.first_bar)

    assert venue_orders(sandbox, "spot-full") == []
    run.refresh_from_db()
    assert run.alert_code == "exposure_held"
    page = signed_in(run.owner, run.device).get(f"/en/runs/{run.pk}/").content.decode()
    assert "your maximum exposure leaves room for 500" in page


def test_a_loss_breach_closes_the_positions_when_chosen(
    run, sandbox, django_capture_on_commit_callbacks
):
    # Buying 600 worth costs its fee and the spread: more than 1 USD lost today at once.
    set_limits(run, daily_loss_limit=Decimal("1"), flatten_on_breach=True)
    with django_capture_on_commit_callbacks(execute=True):
        run_tick(run_id=run.pk, bar_ms=run.first_bar)

    (breach,) = RiskBreach.objects.all()
    assert breach.flattened
    # Found after the tick, at the open it acted at.
    assert breach.bar_ms == run.first_bar + 3_600_000
    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED
    sides = [order.side for order in venue_orders(sandbox, "spot-full") if order.status == "closed"]
    assert sides == ["buy", "sell"]  # the entry, then the flatten at market
    assert resting(sandbox) == []
    assert Notification.objects.filter(key=f"risk:{breach.pk}").count() == 1


def test_a_breach_cancels_the_resting_safety_orders_at_once(
    sandbox, django_capture_on_commit_callbacks
):
    from tests.strategies.test_runs_live_ladder import NOW, ladder_run

    sandbox.freeze_time(NOW)
    run, times = ladder_run(sandbox, "ladder-governed@example.com")
    run_tick(run_id=run.pk, bar_ms=times[1])  # bought; the ladder rests
    assert [o.type for o in venue_orders(sandbox, "spot-full")].count("limit") == 2
    device = enrol(run.owner)
    row = risk_limits_save(
        owner=run.owner,
        key=None,
        values={**VALUES, "max_drawdown_pct": Decimal("5")},
        code=totp_code(device),
    )
    other = live_row(run.owner, None, 1000.0, symbol="ETH/USD")
    governor_check(row.pk)
    moved(other, 800.0)

    with django_capture_on_commit_callbacks(execute=True):
        governor_check(row.pk)  # the breach: the safety orders' cancel queued with it

    assert [o.type for o in resting(sandbox)] == ["stop-loss"]  # the stop stays
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
