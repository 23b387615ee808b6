"""The connection test end to end: the real form, the task, ccxt, the sandbox venue, the page."""

import base64
import logging
import os
import signal
import threading
import time
from datetime import date

import ccxt
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ, Task

from exchanges import clients, connection_tests, probes, retry
from exchanges.credentials import Credentials
from exchanges.diagnosis import Verdict
from exchanges.models import ConnectionTest, Exchange, ExchangeKey, KeyEventKind, KeyStatus
from exchanges.services import exchange_key_create
from tests.exchanges.conftest import kraken_credentials

pytestmark = pytest.mark.django_db


@pytest.fixture
def kraken_on_sandbox(venue, settings, monkeypatch):
    """Kraken's API calls go to the sandbox. For speed, and only here: ccxt's rate limiter is
    off (it spaces Kraken's private calls by seconds) and retries are not spaced out."""
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url, "krakenfutures": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    return venue


def add_key(client, on_commit, venue, label: str, **override: str):
    """Paste a sandbox key through the real form; the test runs once the key is saved."""
    key = venue.key(label)
    data = {"label": label, "api_key": key.key, "secret": key.secret, **override}
    slug = "kraken-futures" if key.venue == "futures" else "kraken"
    with on_commit(execute=True):
        response = client.post(f"/en/profile/keys/add/{slug}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return ExchangeKey.objects.get(label=label)


def status_page(client, key) -> str:
    return client.get(reverse("exchanges:key_status", args=[key.pk])).content.decode()


def test_a_good_key_gets_the_green_tick_with_currencies(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox
):
    key = add_key(owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, "spot-full")

    test = ConnectionTest.objects.get(key=key)
    assert test.verdict == Verdict.OK
    key.refresh_from_db()
    assert key.status == KeyStatus.OK
    assert set(test.currencies) >= {"BTC", "USD"}
    assert {"query-funds", "modify-trades"} <= set(test.permissions_seen)
    page = status_page(owner_client, key)
    assert "✓ Connected" in page
    assert "hx-trigger" not in page  # finished: the page stops polling
    assert "100000" not in page  # currencies, never amounts


@pytest.mark.parametrize(
    ("label", "verdict", "text", "link"),
    [
        (
            "spot-no-query-funds",
            Verdict.MISSING_PERMISSION,
            "Query Funds <code>query-funds</code>",
            "#permissions",
        ),
        (
            "spot-withdraw",
            Verdict.WITHDRAW_ENABLED,
            "Withdraw Funds <code>withdraw-funds</code>",  # under "Permissions to remove"
            "#permissions",
        ),
        (
            "spot-expired",
            Verdict.EXPIRED,
            "The key has expired",
            "#error-egeneral-permission-denied-expired",
        ),
        (
            "spot-ip-restricted",
            Verdict.IP_NOT_ALLOWED,
            "51.38.112.198",
            "#error-ip-address-not-allowed",  # the guide's entry about IP addresses
        ),
    ],
)
def test_each_key_problem_gets_its_verdict(
    owner_client,
    django_capture_on_commit_callbacks,
    kraken_on_sandbox,
    label,
    verdict,
    text,
    link,
):
    key = add_key(owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, label)

    test = ConnectionTest.objects.get(key=key)
    assert test.verdict == verdict
    page = status_page(owner_client, key)
    assert text in page
    assert f'href="/en/guides/kraken/{link}"' in page
    key.refresh_from_db()
    expected = KeyStatus.REFUSED if verdict == Verdict.WITHDRAW_ENABLED else KeyStatus.FAILED
    assert key.status == expected


def test_a_wrong_secret_is_named_with_kraken_s_own_error(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox
):
    wrong = base64.b64encode(os.urandom(64)).decode()
    key = add_key(
        owner_client,
        django_capture_on_commit_callbacks,
        kraken_on_sandbox,
        "spot-full",
        secret=wrong,
    )

    test = ConnectionTest.objects.get(key=key)
    assert (test.verdict, test.raw_code) == (Verdict.WRONG_CREDENTIALS, "EAPI:Invalid signature")
    assert 'href="/en/guides/kraken/#error-eapi-invalid-signature"' in status_page(
        owner_client, key
    )


@pytest.mark.parametrize("fault", ["unavailable", "rate_limit", "slow", "malformed_json"])
def test_exchange_trouble_is_not_blamed_on_the_key(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, settings, fault
):
    settings.EXCHANGE_TIMEOUT_MS = 300
    inject = {
        "unavailable": lambda: kraken_on_sandbox.inject_unavailable(count=10),
        "rate_limit": lambda: kraken_on_sandbox.inject_rate_limit(count=10),
        "slow": lambda: kraken_on_sandbox.inject_slow(seconds=1, count=10),
        "malformed_json": lambda: kraken_on_sandbox.inject_malformed_json(count=10),
    }
    inject[fault]()

    key = add_key(owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, "spot-full")

    test = ConnectionTest.objects.get(key=key)
    assert test.verdict == Verdict.UNAVAILABLE
    key.refresh_from_db()
    assert key.status == KeyStatus.UNTESTED  # nothing was learnt about the key
    assert "try again in a few minutes" in status_page(owner_client, key)


def test_a_passing_fault_is_retried_into_a_verdict(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox
):
    kraken_on_sandbox.inject_unavailable(count=1)

    key = add_key(owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, "spot-full")

    assert ConnectionTest.objects.get(key=key).verdict == Verdict.OK


def test_running_tests_poll_and_stale_tests_expire(owner_client, kraken_key, caplog):
    test = connection_tests.connection_test_start(key=kraken_key)  # no worker picks it up

    page = status_page(owner_client, kraken_key)
    assert 'hx-trigger="every 1s"' in page
    assert "Testing the key" in page

    # (the key's creation started a test too: both are left without a worker)
    ConnectionTest.objects.filter(key=kraken_key).update(
        started_at=test.started_at - ConnectionTest.STALE_AFTER * 2
    )
    page = status_page(owner_client, kraken_key)
    assert "hx-trigger" not in page
    # Our workers' failure, told as ours: never "Exchange unavailable".
    assert "Test not run in time" in page
    assert "Our test workers did not run this test in time" in page
    assert "Exchange unavailable" not in page
    assert "was not run within" in caplog.text  # the team is alerted
    kraken_key.refresh_from_db()
    assert kraken_key.status == KeyStatus.UNTESTED


def test_the_keys_list_never_shows_testing_past_the_time_limit(owner_client, kraken_key):
    ConnectionTest.objects.filter(key=kraken_key).update(
        started_at=timezone.now() - ConnectionTest.STALE_AFTER * 2
    )

    listing = owner_client.get(reverse("exchanges:keys")).content.decode()

    assert "Testing…" not in listing
    assert "Not tested yet" in listing
    assert ConnectionTest.objects.get(key=kraken_key).verdict == Verdict.NOT_RUN_IN_TIME


def test_a_crash_in_our_code_is_told_as_ours_in_the_user_s_language(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, monkeypatch, caplog
):
    def broken(client):
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(probes, "run", broken)

    key = add_key(owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, "spot-full")

    assert ConnectionTest.objects.get(key=key).verdict == Verdict.OUR_ERROR
    key.refresh_from_db()
    assert key.status == KeyStatus.UNTESTED  # nothing learnt about the key
    page = status_page(owner_client, key)
    assert "Error on our side" in page
    assert "We have been alerted. Try again in a few minutes." in page
    assert "Exchange unavailable" not in page
    assert "The exchange said" not in page
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "failed in our code" in errors[0].getMessage()
    assert errors[0].exc_info is not None  # the traceback, for the team
    french = owner_client.get(
        reverse("exchanges:key_status", args=[key.pk]).replace("/en/", "/fr/")
    ).content.decode()
    assert "Erreur de notre côté" in french


def test_a_key_that_does_not_decrypt_asks_to_paste_it_again(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, owner, kraken, caplog
):
    key = add_key(owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, "spot-full")
    other = exchange_key_create(
        user=owner, exchange=kraken, label="other", credentials=kraken_credentials()
    )
    # Another row's ciphertext: well formed, but bound to that row, so it does not decrypt here.
    table, pk = ExchangeKey._meta.db_table, ExchangeKey._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET secret = (SELECT secret FROM {table} WHERE id = %s) WHERE id = %s",  # noqa: S608 - our table name
            [pk.get_db_prep_value(row.pk, connection) for row in (other, key)],
        )

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("exchanges:key_test", args=[key.pk]))

    latest = key.tests.first()
    assert latest.verdict == Verdict.UNREADABLE
    key.refresh_from_db()
    assert key.status == KeyStatus.FAILED
    page = owner_client.get(key.get_absolute_url()).content.decode()
    assert "Paste the key again" in page
    assert "Exchange unavailable" not in page
    kinds = list(key.events.values_list("kind", flat=True))
    assert kinds[0:2] == [KeyEventKind.TESTED, KeyEventKind.DECRYPTION_FAILED]
    assert "Decryption failed" in page
    assert "does not decrypt" in caplog.text


