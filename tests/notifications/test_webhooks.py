"""A user's own webhook and a Discord webhook, against a local receiver: what arrives, its
signature checked by the published recipe, replays and stale deliveries refused, 429 honoured,
a deleted webhook ending the channel, retries with the same idempotency key."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import signing
from notifications.events import Event, Message, renderers
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.services.channels import channel_address_set
from notifications.services.outbox import deliveries_requeue, delivery_send, notify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _renderer(monkeypatch):
    """A fixed message for the tests' event, so what arrives is known in advance."""
    monkeypatch.setitem(
        renderers,
        Event.RUN_STARTED,
        lambda params: Message(
            title=f"Run {params['run']} started",
            paragraphs=("First paragraph.", "Second."),
            url="https://example.com/run",
            data={"run": params["run"]},
        ),
    )


def _webhook(person, receiver) -> str:
    secret = channel_address_set(user=person, kind="webhook", url=receiver.url + "/hook")
    assert secret is not None
    return secret


def test_a_webhook_delivery_is_signed_as_the_recipe_says(
    person, receiver, local_addresses, django_capture_on_commit_callbacks
):
    secret = _webhook(person, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=person, event=Event.RUN_STARTED, key="run_started:7", params={"run": 7})

    (got,) = receiver.received
    body = got.json()
    assert (body["event"], body["title"], body["data"]) == (
        "run_started",
        "Run 7 started",
        {"run": 7},
    )
    assert body["text"] == "First paragraph.\n\nSecond."
    # The recipe, written out here independently of notifications.signing.
    timestamp = got.headers["X-Noon-Barbari-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + got.body, hashlib.sha256)
    assert got.headers["X-Noon-Barbari-Signature"] == "v1=" + expected.hexdigest()
    assert abs(int(timestamp) - time.time()) < 10
    assert got.headers["X-Noon-Barbari-Idempotency-Key"] == body["id"]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_the_recipe_refuses_a_replay_a_stale_delivery_and_a_forged_body(
    person, receiver, local_addresses, django_capture_on_commit_callbacks
):
    secret = _webhook(person, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=person, event=Event.RUN_STARTED, key="run_started:8", params={"run": 8})
    (got,) = receiver.received
    now = int(got.headers["X-Noon-Barbari-Timestamp"])
    seen: set[str] = set()

    key = signing.verify(secret, got.body, got.headers, now=now, seen=seen)
    assert key == got.json()["id"]
    with pytest.raises(signing.Refused, match="already received"):
        signing.verify(secret, got.body, got.headers, now=now, seen=seen)
    with pytest.raises(signing.Refused, match="stale"):
        signing.verify(secret, got.body, got.headers, now=now + 301, seen=set())
    forged = got.body.replace(b"Run 8", b"Run 9")
    with pytest.raises(signing.Refused, match="bad signature"):
        signing.verify(secret, forged, got.headers, now=now, seen=set())
    with pytest.raises(signing.Refused, match="bad signature"):
        signing.verify("whsec_other", got.body, got.headers, now=now, seen=set())


def test_a_failed_delivery_is_retried_later_with_the_same_idempotency_key(
    person, receiver, local_addresses, django_capture_on_commit_callbacks
):
    _webhook(person, receiver)
    receiver.answer(503)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=person, event=Event.RUN_STARTED, key="run_started:9", params={"run": 9})
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert (delivery.error_code, delivery.error_detail) == ("unavailable", "HTTP 503")
    assert timedelta(seconds=5) < delivery.due_at - timezone.now() <= timedelta(seconds=10)

    stale_turn = delivery.turn - 1  # the first attempt's, taken
    Delivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_requeue() == 1  # the sweep queues it again, in a turn of its own
    assert not delivery_send(delivery_id=delivery.pk, turn=stale_turn)  # a late copy: nothing
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)

    first, second = receiver.received
    assert first.body == second.body
    assert first.headers["X-Noon-Barbari-Idempotency-Key"] == str(delivery.idempotency_key)
    assert second.headers["X-Noon-Barbari-Idempotency-Key"] == str(delivery.idempotency_key)


def test_a_429_is_waited_out_and_not_counted_as_a_failure(
    person, receiver, local_addresses, django_capture_on_commit_callbacks
):
    _webhook(person, receiver)
    receiver.answer(429, {"Retry-After": "1"})
    began = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=person, event=Event.RUN_STARTED, key="run_started:10", params={"run": 10})

    assert len(receiver.received) == 2
    assert time.monotonic() - began >= 1.0  # the pause asked for, waited in the task
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_a_webhook_answering_410_ends_the_channel_until_saved_again(
    person, receiver, local_addresses, django_capture_on_commit_callbacks
):
    _webhook(person, receiver)
    receiver.answer(410)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=person, event=Event.RUN_STARTED, key="run_started:11", params={"run": 11})
        notify(user=person, event=Event.RUN_STARTED, key="run_started:12", params={"run": 12})

    assert len(receiver.received) == 1  # the second was not even tried
    channel = Channel.objects.get(kind="webhook")
    assert channel.broken_reason == "gone"
    statuses = dict(Delivery.objects.values_list("notification__key", "status"))
    # The first given up; the second not sent, the channel being gone.
    assert statuses == {"run_started:11": "failed", "run_started:12": "dropped"}


def test_discord_gets_an_embed_that_mentions_nobody(
    person, receiver, local_addresses, django_capture_on_commit_callbacks
):
    channel_address_set(user=person, kind="discord", url=receiver.url + "/api/webhooks/1/tok")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=person, event=Event.RUN_STARTED, key="run_started:13", params={"run": 13})

    (got,) = receiver.received
    assert got.path == "/api/webhooks/1/tok"
    assert got.json() == {
        "embeds": [
            {
                "title": "Run 13 started",
                "description": "First paragraph.\n\nSecond.",
                "url": "https://example.com/run",
            }
        ],
        "allowed_mentions": {"parse": []},
    }


def test_discord_429_with_its_json_retry_after_and_a_deleted_webhook(
    person, receiver, local_addresses, django_capture_on_commit_callbacks
):
    channel_address_set(user=person, kind="discord", url=receiver.url + "/api/webhooks/1/tok")
    # Discord's answer to a burst: 429, Retry-After in seconds, the same in the JSON body.
    receiver.answer(429, {"Retry-After": "1"}, json.dumps({"retry_after": 0.6}).encode())
    receiver.answer(404, {}, b'{"message": "Unknown Webhook", "code": 10015}')
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=person, event=Event.RUN_STARTED, key="run_started:14", params={"run": 14})

    assert len(receiver.received) == 2
    assert Channel.objects.get(kind="discord").broken_reason == "gone"


def test_an_event_is_recorded_once_and_only_for_channels_that_carry_it(
    person, receiver, local_addresses, django_capture_on_commit_callbacks
):
    _webhook(person, receiver)
    Channel.objects.filter(kind="webhook").update(events=[Event.FILL])
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(user=person, event=Event.RUN_STARTED, key="k", params={"run": 1})
        assert notify(user=person, event=Event.RUN_STARTED, key="k", params={"run": 1}) is None

    assert receiver.received == []
    # Email does not carry run starts by default either.
    assert Delivery.objects.count() == 0
