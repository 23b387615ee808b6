from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from strategies.candles_csv import CandleFileError
from strategies.services.candles import candles_import


class Command(BaseCommand):
    help = (
        "Import a user's own candles from a CSV file (timestamp,open,high,low,close,volume; the "
        "timestamp in milliseconds UTC at the bar's open) into the candle store."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument("--user", required=True, help="The owner's email address.")
        parser.add_argument("--symbol", required=True, help="The market, e.g. BTC/USD.")
        parser.add_argument(
            "--timeframe", help="The bars' timeframe (default: the shortest step in the file)."
        )

    def handle(
        self,
        *args: object,
        file: Path,
        user: str,
        symbol: str,
        timeframe: str | None,
        **options: object,
    ) -> None:
        owner = User.objects.filter(email__iexact=user).first()
        if owner is None:
            raise CommandError(f"No account with the email address {user}.")
        try:
            with file.open("rb") as source:
                series = candles_import(
                    owner=owner, symbol=symbol, source=source, timeframe=timeframe
                )
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except CandleFileError as error:
            problems = "\n".join(
                f"  line {p.line}: {p.message}" if p.line else f"  {p.message}"
                for p in error.problems
            )
            raise CommandError(f"{file}:\n{problems}") from None
        held = sum(end - start for start, end in series.coverage) // 1000
        self.stdout.write(
            f"Imported into {symbol} {series.timeframe} for {owner.email}: "
            f"{len(series.coverage)} range(s), {held:,} seconds of bars held."
        )
