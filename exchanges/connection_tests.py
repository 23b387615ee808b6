"""Connection tests: started by the web tier with a key id, run by a django-q2 worker."""

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import ccxt
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from accounts.services import ActionRefused
from exchanges import clients, probes, retry
from exchanges.context_processors import keys_to_replace_forget
from exchanges.credentials import Credentials, exchange_key_reveal, replacement_reveal
from exchanges.crypto.cipher import DecryptionError
from exchanges.diagnosis import Diagnosis, Verdict, diagnose_error, diagnose_permissions
from exchanges.fee_tiers import read_taker_fee
from exchanges.key_events import key_event_record
from exchanges.models import ConnectionTest, ExchangeKey, KeyEventKind, KeyReplacement, KeyStatus
from exchanges.permissions import NEEDS
from exchanges.replacements import replacement_settle

logger = logging.getLogger(__name__)

TASK = "exchanges.tasks.run_connection_test"
# Told every verdict as it is recorded, by apps that act on keys without exchanges importing
# them (a live run stops when its key turns out to withdraw, or no longer works).
VerdictListener = Callable[[ExchangeKey, Diagnosis], None]
verdict_listeners: list[VerdictListener] = []
ACTOR = "task:connection_test"
# Seconds a test may spend, waiting for the key's lock included: under the short cluster's
# Q_TIMEOUT (20 s), so a slow exchange ends as a verdict rather than a killed task.
TIME_LIMIT_S = 15.0

STATUS_FOR = {
    Verdict.OK: KeyStatus.OK,
    Verdict.WITHDRAW_ENABLED: KeyStatus.REFUSED,
}


@transaction.atomic
def connection_test_start(
    *, key: ExchangeKey, replacement: KeyReplacement | None = None
) -> ConnectionTest:
    """Record a new test of the key (or of its `replacement`'s new credentials) and hand its id
    (never a secret) to the workers, once committed.

    Were the enqueue lost (a crash right after the commit), the test goes stale and
    connection_test_expire turns it into a verdict: a key never stays "testing".
    """
    test = ConnectionTest.objects.create(key=key, replacement=replacement)
    if replacement is None:  # a new secret's test leaves the key as it is until it passes
        ExchangeKey.objects.filter(pk=key.pk).update(status=KeyStatus.TESTING)
    transaction.on_commit(lambda: async_task(TASK, test.pk, task_name=f"connection-test-{test.pk}"))
    return test


class ConnectionTestRefused(ActionRefused):
    """ "Test again" that starts no test; `reasons` says why."""


def connection_test_request(*, key: ExchangeKey) -> ConnectionTest:
    """A new test of the key ("Test again"), or ConnectionTestRefused saying why not: one is
    running already (twice in a row starts one test)."""
    test = key.tests.first()
    if test is not None and test.running and not connection_test_expire(test=test):
        waited = int((timezone.now() - test.started_at) / timedelta(seconds=1))
        raise ConnectionTestRefused(
            [
                _(
                    "A test of this key started %(seconds)d seconds ago and is still running: "
                    "its verdict will show here. It ends within %(limit)d seconds at most."
                )
                % {
                    "seconds": waited,
                    "limit": int(ConnectionTest.STALE_AFTER / timedelta(seconds=1)),
                }
            ]
        )
    return connection_test_start(key=key)


def connection_test_settle(*, key: ExchangeKey) -> ConnectionTest | None:
    """The key's latest test (of its credentials, or of a new secret), its stale tests turned
    into verdicts first if their worker died (for pages)."""
    if connection_tests_settle(keys=ExchangeKey.objects.filter(pk=key.pk)):
        key.refresh_from_db()
    return key.tests.select_related("replacement").first()


def connection_tests_settle(*, keys: QuerySet[ExchangeKey] | None = None) -> int:
    """Expire the stale tests of these keys (every key's when None), how many: no key shows
    "Testing…" past a test's time limit, whichever page the user looks at, and no new secret
    waits for a verdict for ever when nobody looks (tasks.expire_stale_tests)."""
    stale = ConnectionTest.objects.filter(
        finished_at__isnull=True, started_at__lt=timezone.now() - ConnectionTest.STALE_AFTER
    )
    if keys is not None:
        stale = stale.filter(key__in=keys)
    return sum(connection_test_expire(test=test) for test in stale)


def connection_test_run(*, test_id: int) -> None:
    """Run one test (idempotent: a finished test is left alone). Whatever fails on our side
    ends as a verdict that says so, never as the exchange's fault."""
    test = (
        ConnectionTest.objects.select_related("key__exchange", "replacement")
        .filter(pk=test_id)
        .first()
    )
    if test is None:
        return
    started = time.monotonic()
    found: tuple[Examination, Credentials | None] | None
    try:
        found = _locked_examination(test, deadline=started + TIME_LIMIT_S)
    except DecryptionError:
        logger.error("Connection test %s: key %s does not decrypt", test.pk, test.key_id)
        found = Examination(Diagnosis(verdict=Verdict.UNREADABLE), requests=0), None
    except Exception:  # a bug of ours: the user gets a verdict, the log the traceback
        logger.exception("Connection test %s of key %s failed in our code", test.pk, test.key_id)
        found = Examination(Diagnosis(verdict=Verdict.OUR_ERROR), requests=0), None
    if found is not None:
        (examination, tested), duration = found, time.monotonic() - started
        _finish(
            test,
            examination.diagnosis,
            requests=examination.requests,
            duration=duration,
            tested=tested,
            taker_fee=examination.taker_fee,
        )


