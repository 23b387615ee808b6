"""The outbox in a real `manage.py qcluster` (the notify cluster) killed with SIGKILL while a
webhook delivery is in flight: the receiver got the request, the worker died before it heard
the answer. After a restart the delivery goes again with the same idempotency key, so the
receiver, following the published recipe, acts on each notification once; the deliveries
queued behind it are not lost. Real: the cluster, its broker, the database, HTTP."""

import os
import signal
import time

import pytest
from django.utils import timezone
from django_q.conf import Conf

from notifications import signing
from notifications.events import Event
from notifications.models import Delivery, DeliveryStatus
from notifications.services.channels import channel_address_set
from notifications.services.outbox import deliveries_requeue, notify
from strategies.models import StrategyRun
from tests.strategies.test_runs_live_cluster import cluster_logs

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]


def test_a_send_killed_in_flight_is_sent_again_with_its_key_and_nothing_is_lost(
    person, receiver, local_addresses, start_qcluster, monkeypatch, tmp_path
):
    monkeypatch.setattr(Conf, "SYNC", False)
    secret = channel_address_set(user=person, kind="webhook", url=receiver.url + "/hook")
    variables = {
        "Q_CLUSTER_NAME": "notify",
        "NOTIFICATION_PRIVATE_ADDRESSES": "true",
        # A task the killed cluster had taken is handed out again after Q_NOTIFY_RETRY.
        "Q_NOTIFY_TIMEOUT": "8",
        "Q_NOTIFY_RETRY": "10",
    }
    receiver.answer(204, delay=30)  # the first request: received, its answer never comes
    cluster = start_qcluster(**variables)
    # Three events nobody ran: the renderer of a run's start needs only the run's row.
    runs = [_run(person, n) for n in range(3)]
    for run in runs:
        notify(user=person, event=Event.RUN_STARTED, key=f"k{run.pk}", params={"run": run.pk})

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not receiver.received:
        time.sleep(0.05)
    assert receiver.received, cluster_logs(tmp_path)
    os.killpg(cluster.pid, signal.SIGKILL)  # mid-send: the request arrived, no answer read
    cluster.wait()

    start_qcluster(**variables)
    # The minute sweep, brought forward: the killed attempt's pause is over.
    Delivery.objects.filter(status=DeliveryStatus.PENDING).update(due_at=timezone.now())
    deliveries_requeue()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Delivery.objects.exclude(status="sent").exists():
        time.sleep(0.2)

    assert not Delivery.objects.exclude(status="sent").exists(), cluster_logs(tmp_path)
    keys = [got.headers["X-Noon-Barbari-Idempotency-Key"] for got in receiver.received]
    assert len(set(keys)) == 3  # nothing lost
    seen: set[str] = set()
    refusals = []
    for got in receiver.received:
        now = int(got.headers["X-Noon-Barbari-Timestamp"])
        try:
            signing.verify(secret, got.body, got.headers, now=now, seen=seen)
        except signing.Refused as refused:
            refusals.append(str(refused))
    assert seen == set(keys)  # each acted on once: nothing twice
    assert refusals == ["already received"] * (len(keys) - 3)
    assert max(Delivery.objects.values_list("attempts", flat=True)) <= 2


def _run(person, n: int) -> StrategyRun:
    from django.core.management import call_command

    from tests.strategies.run_helpers import paper_run
    from tests.strategies.test_runs_stop import PROTECTED
    from tests.strategies.test_runs_ticks import hand_candles

    if n == 0:
        call_command("load_guides", verbosity=0)  # a transactional test starts empty
    return paper_run(person, PROTECTED, hand_candles(), start=1)
