"""A loopback venue that speaks the REST dialects of Kraken Spot, Kraken Futures, Binance Spot
and Binance USDⓈ-M futures.

ccxt's unmodified `kraken`, `krakenfutures`, `binance` and `binanceusdm` classes work against
it when their `urls["api"]` point at it (`SandboxVenue.ccxt_urls`). Each dialect's modules say
what follows the exchange's documentation and what is the sandbox's own choice
(binance_common.py for Binance's wire rules). Tests, benchmarks and the offline demo use it; see
server.py for the URL layout, keys.py for the keys file, faults.py for fault injection and
market.py for the synthetic market data. Standard library only.
"""

from exchanges.sandbox.auth import CallCounter, futures_authent, spot_signature
from exchanges.sandbox.faults import Fault
from exchanges.sandbox.keys import DEMO_KEYS_PATH, ApiKey, load_keys, parse_keys
from exchanges.sandbox.server import SandboxVenue
from exchanges.sandbox.spot import EXPIRED_KEY_ERROR

__all__ = [
    "DEMO_KEYS_PATH",
    "EXPIRED_KEY_ERROR",
    "ApiKey",
    "CallCounter",
    "Fault",
    "SandboxVenue",
    "futures_authent",
    "load_keys",
    "parse_keys",
    "spot_signature",
]
