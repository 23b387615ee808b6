"""django-q2's clusters as the settings configure them, read in a fresh process."""

import pytest
from django.conf import settings

from tests.subprocesses import clean_env, run_python

# What the settings module needs to import without a .env.
ENV = {
    "SECRET_KEY": settings.SECRET_KEY,
    "FIELD_ENCRYPTION_KEYS": settings.FIELD_ENCRYPTION_KEYS,
    "FIELD_ENCRYPTION_ACTIVE_KEY": settings.FIELD_ENCRYPTION_ACTIVE_KEY,
    "ALLOWED_HOSTS": "localhost",
}


@pytest.mark.parametrize(
    ("variables", "cluster", "timeout", "retry"),
    [
        ({}, "default", 20, 25),
        ({"Q_CLUSTER_NAME": "long"}, "long", 1800, 1860),
        ({"Q_TIMEOUT": "5", "Q_RETRY": "8"}, "default", 5, 8),
    ],
)
def test_each_cluster_has_its_own_time_limits(variables, cluster, timeout, retry):
    """Short tasks get a short timeout and retry, so a task lost with a killed worker is handed
    out again within half a minute; long ones keep theirs."""
    code = (
        "import django; django.setup(); from django_q.conf import Conf; "
        "print(Conf.CLUSTER_NAME, Conf.TIMEOUT, Conf.RETRY)"
    )
    result = run_python(code, clean_env(**ENV, **variables))

    assert result.returncode == 0, result.stderr
    name, seen_timeout, seen_retry = result.stdout.split()
    assert (name, int(seen_timeout), int(seen_retry)) == (
        "noonbarbari" if cluster == "default" else cluster,
        timeout,
        retry,
    )


def test_a_retry_shorter_than_the_timeout_is_refused_at_start():
    result = run_python(
        "import django; django.setup()", clean_env(**ENV, Q_TIMEOUT="30", Q_RETRY="30")
    )

    assert result.returncode != 0
    assert "Q_RETRY must exceed Q_TIMEOUT" in result.stderr
