"""manage.py warm_compiled: the engine's and the candle reader's compiled code made ready (see
strategies/compiled_warmup.py), before the task clusters start."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile (or load from numba's cache) the engine's and the candle reader's code."

    def handle(self, *args, **options) -> None:
        from strategies.compiled_warmup import warm

        seconds = warm()
        self.stdout.write(f"Compiled code ready in {seconds:.1f} s.")
