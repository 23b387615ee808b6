"""Connection tests: started by the web tier with a key id, run by a django-q2 worker."""

import dataclasses
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

import ccxt
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from exchanges import clients, probes, retry
from exchanges.credentials import exchange_key_reveal
from exchanges.diagnosis import Diagnosis, Verdict, diagnose_error, diagnose_permissions
from exchanges.key_events import key_event_record
from exchanges.models import ConnectionTest, ExchangeKey, KeyEventKind, KeyStatus
from exchanges.permissions import NEEDS

logger = logging.getLogger(__name__)

TASK = "exchanges.tasks.run_connection_test"
ACTOR = "task:connection_test"

STATUS_FOR = {
    Verdict.OK: KeyStatus.OK,
    Verdict.WITHDRAW_ENABLED: KeyStatus.REFUSED,
}


@transaction.atomic
def connection_test_start(*, key: ExchangeKey) -> ConnectionTest:
    """Record a new test and hand its id (never a secret) to the workers, once committed.

    Were the enqueue lost (a crash right after the commit), the test goes stale and
    connection_test_expire turns it into a verdict: a key never stays "testing".
    """
    test = ConnectionTest.objects.create(key=key)
    ExchangeKey.objects.filter(pk=key.pk).update(status=KeyStatus.TESTING)
    transaction.on_commit(lambda: async_task(TASK, test.pk, task_name=f"connection-test-{test.pk}"))
    return test


def connection_test_request(*, key: ExchangeKey) -> ConnectionTest:
    """A test of the key: the one already running, or a new one ("Test again" twice in a row
    starts one test)."""
    test = key.tests.first()
    if test is not None and test.running and not connection_test_expire(test=test):
        return test
    return connection_test_start(key=key)


def connection_test_settle(*, key: ExchangeKey) -> ConnectionTest | None:
    """The key's latest test, turned into a verdict first if its worker died (for pages)."""
    test = key.tests.first()
    if test is not None and connection_test_expire(test=test):
        key.refresh_from_db()
        test.refresh_from_db()
    return test


def connection_test_run(*, test_id: int) -> None:
    """Run one test (idempotent: a finished test is left alone)."""
    test = ConnectionTest.objects.select_related("key__exchange").filter(pk=test_id).first()
    if test is None:
        return
    key = test.key
    # One private call at a time per key: two tests never clash on nonces.
    with clients.key_lock(key.pk):
        test.refresh_from_db(fields=["finished_at"])
        if not test.running:  # the same task ran twice, or the test expired meanwhile
            return
        started = time.monotonic()
        client = clients.build(key.exchange.ccxt_id, exchange_key_reveal(key=key, actor=ACTOR))
        found = examine(client)
        _finish(test, found.diagnosis, requests=found.requests, duration=time.monotonic() - started)


@dataclass(frozen=True)
class Examination:
    diagnosis: Diagnosis
    requests: int  # HTTP requests the exchange saw


def examine(client: ccxt.Exchange) -> Examination:
    """Ask the exchange about the client's key (retrying only its passing trouble) and read
    the answers into a verdict. No database: the caller records it."""
    attempts = retry.Attempts()
    try:
        result = retry.call_with_retries(
            lambda: probes.run(client), ccxt_id=client.id, attempts=attempts
        )
    except probes.Finding as finding:
        return Examination(finding.diagnosis, attempts.failed + 1)
    except ccxt.BaseError as error:
        return Examination(diagnose_error(client.id, error), attempts.failed)
    return Examination(_from_permissions(result, client.id), attempts.failed + result.requests)


def _from_permissions(result: probes.ProbeResult, ccxt_id: str) -> Diagnosis:
    needs = NEEDS.get(ccxt_id)
    if result.permissions is None or needs is None:
        diagnosis = Diagnosis(verdict=Verdict.OK, currencies=result.currencies)
    else:
        diagnosis = diagnose_permissions(
            granted=set(result.permissions),
            required=set(needs.required),
            forbidden=set(needs.forbidden),
            currencies=result.currencies,
        )
    if result.trading_until is None:
        return diagnosis
    return dataclasses.replace(diagnosis, key_expires_on=result.trading_until.date())


@transaction.atomic
def _finish(test: ConnectionTest, diagnosis: Diagnosis, *, requests: int, duration: float) -> None:
    test.finished_at = timezone.now()
    test.duration_ms = int(duration * 1000)
    test.record(diagnosis)
    test.requests = requests
    test.save()
    status = STATUS_FOR.get(diagnosis.verdict, KeyStatus.FAILED)
    if diagnosis.transient:
        status = KeyStatus.UNTESTED  # nothing learnt about the key itself
    changes: dict[str, object] = {"status": status, "last_verdict": diagnosis.verdict}
    if diagnosis.key_expires_on is not None:
        # The exchange's word beats the date the user typed (the key page shows it).
        changes["expires_on"] = diagnosis.key_expires_on
    ExchangeKey.objects.filter(pk=test.key_id).update(**changes)
    key_event_record(test.key, KeyEventKind.TESTED, ACTOR)
    logger.info("Connection test %s of key %s: %s", test.pk, test.key_id, diagnosis.verdict)


def connection_test_expire(*, test: ConnectionTest) -> bool:
    """A test whose worker died (or never got it) ends as "unavailable", not "testing"."""
    if not test.running or timezone.now() - test.started_at < ConnectionTest.STALE_AFTER:
        return False
    elapsed = (timezone.now() - test.started_at) / timedelta(seconds=1)
    _finish(
        test,
        Diagnosis(verdict=Verdict.UNAVAILABLE, raw_code="timeout"),
        requests=0,
        duration=elapsed,
    )
    return True
