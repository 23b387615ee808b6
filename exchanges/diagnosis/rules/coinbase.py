"""Coinbase Advanced Trade's API errors (guide: guides/content/coinbase).

Sources: bodies as ccxt raised them in public bug reports and bots' code, and ccxt's coinbase
exception map; we found no published error-code table for Advanced Trade.

Coinbase answers `{"error": "PERMISSION_DENIED", "error_details": "...", "message": "..."}`:
the raw codes are the error, then the message.

No rule can catch "401 Unauthorized": Coinbase sends it as plain text, ccxt then raises
"coinbase GET <url> 401 Unauthorized Unauthorized", whose one raw code starts with the URL. Its
class (AuthenticationError) gives WRONG_CREDENTIALS, without the guide's anchor
(coinbase-401-unauthorized), and without the IP allowlist that the same answer covers.
"""

from exchanges.diagnosis.rules import Rule
from exchanges.diagnosis.verdicts import Verdict as V

RULES = [
    # PERMISSION_DENIED also says that a market only takes limit orders for now: not the key.
    Rule("Orderbook is in limit only mode", V.UNKNOWN),
    Rule("PERMISSION_DENIED", V.MISSING_PERMISSION, "coinbase-permission-denied"),
    # The same detail also comes with "error": "unknown".
    Rule("Missing required scopes", V.MISSING_PERMISSION, "coinbase-permission-denied"),
]
