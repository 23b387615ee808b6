"""manage.py backtest: the backtest engine over a CSV file of candles, without the database.

It touches no secret either: manage.py runs it on the lean settings (noonbarbari/lean.py), where
bin/up never wrote .env, without loading the apps, the admin or the exchanges client library.
The work is in strategies/management/backtest_run.py.
"""

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Backtest a strategy (a catalog slug or a YAML file) on candles from a CSV file "
        "(timestamp,open,high,low,close,volume; milliseconds UTC at each bar's open). "
        "Nothing is written to the database."
    )
    # It reads two files and needs no app, database or URL: the checks would only load them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--strategy", required=True, help="catalog slug or YAML file")
        parser.add_argument("--candles", required=True, help="CSV file of candles")
        parser.add_argument("--timeframe", help="bar length (default: the file's shortest step)")
        parser.add_argument("--capital", type=float, default=10_000.0)
        parser.add_argument("--fee", type=float, default=0.001, help="taker fee, both legs")
        parser.add_argument("--slippage-bps", type=float, default=0.0, help="both legs")
        parser.add_argument("--max-volume-share", type=float, default=0.1, help="0: no limit")
        parser.add_argument("--amount-step", type=float, default=None)
        parser.add_argument("--min-amount", type=float, default=0.0)
        parser.add_argument("--min-cost", type=float, default=0.0)
        parser.add_argument(
            "--market", choices=("spot", "futures"), default="spot", help="futures may short"
        )
        parser.add_argument("--take-profit-first", action="store_true")
        parser.add_argument("--json", action="store_true", help="print trades and stats as JSON")

    def handle(self, *args, **options) -> None:
        # Imported here, not above: the reader, the engine and the rules (numba, pydantic)
        # cost half a second that `--help` and a mistyped option never need.
        from strategies.management.backtest_run import run_backtest

        self.stdout.write(run_backtest(options))
