import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_q.tasks import async_task, fetch


class Command(BaseCommand):
    help = "Enqueue a ping task and wait for a django-q2 worker to answer it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--timeout", type=float, default=15.0, help="Seconds to wait for an answer."
        )

    def handle(self, *args: object, timeout: float, **options: object) -> None:
        started = time.time()
        task_id = async_task("noonbarbari.tasks.worker_ping", started, task_name="worker-ping")
        task = fetch(task_id, wait=int(timeout * 1000))
        if task is None:
            raise CommandError(
                f"No worker answered within {timeout:g} s: is `manage.py qcluster` running "
                "against this database?"
            )
        if not task.success:
            raise CommandError(f"The worker ran the ping task and it failed: {task.result}")
        answer = task.result
        round_trip_ms = (time.time() - started) * 1000
        self.stdout.write(
            f"Worker {answer['host']} pid {answer['pid']} answered in {round_trip_ms:.0f} ms."
        )
