from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from noonbarbari.content_loading import ContentError, Outcome
from strategies.content_files import CONTENT_DIR, read_all
from strategies.services.catalog import catalog_content_load


class Command(BaseCommand):
    help = (
        "Load the strategy catalog from strategies/content/ into the database: create what is "
        "missing, update what staff have not edited in the admin, report the rest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite rows edited in the admin with the files' content.",
        )
        parser.add_argument("--content-dir", type=Path, default=CONTENT_DIR, help="Content folder.")

    def handle(
        self, *args: object, force: bool, content_dir: Path, verbosity: int, **options: object
    ) -> None:
        try:
            report = catalog_content_load(contents=read_all(content_dir), force=force)
        except ContentError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{report.count(outcome)} {outcome}" for outcome in Outcome)
        if verbosity:
            self.stdout.write(f"Strategies loaded: {counts}.")
        for name in report.rows[Outcome.KEPT]:
            self.stdout.write(
                self.style.WARNING(
                    f"Kept {name}: edited in the admin since the last load. "
                    "Run load_strategies --force to replace it with the file's content."
                )
            )
