"""A stop always stops: every stop path answers at once with the mail server down, the cancel
of what rests at the exchange survives a transient error and keeps its duty (said on the
pages) until the exchange shows nothing open, the reconciliation after a crash places a
missing stop, one key trades one market in one live run, the global kill switch is a
permission of its own, and a stopped paper run says what happens to its position and keeps a
way to close it. Against the sandbox venue (Kraken Spot's dialect, real signatures)."""

import importlib
import socket
from datetime import timedelta

import numpy as np
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from accounts.services import account_deletion_blockers
from exchanges.sandbox import Fault
from notifications.models import Delivery
from notifications.tasks import requeue_deliveries
from strategies import tasks
from strategies.models import RunMode, RunOrder, RunStatus, RunTrade, StrategyRun
from strategies.series import Candles
from strategies.services import live_ticks, live_upkeep
from strategies.services import runs as services
from strategies.services.run_ticks import run_tick
from strategies.services.runs import runs_block_key_deletion as key_deletion_blocker
from tests.accounts.helpers import enrol, make_user, verify_session
from tests.strategies.mine_helpers import page
from tests.strategies.run_helpers import paper_run, sandbox_key, stored, venue_orders
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = pytest.mark.django_db

PROTECTED = """
name: protected
indicators: {}
entry: {lhs: {bar: close}, op: gt, rhs: {value: 0}}
risk: {stop_loss_pct: 0.05}
sizing: {kind: fixed_quote, amount: 600}
"""
CHANGELIST = "/en/admin/strategies/strategyrun/"


def resting(venue) -> list:
    return [order for order in venue_orders(venue) if order.status == "open"]


def flat_live_run(venue, email: str, bars: int = 4) -> tuple[StrategyRun, Candles]:
    """A prepared live run of PROTECTED on candles at the venue's price now (nothing there
    triggers its stop), not ticked yet."""
    price = float(venue.state.market.price("XXBTZUSD", venue.state.clock()))
    table = np.array([(price, price, price, price, 100.0)] * bars, dtype=np.float64)
    candles = Candles("1h", hand_candles().time[:bars], *(table[:, i].copy() for i in range(5)))
    stored(candles)
    owner = make_user(email)
    run = paper_run(owner, PROTECTED, candles, start=1, capital=1000.0)
    run.mode, run.key = RunMode.LIVE, sandbox_key(venue, owner, "spot-full")
    run.notional_cap = 1000.0
    run.save()
    assert live_ticks.live_prepare(run)
    return run, candles


def with_a_resting_stop(venue, email: str) -> StrategyRun:
    """A live run that bought at the venue's price and rests its stop-loss (5 % under the
    entry) at the exchange."""
    run, candles = flat_live_run(venue, email)
    run_tick(run_id=run.pk, bar_ms=int(candles.time[1]))
    assert [order.type for order in resting(venue)] == ["stop-loss"]
    run.refresh_from_db()
    return run


@pytest.fixture
def protected(sandbox):
    sandbox.freeze_time(1_790_000_000.0)
    return with_a_resting_stop(sandbox, "protected@example.com")


@pytest.fixture
def mail_down(settings):
    """SMTP to a port where nothing listens: every send is refused, as with the default
    EMAIL_URL and no mail server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff_with(*permissions: str) -> Client:
    """A staff member (not a superuser) with the admin's second factor and these permissions."""
    staff = make_user(f"staff-{'-'.join(permissions) or 'none'}@example.com", is_staff=True)
    for codename in permissions:
        staff.user_permissions.add(Permission.objects.get(codename=codename))
    client = Client()
    device = enrol(staff)
    client.force_login(staff)
    verify_session(client, device)
    return client


STOP_PATHS = {
    "the run's stop": lambda run: (signed_in(run.owner), f"/en/runs/{run.pk}/stop/", {}),
    "stop all my runs": lambda run: (signed_in(run.owner), "/en/runs/stop-all/", {}),
    "staff, the selected runs": lambda run: (
        staff_with("view_strategyrun", "stop_runs"),
        CHANGELIST,
        {"action": "stop_selected", "_selected_action": [run.pk]},
    ),
    "staff, every run of their owners": lambda run: (
        staff_with("view_strategyrun", "stop_runs"),
        CHANGELIST,
        {"action": "stop_all_of_their_owners", "_selected_action": [run.pk]},
    ),
    "staff, the global kill switch": lambda run: (
        staff_with("view_strategyrun", "kill_all_runs"),
        CHANGELIST + "kill-all/",
        {},
    ),
}


