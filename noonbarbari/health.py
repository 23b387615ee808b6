"""Read-only probes behind /healthz: is the database answering, is a task cluster alive."""

import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django_q.brokers import get_broker
from django_q.status import Stat


def database_health() -> dict[str, Any]:
    """Run a trivial query; report the vendor, success and round-trip time."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # The exception class is enough to act on; its message may carry connection details.
        return {"ok": False, "vendor": connection.vendor, "error": type(error).__name__}
    elapsed_ms = (time.perf_counter() - started) * 1000
    return {"ok": True, "vendor": connection.vendor, "latency_ms": round(elapsed_ms, 2)}


def cluster_health() -> dict[str, Any]:
    """Describe the django-q2 clusters that reported in the last seconds, and the queue."""
    broker = get_broker()
    clusters = [
        {
            "id": str(stat.cluster_id),
            "host": stat.host,
            "status": stat.status,
            "workers": len(stat.workers),
            "uptime_s": round(stat.uptime()),
        }
        for stat in Stat.get_all(broker=broker)
    ]
    try:
        queued: int | None = broker.queue_size()
    except DatabaseError:
        queued = None
    return {
        "name": settings.Q_CLUSTER["name"],
        "broker": "redis" if "redis" in settings.Q_CLUSTER else "orm",
        "running": bool(clusters),
        "clusters": clusters,
        "queued_tasks": queued,
    }