def test_an_exchange_slower_than_the_time_limit_ends_as_unavailable(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, monkeypatch
):
    """A test never outlives its task (killed at Q_TIMEOUT): past its own limit, the exchange
    was too slow, and that is the verdict."""
    monkeypatch.setattr(connection_tests, "TIME_LIMIT_S", 1.0)
    kraken_on_sandbox.inject_slow(seconds=3, count=1)
    started = time.monotonic()

    key = add_key(owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, "spot-full")

    assert time.monotonic() - started < 2.5
    assert ConnectionTest.objects.get(key=key).verdict == Verdict.UNAVAILABLE


def test_test_again_and_a_task_run_twice(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox
):
    key = add_key(owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, "spot-full")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("exchanges:key_test", args=[key.pk]))
    tests = list(ConnectionTest.objects.filter(key=key))
    assert [t.verdict for t in tests] == [Verdict.OK, Verdict.OK]

    connection_tests.connection_test_run(test_id=tests[0].pk)  # idempotent
    assert ConnectionTest.objects.filter(key=key).count() == 2
    history = owner_client.get(key.get_absolute_url()).content.decode()
    assert history.count("<td>Connected</td>") == 2


def test_two_tests_of_one_key_at_once_never_clash_on_nonces(
    owner, kraken, kraken_on_sandbox, django_capture_on_commit_callbacks, transactional_db
):
    demo = kraken_on_sandbox.key("spot-full")
    key = exchange_key_create(
        user=owner, exchange=kraken, label="k", credentials=Credentials(demo.key, demo.secret)
    )
    tests = [connection_tests.connection_test_start(key=key) for _ in range(2)]
    threads = [
        threading.Thread(target=connection_tests.connection_test_run, kwargs={"test_id": t.pk})
        for t in tests
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [t.verdict for t in ConnectionTest.objects.filter(key=key)] == [Verdict.OK] * 3


def test_no_secret_in_task_arguments_results_or_logs(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, caplog
):
    caplog.set_level(logging.DEBUG)
    demo = kraken_on_sandbox.key("spot-full")
    key = add_key(owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, "spot-full")

    tasks = list(Task.objects.all())
    assert tasks  # the test's task was recorded: its arguments and result are searched
    for task in tasks:
        for value in (task.args, task.kwargs, task.result):
            assert demo.secret not in repr(value)
            assert demo.key not in repr(value)
    assert demo.secret not in caplog.text
    assert demo.key not in caplog.text
    assert ConnectionTest.objects.get(key=key).verdict == Verdict.OK


def test_markets_are_cached_so_a_test_makes_two_requests(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox
):
    key = add_key(owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, "spot-full")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("exchanges:key_test", args=[key.pk]))
    refused = add_key(
        owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, "spot-withdraw"
    )

    first, again = key.tests.order_by("started_at")
    # Assets, AssetPairs, then GetApiKeyInfo and BalanceEx. (No Time: Kraken's nonce is not
    # aligned on its clock, see clients.NONCE_COUNTERS.)
    assert first.requests == 4
    assert again.requests == 2
    # A key that can withdraw is not used past GetApiKeyInfo.
    assert ConnectionTest.objects.get(key=refused).requests == 1
    assert clients.build("kraken").markets  # shared through the cache


