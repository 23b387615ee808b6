"""Coinbase Advanced Trade's API errors (guide: guides/content/coinbase).

Sources: Coinbase's "Coinbase App Error Messages" and "Status Codes" pages (the v2 API's
`{"errors": [{"id": ..., "message": ...}]}`), bodies as ccxt raised them in public bug reports
and bots' code, and ccxt's coinbase exception map; we found no published error-code table for
Advanced Trade itself.

Advanced Trade answers `{"error": "PERMISSION_DENIED", "error_details": "...", "message": "..."}`:
the raw codes are the error, then the message.

A key Coinbase cannot authenticate gets a plain-text "401 Unauthorized": a wrong or truncated
private key, a deleted or legacy key, and, as the guide warns, a request from an address
outside the key's IP allowlist all look the same. It is read as the status code
(diagnosis/errors.py) and gets a ranked checklist.
"""

from exchanges.diagnosis.rules import Rule
from exchanges.diagnosis.verdicts import Verdict as V

# The guide's troubleshooting entry about IP addresses: where the IP verdict, alone or in a
# checklist, sends the user.
IP_ANCHOR = "coinbase-ip-allowlist"

RULES = [
    # PERMISSION_DENIED also says that a market only takes limit orders for now: not the key.
    Rule("Orderbook is in limit only mode", V.UNKNOWN),
    Rule("PERMISSION_DENIED", V.MISSING_PERMISSION, "coinbase-permission-denied"),
    # The same detail also comes with "error": "unknown".
    Rule("Missing required scopes", V.MISSING_PERMISSION, "coinbase-permission-denied"),
    # The v2 API's ids.
    Rule("invalid_scope", V.MISSING_PERMISSION, "coinbase-permission-denied"),
    Rule("revoked_token", V.WRONG_CREDENTIALS, "coinbase-401-unauthorized"),
    Rule("invalid_token", V.WRONG_CREDENTIALS, "coinbase-401-unauthorized"),
    Rule(
        "authentication_error",
        V.AMBIGUOUS,
        "coinbase-401-unauthorized",
        checklist=(V.WRONG_CREDENTIALS, V.IP_NOT_ALLOWED),
    ),
    Rule(
        "401 Unauthorized",
        V.AMBIGUOUS,
        "coinbase-401-unauthorized",
        checklist=(V.WRONG_CREDENTIALS, V.IP_NOT_ALLOWED),
    ),
    Rule("rate_limit_exceeded", V.UNAVAILABLE),
    Rule("internal_server_error", V.UNAVAILABLE),
]
