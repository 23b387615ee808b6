"""A key refused by its exchange or about to expire, and a run whose account another program
trades on, told on the owner's channels, in their language."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from exchanges.models import ExchangeKey
from exchanges.reminders import keys_remind
from notifications.events import renderers
from notifications.models import Notification
from strategies.models import RunStatus
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.exchanges.conftest import kraken_credentials
from tests.strategies.run_helpers import kraken, sandbox_key
from tests.strategies.test_runs_live import another_program_buys, live  # noqa: F401

pytestmark = pytest.mark.django_db


def worded(notification: Notification, language: str):
    with translation.override(language):
        return renderers[notification.event](notification.params)


def test_a_key_that_can_withdraw_is_told_once_a_day(sandbox):
    owner = make_user("withdraw@example.com", preferred_language="fr")
    key = sandbox_key(sandbox, owner, "spot-withdraw")  # its connection test runs

    (told,) = Notification.objects.filter(event="key")
    assert told.key.startswith(f"key_refused:{key.pk}:withdraw_enabled:")
    assert worded(told, "en").title == (
        "Kraken refused your key “spot-withdraw”: Key can withdraw: refused"
    )
    assert worded(told, "fr").title.startswith("Kraken a refusé ta clé «\u00a0spot-withdraw\u00a0»")

    from exchanges.connection_tests import connection_test_start

    connection_test_start(key=key)  # tested again the same day: not told again
    assert Notification.objects.filter(event="key").count() == 1


def test_a_key_about_to_expire_is_told_with_the_weekly_reminder(db):
    owner = make_user("expiring@example.com")
    exchange = kraken()
    from exchanges.services import exchange_key_create

    soon, old = (
        exchange_key_create(user=owner, exchange=exchange, label=label, credentials=creds)
        for label, creds in (("soon", kraken_credentials()), ("old", kraken_credentials()))
    )
    ExchangeKey.objects.filter(pk=soon.pk).update(
        expires_on=timezone.localdate() + timedelta(days=5)
    )
    ExchangeKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=200))

    assert keys_remind() == 1

    (told,) = Notification.objects.filter(event="key")  # the old key is the email's only
    assert told.key.startswith(f"key_expiring:{soon.pk}:")
    assert worded(told, "en").title.startswith("Your key “soon” on Kraken expires on ")


def test_another_program_on_the_key_is_told_as_a_mismatch(live, sandbox):  # noqa: F811
    run, times = live
    run_tick(run_id=run.pk, bar_ms=times[1])
    another_program_buys(sandbox)

    run_tick(run_id=run.pk, bar_ms=times[2])

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    (told,) = Notification.objects.filter(event="reconciliation")
    message = worded(told, "en")
    assert message.title == f"{run.strategy_name} (BTC/USD) stopped: the account does not match it"
    assert message.paragraphs[0].startswith("Another program uses this key")
    assert Notification.objects.filter(event="run_ended").count() == 1