def test_garbled_markets_are_not_cached(kraken_on_sandbox):
    kraken_on_sandbox.inject_malformed_json(count=2)  # Assets and AssetPairs
    client = clients.build("kraken")
    with pytest.raises(ccxt.BadResponse):
        clients.ensure_markets(client)
    assert not clients.build("kraken").markets

    clients.ensure_markets(client)  # the next try loads them
    assert clients.build("kraken").markets


@pytest.mark.cluster
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_verdict(
    owner_client, kraken_on_sandbox, start_qcluster, monkeypatch
):
    """The whole path: the form, the queue, a qcluster process, ccxt, the sandbox, the page."""
    monkeypatch.setattr(Conf, "SYNC", False)  # the worker process runs it, not this one
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    overrides = f"kraken={kraken_on_sandbox.url},krakenfutures={kraken_on_sandbox.url}"
    start_qcluster(EXCHANGE_API_OVERRIDES=overrides, EXCHANGE_RATE_LIMIT="false")
    demo = kraken_on_sandbox.key("spot-full")

    owner_client.post(
        "/en/profile/keys/add/kraken/",
        {"label": "live", "api_key": demo.key, "secret": demo.secret},
    )
    key = ExchangeKey.objects.get(label="live")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and ConnectionTest.objects.get(key=key).running:
        time.sleep(0.2)

    assert ConnectionTest.objects.get(key=key).verdict == Verdict.OK
    assert "✓ Connected" in status_page(owner_client, key)


