"""Site-wide django-q2 tasks."""

import os
import socket
import time


def worker_ping(sent_at: float) -> dict[str, object]:
    """Answer from inside a worker, so an operator can prove the cluster executes tasks."""
    return {"host": socket.gethostname(), "pid": os.getpid(), "latency_s": time.time() - sent_at}
