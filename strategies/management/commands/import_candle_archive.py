"""manage.py import_candle_archive: seed the shared candle store from an exchange's published
archive files (CSV files, or ZIP archives of them), merged without touching what it holds."""

import fnmatch
import zipfile
from collections.abc import Iterator
from pathlib import Path

import ccxt
from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchanges import clients
from exchanges.models import Exchange
from strategies.candle_archives import VENUES, archive_facts, read_archive
from strategies.candles_csv import CandleFileError
from strategies.series import utc_text
from strategies.services.candle_archives import candle_archive_merge

MAX_FILE_BYTES = 1024 * 1024 * 1024  # a file of one market and interval; Kraken's largest ~300 MB


class Command(BaseCommand):
    help = (
        "Merge an exchange's published candle archives into the shared candle store: Kraken's "
        "OHLCVT files (XBTUSD_60.csv) or Binance's kline files (BTCUSDT-1h-2024-01.csv), as "
        "CSV files or ZIP archives of them. Ranges the store holds already are left as they "
        "are; a file with a problem is refused whole, with its line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="CSV or ZIP files.")
        parser.add_argument("--exchange", required=True, choices=VENUES)
        parser.add_argument("--symbol", help="The market (default: read from each file's name).")
        parser.add_argument("--timeframe", help="The interval (default: from each file's name).")
        parser.add_argument(
            "--only", default="*", help="Only the files (or ZIP members) whose name matches."
        )
        parser.add_argument(
            "--skip-market-check",
            action="store_true",
            help="Do not ask the exchange whether the market exists (offline).",
        )

    def handle(self, *args: object, **options) -> None:
        exchange = Exchange.objects.filter(ccxt_id=options["exchange"]).first()
        if exchange is None:
            raise CommandError(f"No exchange {options['exchange']} on this site.")
        markets = None if options["skip_market_check"] else _markets(exchange)
        refused = 0
        for name, raw in _files(options["files"], options["only"]):
            try:
                self._merge(exchange, markets, name, raw, options)
            except CommandError as error:
                refused += 1
                self.stderr.write(str(error))
        if refused:
            raise CommandError(f"{refused} file(s) refused; the others were merged.")

    def _merge(self, exchange, markets, name: str, raw: bytes, options) -> None:
        named_symbol, named_timeframe = archive_facts(exchange.ccxt_id, name)
        symbol = options["symbol"] or named_symbol
        timeframe = options["timeframe"] or named_timeframe
        if not symbol or not timeframe:
            raise CommandError(
                f"{name}: its name says no market or interval: give --symbol and --timeframe."
            )
        if markets is not None and symbol not in markets:
            raise CommandError(f"{name}: {exchange.name} has no market {symbol}.")
        try:
            candles = read_archive(exchange.ccxt_id, raw, timeframe)
        except CandleFileError as error:
            lines = "\n".join(
                f"  line {p.line}: {p.message}" if p.line else f"  {p.message}"
                for p in error.problems
            )
            raise CommandError(f"{name}: refused, nothing of it merged:\n{lines}") from None
        result = candle_archive_merge(exchange=exchange, symbol=symbol, candles=candles)
        ranges = ", ".join(f"{utc_text(a)} → {utc_text(b)}" for a, b in result.added) or "none"
        self.stdout.write(
            f"{name}: {exchange.name} {symbol} {timeframe}: {result.bars:,} bars added "
            f"({ranges}); {result.already_held:,} bars already held, left as they were."
        )


def _markets(exchange: Exchange) -> set[str]:
    client = clients.build(exchange.ccxt_id)
    try:
        clients.ensure_markets(client)
    except ccxt.BaseError as error:
        raise CommandError(
            f"{exchange.name}'s markets could not be read ({type(error).__name__}): "
            "try again, or pass --skip-market-check."
        ) from None
    return set(client.markets)


def _files(paths: list[Path], only: str) -> Iterator[tuple[str, bytes]]:
    """(name, content) of each CSV file, given or inside a ZIP archive, whose name matches."""
    for path in paths:
        try:
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    for member in archive.infolist():
                        base = member.filename.rsplit("/", 1)[-1]
                        if base.endswith(".csv") and fnmatch.fnmatch(base, only):
                            if member.file_size > MAX_FILE_BYTES:
                                raise CommandError(f"{base}: larger than 1 GB.")
                            yield base, archive.read(member)
            elif fnmatch.fnmatch(path.name, only):
                if path.stat().st_size > MAX_FILE_BYTES:
                    raise CommandError(f"{path.name}: larger than 1 GB.")
                yield path.name, path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
