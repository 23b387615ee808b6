"""The bot's commands on a live run at the sandbox venue: reading needs a linked chat, and
stopping, flattening or the kill switch a fresh authenticator code in the command, used once
(a backup code refused). Also: the run's entry fill told in the chat as it happens."""

import pytest
from django.db import OperationalError

from notifications.models import Notification
from strategies.models import RunStatus
from strategies.services.run_ticks import run_tick
from strategies.services.runs import strategy_runs_kill
from tests.accounts.helpers import enrol, totp_code, verify_session
from tests.notifications.telegram_helpers import link, point_at_sandbox, replies, says
from tests.strategies.test_runs_stop import flat_live_run, resting

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(settings, sandbox, django_capture_on_commit_callbacks):
    """A live run whose owner linked Telegram, ticked once: it bought, its stop rests."""
    from django.test import Client

    venue = sandbox
    point_at_sandbox(settings, venue)
    venue.freeze_time(1_790_000_000.0)
    run, candles = flat_live_run(venue, "bot@example.com")
    device = enrol(run.owner)
    client = Client()
    client.force_login(run.owner)
    verify_session(client, device)
    link(client, venue)
    with django_capture_on_commit_callbacks(execute=True):
        run_tick(run_id=run.pk, bar_ms=int(candles.time[1]))
    run.refresh_from_db()
    return run, device


def test_the_entry_fill_reaches_the_chat(live, venue):
    run, _device = live
    (fill,) = run.fills.all()
    assert Notification.objects.filter(key=f"fill:{fill.pk}", event="fill").exists()
    told = replies(venue)[-1]
    assert told.startswith("<b>Bought ")
    assert "BTC at " in told
    assert "USD (entry)</b>" in told
    assert f"Live run of {run.strategy_name} on Kraken (BTC/USD)" in told


def test_reading_commands_answer_without_a_code(live, venue):
    run, _device = live
    says(venue, "/runs")
    assert replies(venue)[-1].startswith(f"#{run.pk} live · {run.strategy_name} · Kraken BTC/USD")
    says(venue, "/status")
    assert replies(venue)[-1].startswith("1 live run active\n0 paper runs active")
    says(venue, "/equity")
    assert replies(venue)[-1].startswith(f"#{run.pk} BTC/USD: equity ")
    says(venue, "/help")
    assert "/stop <run> <code>: stop a run" in replies(venue)[-1]


def test_stop_without_a_code_or_with_a_backup_code_changes_nothing(live, venue):
    run, _device = live
    says(venue, f"/stop {run.pk}")
    says(venue, f"/stop {run.pk} backup01")
    says(venue, f"/stop {run.pk} 000000")

    needs = "This command needs a fresh code from your authenticator app as its last word"
    assert all(reply.startswith(needs) for reply in replies(venue)[-3:])
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
    assert len(resting(venue)) == 1


def test_stop_with_a_fresh_code_stops_and_cancels_and_the_code_works_once(
    live, venue, django_capture_on_commit_callbacks
):
    run, device = live
    code = totp_code(device)
    with django_capture_on_commit_callbacks(execute=True):
        says(venue, f"/stop {run.pk} {code}")

    assert any(r.startswith(f"Stopped run #{run.pk}. Its orders at the") for r in replies(venue))
    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED
    assert resting(venue) == []  # the cancel duty ran
    # The run's end is told in the chat too, once.
    assert sum("stopped" in reply and "<b>" in reply for reply in replies(venue)) == 1

    says(venue, f"/kill {code}")  # the same code again
    assert replies(venue)[-1].startswith("This command needs a fresh code")


def test_a_command_about_another_accounts_run_finds_nothing(live, venue):
    run, device = live
    says(venue, f"/stop {run.pk + 1000} {totp_code(device)}")
    assert replies(venue)[-1].startswith("No active run of yours has that number.")


def test_the_kill_switch_with_a_code(live, venue, django_capture_on_commit_callbacks):
    run, device = live
    with django_capture_on_commit_callbacks(execute=True):
        says(venue, f"/kill {totp_code(device)}")
    assert any(reply.startswith("Kill switch: 1 run stopped") for reply in replies(venue))
    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.STOPPED, "killed_by_you")


def test_a_mistyped_run_number_does_not_spend_the_code(live, venue):
    run, device = live
    code = totp_code(device)
    says(venue, f"/stop {run.pk + 1000} {code}")
    assert replies(venue)[-1].startswith("No active run of yours has that number.")
    says(venue, f"/stop {run.pk} {code[:3]} {code[3:]}")  # as some apps show it
    assert any(r.startswith(f"Stopped run #{run.pk}.") for r in replies(venue))


def test_a_command_that_fails_does_nothing_and_keeps_the_code(live, venue, monkeypatch):
    from notifications.commands import Command, commands

    run, device = live
    original = commands["kill"]

    def busy(user, words):
        strategy_runs_kill(owner=user, code="killed_by_you")
        raise OperationalError("database is locked")

    monkeypatch.setitem(commands, "kill", Command(original.help, busy, needs_code=True))
    code = totp_code(device)
    says(venue, f"/kill {code}")
    assert replies(venue)[-1].startswith("Something went wrong on our side: nothing was done.")
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING  # rolled back with the update

    monkeypatch.setitem(commands, "kill", original)
    says(venue, f"/kill {code}")  # the same code: it was not spent
    assert any(reply.startswith("Kill switch: 1 run stopped") for reply in replies(venue))