@pytest.mark.parametrize(
    ("label", "verdict"),
    [
        ("futures-full", Verdict.OK),
        ("futures-read-only", Verdict.MISSING_PERMISSION),
        ("futures-withdraw", Verdict.WITHDRAW_ENABLED),
        ("futures-expired", Verdict.AMBIGUOUS),
        ("futures-ip-restricted", Verdict.AMBIGUOUS),
    ],
)
def test_kraken_futures_keys_get_their_verdicts(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, label, verdict
):
    key = add_key(owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, label)

    test = ConnectionTest.objects.get(key=key)
    assert test.verdict == verdict, test.raw_code
    if verdict == Verdict.MISSING_PERMISSION:
        assert test.missing_permissions == ["general-full"]
    if verdict == Verdict.AMBIGUOUS:
        assert test.raw_code == "authenticationError"
        page = status_page(owner_client, key)
        assert 'href="/en/guides/kraken-futures/#error-authentication-error"' in page
        if label == "futures-ip-restricted":  # the checklist's IP cause: the entry about IPs
            assert 'href="/en/guides/kraken-futures/#error-ip-address-not-allowed"' in page


def test_a_key_used_by_another_program_is_told_so(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox
):
    demo = kraken_on_sandbox.key("spot-full")
    other_bot = ccxt.kraken({"apiKey": demo.key, "secret": demo.secret, "enableRateLimit": False})
    other_bot.urls["api"] = {**other_bot.urls["api"], **kraken_on_sandbox.ccxt_urls("kraken")}
    other_bot.nonce = lambda: 10**18  # another program, far ahead with its nonces
    other_bot.private_post_balance()

    key = add_key(owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox, "spot-full")

    test = ConnectionTest.objects.get(key=key)
    assert (test.verdict, test.raw_code) == (Verdict.NONCE_CLASH, "EAPI:Invalid nonce")
    assert "Give each program its own key" in status_page(owner_client, key)


def test_an_expired_key_shows_its_date_when_known(
    owner_client, django_capture_on_commit_callbacks, kraken_on_sandbox
):
    on_commit = django_capture_on_commit_callbacks
    key = add_key(owner_client, on_commit, kraken_on_sandbox, "spot-expired")
    # The date typed when the key was added, since gone by (the form refuses a past date).
    ExchangeKey.objects.filter(pk=key.pk).update(expires_on=date(2026, 1, 31))

    assert ConnectionTest.objects.get(key=key).verdict == Verdict.EXPIRED
    assert "The key expired on Jan. 31, 2026." in status_page(owner_client, key)


# The promise: a verdict lost with a killed worker shows within 30 s of its restart.
VERDICT_AFTER_RESTART_WITHIN = 30.0


@pytest.mark.cluster
@pytest.mark.django_db(transaction=True)
def test_a_test_lost_with_a_killed_worker_ends_soon_after_its_restart(
    owner, kraken_on_sandbox, start_qcluster, monkeypatch
):
    """The short-task cluster hands a task out again `Q_RETRY` seconds after its worker took
    it: killed mid-test, the test still gets its verdict within half a minute."""
    monkeypatch.setattr(Conf, "SYNC", False)
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    overrides = f"kraken={kraken_on_sandbox.url},krakenfutures={kraken_on_sandbox.url}"
    variables = {"EXCHANGE_API_OVERRIDES": overrides, "EXCHANGE_RATE_LIMIT": "false"}
    cluster = start_qcluster(**variables)
    kraken_on_sandbox.inject_slow(seconds=10, count=1)  # the worker is inside a request
    demo = kraken_on_sandbox.key("spot-full")
    key = exchange_key_create(
        user=owner,
        exchange=Exchange.objects.get(slug="kraken"),
        label="killed",
        credentials=Credentials(demo.key, demo.secret),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not OrmQ.objects.filter(lock__gt=timezone.now()):
        time.sleep(0.1)  # until a worker took the task (the broker's lock moved ahead)
    time.sleep(1.0)

    os.killpg(cluster.pid, signal.SIGKILL)  # the machine dies with its workers
    cluster.wait()
    assert ConnectionTest.objects.get(key=key).running
    start_qcluster(**variables)
    restarted = time.monotonic()
    while time.monotonic() - restarted < 60 and ConnectionTest.objects.get(key=key).running:
        time.sleep(0.2)
    delay = time.monotonic() - restarted

    assert ConnectionTest.objects.get(key=key).verdict == Verdict.OK
    assert delay < VERDICT_AFTER_RESTART_WITHIN, f"verdict {delay:.1f} s after the restart"