def _locked_examination(
    test: ConnectionTest, *, deadline: float
) -> "tuple[Examination, Credentials | None] | None":
    """Examine the test's credentials (the key's, or its replacement's) under the key's lock,
    and say which they were; None when the test is finished already."""
    key = test.key
    # One private call at a time per key: two tests never clash on nonces.
    with clients.key_lock(key.pk, timeout=max(deadline - time.monotonic(), 0.0)):
        test.refresh_from_db(fields=["finished_at"])
        if not test.running:  # the same task ran twice, or the test expired meanwhile
            return None
        if test.replacement is not None:
            credentials = replacement_reveal(replacement=test.replacement, actor=ACTOR)
        else:
            credentials = exchange_key_reveal(key=key, actor=ACTOR)
        client = clients.build(key.exchange.ccxt_id, credentials)
        _bound(client, deadline)
        examination = examine(client)
        if examination.diagnosis.verdict == Verdict.OK:
            fee = read_taker_fee(client)  # a default for backtests, never part of the verdict
            examination = dataclasses.replace(examination, taker_fee=fee)
        return examination, credentials


def _bound(client: ccxt.Exchange, deadline: float) -> None:
    """Each request of the client ends by the deadline: a test never outlives its task."""
    original, longest = client.fetch, client.timeout

    def fetch(*args: Any, **kwargs: Any) -> Any:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ccxt.RequestTimeout(f"{client.id} the test's time limit is reached")
        client.timeout = min(longest, int(remaining * 1000))
        return original(*args, **kwargs)

    client.fetch = fetch


@dataclass(frozen=True)
class Examination:
    diagnosis: Diagnosis
    requests: int  # HTTP requests the exchange saw
    taker_fee: Decimal | None = None  # the account's own, when the exchange said it


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
            discouraged=set(needs.discouraged),
            currencies=result.currencies,
        )
    if result.trading_until is None:
        return diagnosis
    return dataclasses.replace(diagnosis, key_expires_on=result.trading_until.date())


@transaction.atomic
def _finish(
    test: ConnectionTest,
    diagnosis: Diagnosis,
    *,
    requests: int,
    duration: float,
    tested: Credentials | None = None,
    taker_fee: Decimal | None = None,
) -> None:
    """Record the verdict, once. A new secret's verdict is the key's only if the secret passes
    and replaces the key's (`tested`: the credentials the exchange saw)."""
    # The first to finish a test wins (its worker, or a page expiring it): one verdict each.
    claimed = ConnectionTest.objects.filter(pk=test.pk, finished_at__isnull=True).update(
        finished_at=timezone.now()
    )
    if not claimed:
        return
    test.refresh_from_db(fields=["finished_at"])
    test.duration_ms = int(duration * 1000)
    test.record(diagnosis)
    test.requests = requests
    test.save()
    key_event_record(test.key, KeyEventKind.TESTED, ACTOR)
    logger.info("Connection test %s of key %s: %s", test.pk, test.key_id, diagnosis.verdict)
    if test.replacement_id is not None and not replacement_settle(
        test=test, diagnosis=diagnosis, tested=tested, actor=ACTOR
    ):
        return  # the key, its status and the runs using it carry on as they were
    _tell_the_key(test, diagnosis, taker_fee)


def _tell_the_key(
    test: ConnectionTest, diagnosis: Diagnosis, taker_fee: Decimal | None = None
) -> None:
    """The verdict becomes the key's status, and the apps acting on keys hear it."""
    status = STATUS_FOR.get(diagnosis.verdict, KeyStatus.FAILED)
    if diagnosis.transient:
        status = KeyStatus.UNTESTED  # nothing learnt about the key itself
    changes: dict[str, object] = {"status": status, "last_verdict": diagnosis.verdict}
    if diagnosis.key_expires_on is not None:
        # The exchange's word beats the date the user typed (the key page shows it).
        changes["expires_on"] = diagnosis.key_expires_on
    if taker_fee is not None:
        changes["taker_fee"], changes["taker_fee_read_at"] = taker_fee, timezone.now()
    ExchangeKey.objects.filter(pk=test.key_id).update(**changes)
    if "expires_on" in changes:  # update() sends no signal: the banner is told here
        keys_to_replace_forget(test.key.user_id)
    for listener in verdict_listeners:
        listener(test.key, diagnosis)


def connection_test_expire(*, test: ConnectionTest) -> bool:
    """A test no worker finished in time (the workers down, or the task lost) ends as "not run
    in time": our failure, not the exchange's, and the log tells the team."""
    if not test.running or timezone.now() - test.started_at < ConnectionTest.STALE_AFTER:
        return False
    elapsed = (timezone.now() - test.started_at) / timedelta(seconds=1)
    logger.error(
        "Connection test %s of key %s was not run within %d s: are the workers running?",
        test.pk,
        test.key_id,
        elapsed,
    )
    _finish(test, Diagnosis(verdict=Verdict.NOT_RUN_IN_TIME), requests=0, duration=elapsed)
    return True
