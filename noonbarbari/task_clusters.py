"""The django-q2 clusters' settings, read from the environment (settings.py imports them).

Three clusters on one broker, because django-q2's timeout and retry apply to a whole cluster.
The default one runs short tasks (connection tests, run ticks): a task is killed after
`timeout` seconds and, when its worker died, handed out again after `retry` seconds, so a
verdict lost with a killed worker comes back within half a minute. The "long" cluster runs
backtests and backfills (async_task(..., cluster=LONG_TASKS)), with its own, longer limits.
The "start" cluster prepares runs (their warm-up history, a live key's checks): what a user
waits on when starting a run never queues behind another user's backtest. The "notify" cluster
sends notifications: their channels are other people's servers (a user's webhook may answer
slowly on purpose), so they never hold a worker a tick or a stop's cancel is waiting for.
`retry` must exceed `timeout` in each, or a task still running gets handed out twice. A
process serves another cluster when started as `Q_CLUSTER_NAME=long manage.py qcluster` (or
`start`, or `notify`).
"""

import environ
from django.core.exceptions import ImproperlyConfigured

LONG_TASKS = "long"
START_TASKS = "start"
NOTIFY_TASKS = "notify"


def q_cluster(env: environ.Env) -> dict:
    """django-q2's Q_CLUSTER: the default cluster and the long and start ones (ALT_CLUSTERS),
    each `retry` checked to exceed its `timeout`. The broker is added by settings.py."""
    clusters = {
        # The site's name for django-q2: queue prefix and payload signing salt, one per site.
        "name": env.str("Q_NAME", default="noonbarbari"),
        "workers": env.int("Q_WORKERS", default=2),
        "timeout": env.int("Q_TIMEOUT", default=20),
        "retry": env.int("Q_RETRY", default=25),
        "max_attempts": env.int("Q_MAX_ATTEMPTS", default=3),
        # A scheduler that was down must not replay every missed tick when it comes back.
        "catch_up": False,
        "save_limit": env.int("Q_SAVE_LIMIT", default=1000),
        "ack_failures": True,
        "poll": env.float("Q_POLL", default=0.5),
        "sync": env.bool("Q_SYNC", default=False),
        "ALT_CLUSTERS": {
            LONG_TASKS: {
                "workers": env.int("Q_LONG_WORKERS", default=2),
                "timeout": env.int("Q_LONG_TIMEOUT", default=1800),
                "retry": env.int("Q_LONG_RETRY", default=1860),
                "max_attempts": env.int("Q_LONG_MAX_ATTEMPTS", default=2),
            },
            START_TASKS: {
                "workers": env.int("Q_START_WORKERS", default=1),
                "timeout": env.int("Q_START_TIMEOUT", default=600),
                "retry": env.int("Q_START_RETRY", default=630),
                "max_attempts": env.int("Q_START_MAX_ATTEMPTS", default=2),
            },
            NOTIFY_TASKS: {
                "workers": env.int("Q_NOTIFY_WORKERS", default=2),
                "timeout": env.int("Q_NOTIFY_TIMEOUT", default=40),
                "retry": env.int("Q_NOTIFY_RETRY", default=50),
                "max_attempts": env.int("Q_NOTIFY_MAX_ATTEMPTS", default=2),
            },
        },
    }
    for cluster in (clusters, *clusters["ALT_CLUSTERS"].values()):
        if cluster["retry"] <= cluster["timeout"]:
            raise ImproperlyConfigured(
                "Q_RETRY must exceed Q_TIMEOUT (and Q_LONG_RETRY Q_LONG_TIMEOUT, Q_START_RETRY "
                "Q_START_TIMEOUT, Q_NOTIFY_RETRY Q_NOTIFY_TIMEOUT): a task still running would "
                "be handed out a second time."
            )
    return clusters
