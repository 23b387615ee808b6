"""django-q2 tasks: ids in, services called; never a secret in the arguments."""

from exchanges.connection_tests import connection_test_run, connection_tests_settle
from exchanges.reminders import keys_remind


def run_connection_test(test_id: int) -> None:
    connection_test_run(test_id=test_id)


def remind_keys() -> int:
    return keys_remind()


def expire_stale_tests() -> int:
    """Tests no worker finished in time end as verdicts, and the new secrets they were testing
    are discarded, even when nobody looks at the key (a schedule runs this)."""
    return connection_tests_settle()
