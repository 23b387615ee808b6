import json
import signal
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchanges.sandbox import DEMO_KEYS_PATH, SandboxVenue, load_keys
from exchanges.sandbox.keys import KeysFileError


class Command(BaseCommand):
    help = (
        "Run the sandbox venue (Kraken Spot, Kraken Futures, Binance Spot and Binance USDⓈ-M "
        "REST dialects, synthetic market data) on 127.0.0.1 in the foreground, until Ctrl-C. "
        "Prints the base URLs and the keys, secrets included: the demo keys are fake and "
        "exist only to try the product offline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8765, help="0 picks a free port.")
        parser.add_argument("--keys", default=str(DEMO_KEYS_PATH), help="The keys file (JSON).")
        parser.add_argument("--seed", default="noon-barbari-sandbox", help="Market data seed.")
        parser.add_argument("--verbose", action="store_true", help="Log every request to stderr.")

    def handle(
        self, *args: object, port: int, keys: str, seed: str, verbose: bool, **options: object
    ) -> None:
        try:
            api_keys = load_keys(keys)
        except (OSError, ValueError, KeysFileError) as error:
            raise CommandError(f"Cannot read the keys file {keys}: {error}") from error
        venue = SandboxVenue(api_keys, port=port, seed=seed, verbose=verbose)
        try:
            venue.start()
        except OSError as error:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {error}") from error
        # SIGTERM (a supervisor, a demo script's `kill`) stops as cleanly as Ctrl-C does.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            self._describe(venue, Path(keys))
            threading.Event().wait()
        except KeyboardInterrupt:
            self.stdout.write("Stopping the sandbox venue.")
        finally:
            venue.stop()
            signal.signal(signal.SIGTERM, previous)

    def _describe(self, venue: SandboxVenue, keys_file: Path) -> None:
        write = self.stdout.write
        write(f"Sandbox venue listening on {venue.url} (keys: {keys_file})")
        write(
            "  Kraken Spot     ccxt.kraken urls['api']        = "
            + json.dumps(venue.ccxt_urls("kraken"))
        )
        write(
            "  Kraken Futures  ccxt.krakenfutures urls['api'] = "
            + json.dumps(venue.ccxt_urls("krakenfutures"))
        )
        write(
            "  Binance (Spot and USDⓈ-M: ccxt.binance, ccxt.binanceusdm) on the same origin, "
            "each API at its own path (SandboxVenue.ccxt_urls)"
        )
        write(
            f"  Fault injection POST {venue.url}/_sandbox/faults (see exchanges/sandbox/faults.py)"
        )
        write("Keys (SANDBOX ONLY: fake, valid on this venue and nowhere else):")
        for key in venue.keys:
            expiry = f", expires {key.expires_at.isoformat()}" if key.expires_at else ""
            allow = f", only from {', '.join(key.ip_allowlist)}" if key.ip_allowlist else ""
            write(f"- {key.label or '(no label)'} [{key.venue}{expiry}{allow}]")
            write(f"    permissions: {', '.join(sorted(key.permissions)) or '(none)'}")
            write(f"    api key:     {key.key}")
            write(f"    secret:      {key.secret}")
        write("Press Ctrl-C to stop.")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
