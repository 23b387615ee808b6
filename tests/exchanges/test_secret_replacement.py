"""Replacing a key's secret: the new one is tested first, and kept only when the exchange
accepts it; otherwise the key keeps the credentials that worked, and its page says why.

Through the real pages, the connection test's task (run in-process) and the sandbox venue,
which checks real signatures.
"""

import base64
import os
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from exchanges import connection_tests, retry, selectors, tasks
from exchanges.credentials import exchange_key_reveal
from exchanges.diagnosis import Diagnosis, Verdict
from exchanges.models import ConnectionTest, ExchangeKey, KeyEventKind, KeyReplacement, KeyStatus

pytestmark = pytest.mark.django_db

REFUSED = "The new secret did not pass its test: the key keeps its previous secret."
TESTING = "Testing the new secret"


@pytest.fixture
def sandbox(venue, settings, monkeypatch):
    """Kraken's API calls go to the sandbox venue, without rate limiting or retry delays."""
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url, "krakenfutures": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    return venue


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what a request queued on commit (the connection test), as a worker would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def add_key(client, run_tasks, venue, demo_label: str, label: str = "my-kraken") -> ExchangeKey:
    demo = venue.key(demo_label)
    with run_tasks():
        response = client.post(
            "/en/profile/keys/add/kraken/",
            {"label": label, "api_key": demo.key, "secret": demo.secret},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ExchangeKey.objects.get(label=label)


def replace(client, key, **data):
    return client.post(reverse("exchanges:key_rotate", args=[key.pk]), data, follow=True)


def key_page(client, key) -> str:
    return client.get(key.get_absolute_url()).content.decode()


def a_wrong_secret() -> str:
    return base64.b64encode(os.urandom(64)).decode()  # well shaped, signs nothing Kraken knows


def fresh(key) -> ExchangeKey:
    return ExchangeKey.objects.get(pk=key.pk)


@pytest.fixture
def told(monkeypatch):
    """The verdicts the key's listeners (live runs) hear."""
    heard: list[Diagnosis] = []
    monkeypatch.setattr(
        connection_tests, "verdict_listeners", [lambda key, diagnosis: heard.append(diagnosis)]
    )
    return heard


def test_a_mistyped_secret_leaves_the_working_key_as_it_was(owner_client, sandbox, run_tasks, told):
    demo = sandbox.key("spot-full")
    key = add_key(owner_client, run_tasks, sandbox, "spot-full")
    assert fresh(key).status == KeyStatus.OK

    with run_tasks():
        response = replace(owner_client, key, api_key=demo.key, secret=a_wrong_secret())

    assert response.status_code == 200
    key = fresh(key)
    assert key.secret.reveal() == demo.secret  # the secret that works is kept
    assert key.api_key.reveal() == demo.key
    assert key.status == KeyStatus.OK  # and so is its verdict
    assert key.last_verdict == Verdict.OK
    assert key.rotated_at is None
    page = key_page(owner_client, key)
    assert REFUSED in page
    # Why, in the connection test's own words: its verdict, Kraken's error, the guide's entry.
    assert "Wrong key or secret" in page
    assert "The exchange does not recognise this key and secret together." in page
    assert "EAPI:Invalid signature" in page
    assert 'href="/en/guides/kraken/#error-eapi-invalid-signature"' in page
    assert "✓ Connected" in page  # the key's own state is unchanged
    assert "Secret replaced" not in page
    assert "New secret refused, previous one kept" in page  # the history says so
    # Live runs heard the key's first verdict only, never the refused secret's.
    assert [d.verdict for d in told] == [Verdict.OK]
    # What the go-live gate reads: the key's own latest test, still green.
    assert selectors.tests_of(key).first().verdict == Verdict.OK

    # The key still works at the exchange with the secret it kept.
    with run_tasks():
        owner_client.post(reverse("exchanges:key_test", args=[key.pk]))
    assert key.tests.first().verdict == Verdict.OK
    assert REFUSED not in key_page(owner_client, key)  # the notice goes with a newer test


@pytest.mark.parametrize(
    ("replacement", "verdict_label", "shown", "link"),
    [
        (
            "spot-withdraw",
            "Key can withdraw: refused",
            "Withdraw Funds <code>withdraw-funds</code>",
            "#permissions",
        ),
        (
            "spot-expired",
            "Key expired",
            "The key has expired.",
            "#error-egeneral-permission-denied-expired",
        ),
        (
            "spot-no-query-funds",
            "Missing permission",
            "Query Funds <code>query-funds</code>",
            "#permissions",
        ),
    ],
)
def test_a_new_key_the_test_refuses_does_not_replace_a_working_one(
    owner_client, sandbox, run_tasks, replacement, verdict_label, shown, link
):
    working = sandbox.key("spot-full")
    new = sandbox.key(replacement)
    key = add_key(owner_client, run_tasks, sandbox, "spot-full")

    with run_tasks():
        replace(owner_client, key, api_key=new.key, secret=new.secret)

    key = fresh(key)
    assert (key.api_key.reveal(), key.secret.reveal()) == (working.key, working.secret)
    assert key.key_hint == working.key[-4:]
    assert key.status == KeyStatus.OK
    page = key_page(owner_client, key)
    assert REFUSED in page
    assert verdict_label in page
    assert shown in page
    assert f'href="/en/guides/kraken/{link}"' in page


def test_a_new_key_that_passes_the_test_replaces_the_old_one(
    owner_client, sandbox, run_tasks, told
):
    good = sandbox.key("spot-full")
    key = add_key(owner_client, run_tasks, sandbox, "spot-expired")
    assert fresh(key).status == KeyStatus.FAILED
    expires = (timezone.localdate() + timedelta(days=200)).isoformat()

    with run_tasks():
        response = replace(
            owner_client, key, api_key=good.key, secret=good.secret, expires_on=expires
        )

    assert "New secret saved, encrypted" in response.content.decode()
    key = fresh(key)
    assert (key.api_key.reveal(), key.secret.reveal()) == (good.key, good.secret)
    assert key.key_hint == good.key[-4:]
    assert key.status == KeyStatus.OK
    assert key.last_verdict == Verdict.OK
    assert key.rotated_at is not None
    assert key.expires_on == date.fromisoformat(expires)
    page = key_page(owner_client, key)
    assert "The new secret passed the test and replaced the previous one." in page
    assert "✓ Connected" in page
    assert REFUSED not in page
    kinds = list(key.events.values_list("kind", flat=True))
    assert kinds[0] == KeyEventKind.SECRET_REPLACED
    assert KeyEventKind.SECRET_SUBMITTED in kinds
    assert selectors.tests_of(key).first().verdict == Verdict.OK
    assert [d.verdict for d in told] == [Verdict.EXPIRED, Verdict.OK]


def test_while_the_new_secret_is_tested_the_key_keeps_its_own(owner_client, sandbox, run_tasks):
    working = sandbox.key("spot-full")
    key = add_key(owner_client, run_tasks, sandbox, "spot-full")
    new_secret = a_wrong_secret()

    replace(owner_client, key, api_key=working.key, secret=new_secret)  # no worker yet

    status = owner_client.get(reverse("exchanges:key_status", args=[key.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in status  # the page follows the test
    assert TESTING in status
    assert "✓ Connected" in status  # the key's state is untouched meanwhile
    key = fresh(key)
    assert key.status == KeyStatus.OK
    # What a run's tick decrypts meanwhile: the credentials that work.
    assert exchange_key_reveal(key=key, actor="task:test").secret == working.secret

    # A second replacement waits for the first one's verdict, and says so.
    again = replace(owner_client, key, api_key=working.key, secret=a_wrong_secret())
    assert "is being tested already" in again.content.decode()
    assert KeyReplacement.objects.filter(key=key).count() == 1
    # So does "Test again": one test of this key at a time.
    tested = owner_client.post(reverse("exchanges:key_test", args=[key.pk]), follow=True)
    assert "is still running" in tested.content.decode()


def test_the_new_secret_is_never_shown_and_is_wiped_once_tested(
    owner_client, admin_client, sandbox, run_tasks
):
    working = sandbox.key("spot-full")
    key = add_key(owner_client, run_tasks, sandbox, "spot-full")
    new_secret = a_wrong_secret()

    response = replace(owner_client, key, api_key=working.key, secret=new_secret)

    pending = KeyReplacement.objects.get(key=key)
    stored = KeyReplacement.objects.values("secret").get(pk=pending.pk)["secret"]
    assert stored
    assert new_secret not in stored  # encrypted
    assert pending.secret.reveal() == new_secret
    pages = [
        response.content.decode(),
        key_page(owner_client, key),
        owner_client.get(reverse("exchanges:keys")).content.decode(),
        owner_client.get(reverse("exchanges:key_rotate", args=[key.pk])).content.decode(),
    ]
    for url in (
        reverse("admin:exchanges_exchangekey_change", args=[key.pk]),
        reverse("admin:exchanges_exchangekey_changelist"),
    ):
        admin_page = admin_client.get(url)
        assert admin_page.status_code == 200
        pages.append(admin_page.content.decode())
    for page in pages:
        assert new_secret not in page
        assert stored not in page

    # The test runs (the worker picks it up): refused, and its ciphertext is wiped.
    with run_tasks():
        connection_tests.connection_test_run(test_id=pending.test.pk)
    assert KeyReplacement.objects.values("api_key", "secret").get(pk=pending.pk) == {
        "api_key": None,
        "secret": None,
    }
    assert REFUSED in key_page(owner_client, key)


def test_a_new_secret_whose_test_no_worker_ran_is_not_adopted(owner_client, sandbox, run_tasks):
    old = sandbox.key("spot-expired")
    good = sandbox.key("spot-full")  # it would pass the test: only the expiry stops it
    key = add_key(owner_client, run_tasks, sandbox, "spot-expired")

    replace(owner_client, key, api_key=good.key, secret=good.secret)  # the task is lost
    test = key.tests.first()
    for earlier in key.tests.all():  # two minutes and more go by
        ConnectionTest.objects.filter(pk=earlier.pk).update(
            started_at=earlier.started_at - ConnectionTest.STALE_AFTER * 2
        )

    page = key_page(owner_client, key)
    assert "Test not run in time" in page
    assert REFUSED in page
    assert "hx-trigger" not in page
    key = fresh(key)
    assert key.secret.reveal() == old.secret
    assert key.status == KeyStatus.FAILED  # its previous verdict, not "not tested yet"
    assert key.last_verdict == Verdict.EXPIRED

    # A worker that runs the lost task late adopts nothing: the test is over.
    connection_tests.connection_test_run(test_id=test.pk)
    key = fresh(key)
    assert key.secret.reveal() == old.secret
    assert key.rotated_at is None
    assert KeyReplacement.objects.get(key=key).secret is None


def test_a_stale_new_secret_is_discarded_even_if_nobody_looks(owner_client, sandbox, run_tasks):
    old = sandbox.key("spot-expired")
    good = sandbox.key("spot-full")
    key = add_key(owner_client, run_tasks, sandbox, "spot-expired")
    replace(owner_client, key, api_key=good.key, secret=good.secret)  # the task is lost
    for earlier in key.tests.all():  # two minutes and more go by
        ConnectionTest.objects.filter(pk=earlier.pk).update(
            started_at=earlier.started_at - ConnectionTest.STALE_AFTER * 2
        )
    assert Schedule.objects.filter(func="exchanges.tasks.expire_stale_tests").exists()

    tasks.expire_stale_tests()  # what the schedule runs every few minutes

    assert KeyReplacement.objects.get(key=key).secret is None
    assert fresh(key).secret.reveal() == old.secret
    assert REFUSED in key_page(owner_client, key)


def test_a_new_key_saved_meanwhile_as_another_key_is_not_adopted_twice(
    owner_client, sandbox, run_tasks
):
    old = sandbox.key("spot-expired")
    good = sandbox.key("spot-full")
    key = add_key(owner_client, run_tasks, sandbox, "spot-expired")
    replace(owner_client, key, api_key=good.key, secret=good.secret)  # not tested yet...
    other = add_key(owner_client, run_tasks, sandbox, "spot-full", label="other")  # ...and saved

    connection_tests.connection_test_run(test_id=key.tests.first().pk)  # it passes, too late

    assert fresh(key).secret.reveal() == old.secret  # one key, one program: nonces never clash
    assert fresh(other).secret.reveal() == good.secret
    page = key_page(owner_client, key)
    assert "you saved its API key in another key meanwhile" in page
    assert "This key keeps its previous secret." in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"api_key": "", "secret": ""},
        {"api_key": "abc\x00def", "secret": "x"},
        {"api_key": "SANDBOX", "secret": "not base64!", "expires_on": "31/02/2027"},
        {"api_key": ["a", "b"], "secret": ["c"]},
    ],
)
def test_bad_input_for_a_new_secret_changes_nothing(owner_client, kraken_key, data):
    before = ExchangeKey.objects.values("api_key", "secret").get(pk=kraken_key.pk)

    response = replace(owner_client, kraken_key, **data)

    assert response.status_code == 200
    assert ExchangeKey.objects.values("api_key", "secret").get(pk=kraken_key.pk) == before
    assert not KeyReplacement.objects.exists()
