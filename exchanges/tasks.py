"""django-q2 tasks: ids in, services called; never a secret in the arguments."""

from exchanges.connection_tests import connection_test_run
from exchanges.reminders import keys_remind


def run_connection_test(test_id: int) -> None:
    connection_test_run(test_id=test_id)


def remind_keys() -> int:
    return keys_remind()
