"""The outbox where it broke in review: a second copy of a task, a worker that dies during a
send, a pace that defers without wasting slots, hostile pauses, a resolver's hiccup, an address
that leads inside or hides credentials."""

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import addresses
from notifications.events import Event, Message, renderers
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.senders.channels import url_hint
from notifications.senders.http import pause
from notifications.services import outbox
from notifications.services.channels import channel_address_set
from notifications.services.outbox import deliveries_requeue, delivery_send, notify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _renderer(monkeypatch):
    monkeypatch.setitem(renderers, Event.RUN_STARTED, lambda params: Message(title="Started"))


def webhook(person, receiver):
    channel_address_set(user=person, kind="webhook", url=receiver.url + "/hook")


def test_the_sweep_leaves_a_task_that_is_waiting_alone_and_a_copy_sends_nothing(
    person, receiver, local_addresses, django_capture_on_commit_callbacks
):
    webhook(person, receiver)
    notify(user=person, event=Event.RUN_STARTED, key="a", params={})  # task not run yet
    delivery = Delivery.objects.get()
    assert deliveries_requeue() == 0  # its task was queued just now: not queued twice

    assert delivery_send(delivery_id=delivery.pk, turn=1)
    assert not delivery_send(delivery_id=delivery.pk, turn=1)  # the same task, twice
    assert len(receiver.received) == 1


def test_a_worker_killed_during_a_send_has_used_an_attempt_and_the_sweep_resends(
    person, receiver, local_addresses, monkeypatch, django_capture_on_commit_callbacks
):
    webhook(person, receiver)
    notify(user=person, event=Event.RUN_STARTED, key="b", params={})
    delivery = Delivery.objects.get()

    def killed(_delivery):  # the cluster's time limit, or SIGKILL: nothing after it runs
        raise SystemExit

    monkeypatch.setattr(outbox, "_send", killed)
    with pytest.raises(SystemExit):
        delivery_send(delivery_id=delivery.pk, turn=1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert delivery.due_at > timezone.now()  # the pause after a failed attempt

    monkeypatch.undo()
    monkeypatch.setitem(renderers, Event.RUN_STARTED, lambda params: Message(title="Started"))
    Delivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_requeue() == 1
    (got,) = receiver.received
    assert got.headers["X-Noon-Barbari-Idempotency-Key"] == str(delivery.idempotency_key)


def test_a_deferred_message_takes_no_slot_of_the_pace(person, settings, venue):
    from tests.notifications.telegram_helpers import point_at_sandbox

    point_at_sandbox(settings, venue)
    channel = Channel.objects.create(
        user=person, kind="telegram", telegram_chat_id=1, events=[Event.RUN_STARTED]
    )
    later = timezone.now() + timedelta(seconds=30)
    Channel.objects.filter(pk=channel.pk).update(next_send_at=later)
    for key in ("c1", "c2", "c3"):
        notify(user=person, event=Event.RUN_STARTED, key=key, params={})
        delivery = Delivery.objects.get(notification__key=key)
        assert not delivery_send(delivery_id=delivery.pk, turn=1)
        delivery.refresh_from_db()
        assert (delivery.due_at, delivery.attempts) == (later, 0)
    channel.refresh_from_db()
    assert channel.next_send_at == later  # three deferrals, no slot taken


@pytest.mark.parametrize(
    ("asked", "taken"),
    [("2", 2.0), ("nan", 1.0), ("inf", 1.0), ("1e300", 3600.0), ("-5", 0.0), (None, 1.0)],
)
def test_a_pause_asked_for_is_finite_and_within_an_hour(asked, taken):
    assert pause(asked) == taken


def test_a_resolver_hiccup_is_retried_and_does_not_end_the_channel(
    person, monkeypatch, django_capture_on_commit_callbacks
):
    channel = Channel(user=person, kind="webhook", events=[Event.RUN_STARTED])
    channel.url = "https://hooks.example.com/x"
    channel.signing_secret = "whsec_test"
    channel.save()

    def no_answer(*args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_answer)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=person, event=Event.RUN_STARTED, key="d", params={})
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.error_code) == (DeliveryStatus.PENDING, "unknown_host")
    channel.refresh_from_db()
    assert channel.broken_reason == ""


@pytest.mark.parametrize(
    "url",
    [
        "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
        "https://[2002:a9fe:a9fe::1]/hook",  # 6to4 of the same
        "https://[::ffff:127.0.0.1]/hook",
        "https://127.0.0.1/hook",
    ],
)
def test_addresses_that_embed_a_private_one_are_refused(url):
    with pytest.raises(addresses.AddressRefused, match="private"):
        addresses.resolve_public(url)


def test_only_the_https_port_and_never_a_500_for_a_wild_one():
    with pytest.raises(addresses.AddressRefused, match="port"):
        addresses.resolve_public("https://example.com:8443/hook")
    with pytest.raises(addresses.AddressRefused, match="port"):
        addresses.resolve_public("https://example.com:99999/hook")


def test_a_hint_never_shows_credentials_or_the_path():
    assert url_hint("https://bot:s3cr3t@hooks.example.com:8443/x/y?z=1") == (
        "https://hooks.example.com:8443/…"
    )
