"""The risk governor's limits, worked by hand: the drawdown of the combined equity (runs that
start or end move no index), the daily loss with its reset in the user's time zone, the
maximum exposure and the number of live runs; breaches told once and shown; loosening a
limit behind a fresh code."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from notifications.models import Notification
from strategies.models import BreachKind, RiskBreach, RiskLimits, RunStatus
from strategies.services import governor
from strategies.services.governor import day_bounds, entry_blocked, exposure_room, governor_check
from strategies.services.governor_limits import LimitsRefused, risk_limits_rearm, risk_limits_save
from tests.accounts.helpers import enrol, make_user, totp_code
from tests.strategies.governor_helpers import clock, live_row, moved

pytestmark = pytest.mark.django_db

VALUES = {
    "currency": "USD",
    "max_drawdown_pct": None,
    "daily_loss_limit": None,
    "day_starts_at": 0,
    "time_zone": "UTC",
    "max_exposure": None,
    "max_live_runs": None,
    "flatten_on_breach": False,
}


@pytest.fixture
def owner():
    user = make_user("governed@example.com")
    user.device = enrol(user)
    return user


def limits(owner, **values) -> RiskLimits:
    device = owner.device
    return risk_limits_save(
        owner=owner, key=None, values={**VALUES, **values}, code=totp_code(device)
    )


def test_the_day_in_a_time_zone_across_a_change_of_summer_time():
    # Paris moves to summer time at 02:00 on 29 March 2026: that day lasts 23 hours.
    start, end = day_bounds(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "Europe/Paris", 0)
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    # Before the day's hour, the day is yesterday's.
    start, end = day_bounds(datetime(2026, 6, 1, 5, 0, tzinfo=UTC), "America/New_York", 9)
    assert start == datetime(2026, 5, 31, 13, 0, tzinfo=UTC)  # 09:00 EDT
    assert end == datetime(2026, 6, 1, 13, 0, tzinfo=UTC)


def test_drawdown_of_the_combined_equity_and_runs_that_come_and_go(owner):
    row = limits(owner, max_drawdown_pct=Decimal("10"))
    a, b = live_row(owner, None, 1000.0), live_row(owner, None, 1000.0)
    governor_check(row.pk)  # both at 1000: the index starts at 1
    moved(a, 1100.0)
    governor_check(row.pk)  # 2100 / 2000: index 1.05, the peak
    c = live_row(owner, None, 5000.0, symbol="ETH/USD")  # joins: money, not performance
    governor_check(row.pk)
    row.refresh_from_db()
    assert (row.index, row.peak_index) == pytest.approx((1.05, 1.05))
    moved(a, 900.0)
    moved(b, 950.0)
    moved(c, 4800.0)
    # 1.05 x (900 + 950 + 4800) / (1100 + 1000 + 5000) = 1.05 x 6650 / 7100 = 0.983450...
    assert governor_check(row.pk) == []  # drawdown 1 - 6650/7100 = 6.34 %: within 10 %
    StrategyRun = type(a)
    StrategyRun.objects.filter(pk=c.pk).update(status=RunStatus.STOPPED)
    governor_check(row.pk)  # c leaves at 4800: it counted up to here, then no more
    moved(a, 800.0)
    moved(b, 900.0)
    # 0.98345 x (800 + 900) / (900 + 950) = 0.903716...; drawdown 1 - 0.903716 / 1.05 = 13.93 %
    (breach,) = governor_check(row.pk)
    assert breach.kind == BreachKind.DRAWDOWN
    assert breach.measured == pytest.approx(100 * (1 - (1.05 * 6650 / 7100 * 1700 / 1850) / 1.05))
    assert breach.measured == pytest.approx(13.93, abs=0.01)
    assert entry_blocked(a) == breach
    # Told once, on the email channel that carries risk breaches by default.
    assert Notification.objects.filter(key=f"risk:{breach.pk}", event="risk").count() == 1
    assert governor_check(row.pk) == []  # still open: not found again


def test_a_drawdown_breach_holds_until_re_armed_with_a_fresh_code(owner):
    row = limits(owner, max_drawdown_pct=Decimal("5"))
    a = live_row(owner, None, 1000.0)
    governor_check(row.pk)
    moved(a, 940.0)
    (breach,) = governor_check(row.pk)
    moved(a, 1200.0)  # back above the peak: a drawdown's breach stays until re-armed
    governor_check(row.pk)
    assert entry_blocked(a) == breach

    with pytest.raises(LimitsRefused):
        risk_limits_rearm(owner=owner, breach_id=breach.pk, code="backup01")
    assert risk_limits_rearm(owner=owner, breach_id=breach.pk, code=totp_code(owner.device, 1))
    assert entry_blocked(a) is None
    governor_check(row.pk)  # measured afresh from 1200
    moved(a, 1150.0)  # 4.2 % below the new start: within 5 %
    assert governor_check(row.pk) == []


def test_daily_loss_resets_at_the_users_hour(owner, monkeypatch):
    row = limits(owner, daily_loss_limit=Decimal("100"), day_starts_at=8, time_zone="Europe/Paris")
    a, b = live_row(owner, None, 1000.0), live_row(owner, None, 500.0)
    morning = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)  # 08:30 in Paris: the day began at 07:00
    monkeypatch.setattr(governor, "timezone", clock(morning))
    governor_check(row.pk)
    moved(a, 950.0)
    moved(b, 460.0)  # 90 lost today
    assert governor_check(row.pk) == []
    moved(b, 449.0)  # 101 lost today
    (breach,) = governor_check(row.pk)
    assert (breach.kind, breach.measured, breach.limit) == (BreachKind.DAILY_LOSS, 101.0, 100.0)
    assert breach.ends_at == datetime(2026, 12, 8, 7, 0, tzinfo=UTC)  # 08:00 tomorrow in Paris

    monkeypatch.setattr(governor, "timezone", clock(morning + timedelta(hours=23, minutes=31)))
    governor_check(row.pk)  # the next day: the breach ends, the count starts again
    breach.refresh_from_db()
    assert breach.cleared_at is not None
    assert entry_blocked(a) is None
    moved(a, 900.0)  # 50 lost since this day began
    assert governor_check(row.pk) == []


def test_exposure_and_the_room_an_entry_has(owner):
    row = limits(owner, max_exposure=Decimal("1500"))
    a, b = live_row(owner, None, 1000.0), live_row(owner, None, 1000.0, symbol="ETH/USD")
    moved(a, 1000.0, held=0.01, mark=60_000.0)  # holds 600
    assert exposure_room(b) == pytest.approx(900.0)
    assert governor_check(row.pk) == []
    moved(b, 1000.0, held=-0.5, mark=2_000.0)  # a short of 1000: 1600 held in all
    (breach,) = governor_check(row.pk)
    assert (breach.kind, breach.measured) == (BreachKind.EXPOSURE, pytest.approx(1600.0))
    moved(b, 1000.0)  # b closed: 600 held
    assert governor_check(row.pk) == []
    breach.refresh_from_db()
    assert breach.cleared_at is not None


def test_live_run_count_and_the_go_live_refusal(owner):
    from strategies.services.governor import go_live_refusal

    row = limits(owner, max_live_runs=2)
    live_row(owner, None, 1000.0)
    assert go_live_refusal(owner_id=owner.pk, key_id=None, symbol="BTC/USD") is None
    live_row(owner, None, 1000.0, symbol="ETH/USD")
    refusal = go_live_refusal(owner_id=owner.pk, key_id=None, symbol="XRP/USD")
    assert refusal.startswith("You have 2 active live runs under your risk limits")
    limits(owner, max_live_runs=1)  # tightened below what runs: a breach, entries held
    (breach,) = RiskBreach.objects.filter(limits=row, kind=BreachKind.LIVE_RUNS)
    assert (breach.measured, breach.limit) == (2.0, 1.0)


def test_amount_limits_refuse_a_market_in_another_currency(owner):
    from strategies.services.governor import go_live_refusal

    limits(owner, daily_loss_limit=Decimal("100"))
    refusal = go_live_refusal(owner_id=owner.pk, key_id=None, symbol="BTC/EUR")
    assert "quoted in EUR and your risk limits count in USD" in refusal


@pytest.mark.parametrize(
    ("change", "looser"),
    [
        ({"max_drawdown_pct": Decimal("15")}, True),
        ({"max_drawdown_pct": Decimal("5")}, False),
        ({"max_drawdown_pct": None}, True),
        ({"daily_loss_limit": Decimal("200")}, True),
        ({"max_exposure": None}, True),
        ({"max_live_runs": 5}, True),
        ({"max_live_runs": 1}, False),
        ({"flatten_on_breach": False}, True),
        ({"time_zone": "Asia/Tokyo"}, True),
        ({"currency": "EUR"}, True),
    ],
)
def test_loosening_needs_a_fresh_code_and_tightening_does_not(owner, change, looser):
    start = {
        "max_drawdown_pct": Decimal("10"),
        "daily_loss_limit": Decimal("100"),
        "max_exposure": Decimal("1000"),
        "max_live_runs": 2,
        "flatten_on_breach": True,
    }
    limits(owner, **start)
    values = {**VALUES, **start, **change}
    if looser:
        with pytest.raises(LimitsRefused):
            risk_limits_save(owner=owner, key=None, values=values, code="")
        with pytest.raises(LimitsRefused):
            risk_limits_save(owner=owner, key=None, values=values, code="backup01")
        risk_limits_save(owner=owner, key=None, values=values, code=totp_code(owner.device, 1))
    else:
        risk_limits_save(owner=owner, key=None, values=values, code="")
    row = RiskLimits.objects.get(owner=owner)
    for field, value in change.items():
        assert getattr(row, field) == value


def test_staff_see_breaches_in_the_admin(owner, admin_client):
    row = limits(owner, max_live_runs=1)
    live_row(owner, None, 1000.0)
    live_row(owner, None, 1000.0, symbol="ETH/USD")
    (breach,) = governor_check(row.pk)

    listing = admin_client.get("/en/admin/strategies/riskbreach/").content.decode()
    assert "Maximum active live runs" in listing
    assert "governed@example.com" in listing
    detail = admin_client.get(f"/en/admin/strategies/riskbreach/{breach.pk}/change/")
    assert detail.status_code == 200
    open_only = admin_client.get("/en/admin/strategies/riskbreach/?cleared_at__isempty=1")
    assert "Maximum active live runs" in open_only.content.decode()


def test_the_day_is_not_started_again_at_each_check_on_a_summer_time_day(owner, monkeypatch):
    # 02:00 does not exist in Paris on 29 March 2026: the day's start is a moment in a gap.
    row = limits(owner, daily_loss_limit=Decimal("100"), day_starts_at=2, time_zone="Europe/Paris")
    a = live_row(owner, None, 1000.0)
    monkeypatch.setattr(governor, "timezone", clock(datetime(2026, 3, 29, 8, 0, tzinfo=UTC)))
    governor_check(row.pk)
    moved(a, 880.0)
    (breach,) = governor_check(row.pk)  # 120 lost since the day began: not reset to 0
    assert (breach.kind, breach.measured) == (BreachKind.DAILY_LOSS, 120.0)


def test_an_exposure_breach_ends_only_well_within_the_limit(owner):
    row = limits(owner, max_exposure=Decimal("1000"))
    a = live_row(owner, None, 2000.0)
    moved(a, 2000.0, held=0.02, mark=55_000.0)  # 1100 held
    (breach,) = governor_check(row.pk)
    moved(a, 2000.0, held=0.02, mark=49_000.0)  # 980: within, but not well within
    governor_check(row.pk)
    breach.refresh_from_db()
    assert breach.cleared_at is None
    moved(a, 2000.0, held=0.02, mark=47_000.0)  # 940: under 95 % of the limit
    governor_check(row.pk)
    breach.refresh_from_db()
    assert breach.cleared_at is not None


def test_a_breach_refuses_going_live_under_it(owner):
    from strategies.services.governor import go_live_refusal

    row = limits(owner, max_drawdown_pct=Decimal("5"))
    a = live_row(owner, None, 1000.0)
    governor_check(row.pk)
    moved(a, 900.0)
    governor_check(row.pk)
    refusal = go_live_refusal(owner_id=owner.pk, key_id=None, symbol="ETH/USD")
    assert refusal.startswith("A risk limit over this run holds entries back now")


def test_a_wrong_code_on_the_limits_counts_towards_the_lock_out(owner):
    limits(owner, max_drawdown_pct=Decimal("10"))
    with pytest.raises(LimitsRefused):
        risk_limits_save(
            owner=owner, key=None, values={**VALUES, "max_drawdown_pct": None}, code="000000"
        )
    owner.device.refresh_from_db()
    assert owner.device.throttling_failure_count == 1


def test_a_flatten_is_done_once_and_never_to_a_run_started_after_the_breach(owner):
    from strategies.services.governor_flatten import flatten_for_breach

    row = limits(owner, daily_loss_limit=Decimal("10"), flatten_on_breach=True)
    a = live_row(owner, None, 1000.0)
    governor_check(row.pk)
    moved(a, 980.0)
    (breach,) = governor_check(row.pk)
    assert flatten_for_breach(breach_id=breach.pk) == 1
    a.refresh_from_db()
    assert a.status == RunStatus.STOPPED  # flat: stopped at once
    later = live_row(owner, None, 1000.0, symbol="ETH/USD")
    assert flatten_for_breach(breach_id=breach.pk) == 0  # done already
    later.refresh_from_db()
    assert later.status == RunStatus.RUNNING
