"""The canary test: secrets pasted through the real pages are nowhere to be found in clear."""

import base64
import io
import logging
import secrets

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_q.models import Success

from exchanges import connection_tests, retry
from exchanges.credentials import exchange_key_reveal
from exchanges.diagnosis import Verdict
from exchanges.models import ConnectionTest, ExchangeKey

pytestmark = pytest.mark.django_db


def canary_kraken() -> dict[str, str]:
    # Correctly shaped, and unique enough that any hit is a leak.
    return {
        "api_key": base64.b64encode(b"CANARYAPI-" + secrets.token_bytes(32)).decode(),
        "secret": base64.b64encode(b"CANARYSECRET-" + secrets.token_bytes(51)).decode(),
    }


def every_value_in_the_database():
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - our own table names
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    yield table, value


@pytest.fixture
def kraken_on_sandbox(venue, settings, monkeypatch):
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    return venue


def test_no_secret_in_clear_anywhere(
    owner_client, owner, admin_client, caplog, kraken_on_sandbox, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    pages: list[str] = []
    canaries: list[str] = []
    # Every save below commits: its connection test runs for real (django-q2, in-process in the
    # tests), decrypts the key and signs requests to the sandbox venue.
    on_commit = django_capture_on_commit_callbacks

    first = canary_kraken()
    canaries += first.values()
    with on_commit(execute=True):
        response = owner_client.post("/en/profile/keys/add/kraken/", {"label": "spot", **first})
    key = ExchangeKey.objects.get(user=owner, label="spot")
    pages.append(owner_client.get(response["Location"]).content.decode())

    # A key the venue accepts: the whole test runs, permissions and balance included.
    demo = kraken_on_sandbox.key("spot-full")
    canaries += [demo.key, demo.secret]
    with on_commit(execute=True):
        owner_client.post(
            "/en/profile/keys/add/kraken/",
            {"label": "demo", "api_key": demo.key, "secret": demo.secret},
        )

    okx = {
        "label": "okx-spot",
        "api_key": "CANARYOKXKEY" + secrets.token_hex(10),
        "secret": "CANARYOKXSECRET" + secrets.token_hex(10),
        "passphrase": "CANARY-pass-" + secrets.token_hex(6),
    }
    canaries += [okx["api_key"], okx["secret"], okx["passphrase"]]
    with on_commit(execute=True):
        pages.append(
            owner_client.post("/en/profile/keys/add/okx/", okx, follow=True).content.decode()
        )

    # A refused form (bad secret) must not echo the API key back.
    bad = canary_kraken()
    canaries.append(bad["api_key"])
    pages.append(
        owner_client.post(
            "/en/profile/keys/add/kraken/",
            {"label": "bad", "api_key": bad["api_key"], "secret": "x"},
        ).content.decode()
    )

    rotated = canary_kraken()
    canaries += rotated.values()
    with on_commit(execute=True):
        pages.append(
            owner_client.post(
                reverse("exchanges:key_rotate", args=[key.pk]), rotated, follow=True
            ).content.decode()
        )
    exchange_key_reveal(key=ExchangeKey.objects.get(pk=key.pk), actor="task:canary")

    for url in (
        "/en/profile/keys/",
        "/fr/profile/keys/",
        reverse("exchanges:key_detail", args=[key.pk]),
        "/en/profile/",
    ):
        pages.append(owner_client.get(url).content.decode())
    for url in (
        reverse("admin:exchanges_exchangekey_changelist"),
        reverse("admin:exchanges_exchangekey_change", args=[key.pk]),
        reverse("admin:exchanges_exchangekeyevent_changelist"),
        "/en/admin/django_q/ormq/",
        "/en/admin/django_q/success/",
    ):
        pages.append(admin_client.get(url).content.decode())

    okx_key = ExchangeKey.objects.get(user=owner, label="okx-spot")
    owner_client.post(reverse("exchanges:key_delete", args=[okx_key.pk]))

    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)

    # The canaries really went in: the remaining key decrypts to its first values (the venue
    # refused the rotated ones, unknown to it, after their own test), and the workers really
    # took them out: four tests ran (the demo key's to the end), so the task tables and the
    # workers' log lines searched below are not empty.
    assert ExchangeKey.objects.get(pk=key.pk).secret.reveal() == first["secret"]
    assert ConnectionTest.objects.get(replacement__key=key).verdict == Verdict.WRONG_CREDENTIALS
    ran = Success.objects.filter(func=connection_tests.TASK)
    assert ran.count() == 4
    demo_test = ConnectionTest.objects.get(key__label="demo")
    assert demo_test.verdict == Verdict.OK
    assert demo.key in kraken_on_sandbox.state.last_used
    assert "Connection test" in caplog.text
    haystacks = [*pages, caplog.text, dump.getvalue()]
    values = list(every_value_in_the_database())
    assert {"django_q_task", "exchanges_connectiontest"} <= {table for table, _ in values}
    for canary in canaries:
        for text in haystacks:
            assert canary not in text
        for table, value in values:
            assert canary not in str(value), table
            if isinstance(value, bytes):
                assert canary.encode() not in value, table