@pytest.mark.parametrize("path", STOP_PATHS)
def test_every_stop_answers_and_cancels_with_the_mail_server_down(
    path, protected, sandbox, mail_down, django_capture_on_commit_callbacks, caplog
):
    client, url, data = STOP_PATHS[path](protected)

    # Tasks run inline in tests: the notice is sent (and refused) inside this request.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302
    protected.refresh_from_db()
    assert protected.status == RunStatus.STOPPED
    assert resting(sandbox) == []  # the stop order cancelled at the exchange
    assert protected.cancel_due_at is None  # and the exchange confirmed nothing rests
    (notice,) = Delivery.objects.filter(notification__key=f"run_ended:{protected.pk}")
    assert (notice.channel.kind, notice.sent_at, notice.attempts) == ("email", None, 1)
    assert (notice.error_code, notice.error_detail) == ("our_error", "ConnectionRefusedError")
    assert notice.due_at > timezone.now()  # tried again later
    assert "not sent (attempt 1)" in caplog.text


def test_a_notice_refused_by_the_mail_server_is_sent_by_the_sweep_once_it_is_back(
    protected, settings, mail_down, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.strategy_run_stop(run=protected)
    notice = Delivery.objects.get(notification__key=f"run_ended:{protected.pk}")
    assert notice.sent_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    requeue_deliveries()  # not due yet: a pause after the first failure
    assert mailoutbox == []
    Delivery.objects.filter(pk=notice.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        requeue_deliveries()
    with django_capture_on_commit_callbacks(execute=True):
        requeue_deliveries()  # sent: never twice

    assert [mail.to for mail in mailoutbox] == [["protected@example.com"]]
    notice.refresh_from_db()
    assert notice.sent_at is not None
    assert notice.due_at is None


def test_one_transient_error_on_the_cancel_is_retried_at_once(
    protected, sandbox, django_capture_on_commit_callbacks
):
    sandbox.inject(Fault("unavailable", endpoint="CancelOrder"))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.strategy_run_stop(run=protected)

    assert sandbox.faults.pending() == []  # the fault was met
    assert resting(sandbox) == []
    protected.refresh_from_db()
    assert protected.cancel_due_at is None
    assert RunOrder.objects.get(run=protected, leg="stop").status == "cancelled"


def test_a_cancel_that_keeps_failing_keeps_its_duty_and_every_page_says_so(
    protected, sandbox, admin_client, django_capture_on_commit_callbacks
):
    sandbox.inject(Fault("unavailable", endpoint="CancelOrder", count=50))
    with django_capture_on_commit_callbacks(execute=True):
        services.strategy_run_stop(run=protected)

    protected.refresh_from_db()
    assert len(resting(sandbox)) == 1
    assert (protected.cancel_attempts, protected.cancel_problem) == (1, "cancel_exchange")
    pause = protected.cancel_due_at - timezone.now()
    assert timedelta(seconds=20) < pause <= timedelta(seconds=30)
    owner = signed_in(protected.owner)
    detail = page(owner.get(f"/en/runs/{protected.pk}/"))
    assert "An order of this run may still rest at Kraken" in detail
    assert "(attempts so far: 1)" in detail
    assert "Orders may rest at Kraken" in page(owner.get("/en/runs/"))
    french = page(owner.get(f"/fr/runs/{protected.pk}/"))
    assert "peut encore attendre chez Kraken" in french
    listed = page(admin_client.get(CHANGELIST + "?orders_rest=yes"))
    assert f"/{protected.pk}/change/" in listed

    # The venue answers again; the sweep finds the duty due and finishes it.
    sandbox.faults.clear()
    tasks.fan_out_runs()  # not due yet: nothing sent
    assert len(resting(sandbox)) == 1
    StrategyRun.objects.filter(pk=protected.pk).update(cancel_due_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        tasks.fan_out_runs()

    assert resting(sandbox) == []
    protected.refresh_from_db()
    assert protected.cancel_due_at is None
    assert "may still rest" not in page(owner.get(f"/en/runs/{protected.pk}/"))


def test_a_worker_that_starts_resumes_the_cancel_of_a_stopped_run(
    protected, sandbox, django_capture_on_commit_callbacks
):
    # The stop committed, its task lost with the worker (Redis keeps no receipt).
    with django_capture_on_commit_callbacks(execute=False):
        services.strategy_run_stop(run=protected)
    assert len(resting(sandbox)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        live_upkeep.worker_started(proc_name="worker-1")

    assert resting(sandbox) == []
    protected.refresh_from_db()
    assert protected.cancel_due_at is None


def test_the_reconciliation_after_a_crash_places_the_missing_stop(sandbox, monkeypatch):
    sandbox.freeze_time(1_790_000_000.0)
    run, candles = flat_live_run(sandbox, "crashed@example.com", bars=3)

    def killed(*args, **kwargs):
        raise SystemExit("the worker died between the entry's fill and its stop")

    with monkeypatch.context() as patch:
        patch.setattr(live_ticks, "_protect", killed)
        with pytest.raises(SystemExit):
            run_tick(run_id=run.pk, bar_ms=int(candles.time[1]))
    assert resting(sandbox) == []  # bought, unprotected

    live_upkeep.live_reconcile(run_id=run.pk)

    (stop,) = resting(sandbox)
    row = RunOrder.objects.get(run=run, leg="stop")
    entry = RunOrder.objects.get(run=run, leg="entry").fills.get()
    assert (stop.type, stop.client_id, row.status) == ("stop-loss", row.client_order_id, "open")
    assert row.trigger_price == pytest.approx(entry.price * 0.95, abs=0.1)
    assert float(stop.volume) == pytest.approx(entry.amount)
    # The tick that comes next finds it resting and sends nothing more.
    run_tick(run_id=run.pk, bar_ms=int(candles.time[1]))
    assert len(venue_orders(sandbox)) == 2


def test_staff_allowed_only_to_view_runs_cannot_stop_them(
    protected, sandbox, django_capture_on_commit_callbacks
):
    viewer = staff_with("view_strategyrun")

    assert viewer.get(CHANGELIST + "kill-all/").status_code == 403
    assert viewer.post(CHANGELIST + "kill-all/").status_code == 403
    assert "kill-all/" not in page(viewer.get(CHANGELIST))
    with django_capture_on_commit_callbacks(execute=True):
        viewer.post(CHANGELIST, {"action": "stop_selected", "_selected_action": [protected.pk]})

    protected.refresh_from_db()
    assert protected.status == RunStatus.RUNNING
    assert len(resting(sandbox)) == 1


def test_stopping_a_paper_run_says_its_position_stays_and_closing_it_records_the_exit(
    django_capture_on_commit_callbacks,
):
    candles = hand_candles()
    stored(candles)
    owner = make_user("paper-stop@example.com")
    # No volume limit, no costs: the entry decided at bar 1's close buys 600 / 110 at bar 2's
    # open, all of it.
    run = paper_run(
        owner, HAND, candles, start=1, capital=1000.0, fee=0, slippage_bps=0, max_volume_share=0
    )
    times = candles.time.tolist()
    for bar_ms in times[1:3]:
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    client = signed_in(owner)

    stopped = client.post(f"/en/runs/{run.pk}/stop/", follow=True)

    shown = page(stopped)
    assert "Its paper position stays open on paper" in shown
    assert "Close the paper position" in shown
    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED
    assert run.position is not None
    french = page(client.get(f"/fr/runs/{run.pk}/"))
    assert "position papier" in french

    with django_capture_on_commit_callbacks(execute=True):
        closed = client.post(f"/en/runs/{run.pk}/close-paper/", follow=True)

    assert closed.status_code == 200
    run.refresh_from_db()
    assert (run.status, run.held, run.position) == (RunStatus.STOPPED, 0.0, None)
    # Sold at bar 3's open, 120: 5.45454545 x (120 - 110).
    trade = RunTrade.objects.get(run=run)
    assert (trade.exit_ms, trade.exit_price, trade.exit_reason) == (times[3], 120.0, "manual")
    assert trade.pnl == pytest.approx(54.5454545)
    assert "Close the paper position" not in page(client.get(f"/en/runs/{run.pk}/"))


def test_the_key_and_the_account_stay_while_a_stopped_runs_orders_may_rest(
    protected, sandbox, django_capture_on_commit_callbacks
):
    sandbox.inject(Fault("unavailable", endpoint="CancelOrder", count=50))
    with django_capture_on_commit_callbacks(execute=True):
        services.strategy_run_stop(run=protected)

    reasons = [blocker(protected.owner) for blocker in account_deletion_blockers]
    assert "your key is what cancels them" in " ".join(r for r in reasons if r)
    assert "this key is what cancels them" in (key_deletion_blocker(protected.key) or "")

    sandbox.faults.clear()
    StrategyRun.objects.filter(pk=protected.pk).update(cancel_due_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        tasks.fan_out_runs()
    assert not any(blocker(protected.owner) for blocker in account_deletion_blockers)
    assert key_deletion_blocker(protected.key) is None


def test_a_key_the_exchange_keeps_refusing_ends_the_retries_and_the_page_says_to_check(
    protected, sandbox, monkeypatch, django_capture_on_commit_callbacks
):
    # The user deleted the key at the exchange after the run started.
    monkeypatch.delitem(sandbox.state.keys, sandbox.key("spot-full").key)
    with django_capture_on_commit_callbacks(execute=True):
        services.strategy_run_stop(run=protected)
    protected.refresh_from_db()
    assert (protected.cancel_attempts, protected.cancel_problem) == (1, "cancel_key_refused")
    owner = signed_in(protected.owner)
    assert "the exchange now refuses the key" in page(owner.get(f"/en/runs/{protected.pk}/"))

    for attempt in range(2, 7):  # the sweep, each time the next attempt is due
        StrategyRun.objects.filter(pk=protected.pk).update(cancel_due_at=timezone.now())
        with django_capture_on_commit_callbacks(execute=True):
            tasks.fan_out_runs()
        protected.refresh_from_db()
        assert protected.cancel_attempts == attempt

    assert protected.cancel_due_at is None  # given up after six refusals: no more logins
    shown = page(owner.get(f"/en/runs/{protected.pk}/"))
    assert "the exchange kept refusing the key this run traded with (6 attempts)" in shown
    assert "Check on the exchange whether an order of this run still rests" in shown


def test_a_paper_close_whose_task_was_lost_is_queued_again_by_the_sweep(
    django_capture_on_commit_callbacks,
):
    candles = hand_candles()
    stored(candles)
    run = paper_run(
        make_user("lost-close@example.com"),
        HAND,
        candles,
        start=1,
        capital=1000.0,
        fee=0,
        slippage_bps=0,
        max_volume_share=0,
    )
    for bar_ms in candles.time[1:3].tolist():
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    services.strategy_run_stop(run=run)
    with django_capture_on_commit_callbacks(execute=False):  # its task lost with the worker
        assert services.paper_position_close(run=run)
    assert run.held > 0

    with django_capture_on_commit_callbacks(execute=True):
        tasks.fan_out_runs()

    run.refresh_from_db()
    assert (run.held, run.position) == (0.0, None)
    assert RunTrade.objects.get(run=run).exit_price == 120.0  # bar 3's open, as by hand above


def test_live_runs_stopped_before_the_duty_existed_get_it_and_are_cleaned(
    protected, sandbox, django_capture_on_commit_callbacks
):
    from django.apps import apps

    resume = importlib.import_module("strategies.migrations.0015_resume_cancels_of_ended_runs")
    # Stopped by the old code: the status changed, the cancel never ran, no duty was noted.
    StrategyRun.objects.filter(pk=protected.pk).update(status=RunStatus.STOPPED)
    resume.resume_cancels(apps, None)

    protected.refresh_from_db()
    assert protected.cancel_due_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        tasks.fan_out_runs()
    assert resting(sandbox) == []
    protected.refresh_from_db()
    assert protected.cancel_due_at is None
