"""Gate API v4's documented error labels (guide: guides/content/gate).

Source: Gate's APIv4 `label` list (authentication and server errors). Gate answers
`{"label": "INVALID_KEY", "message": "..."}`: the raw codes are the label, then the message.
"""

from exchanges.diagnosis.rules import Rule
from exchanges.diagnosis.verdicts import Verdict as V

# The guide's troubleshooting entry about IP addresses: where the IP verdict, alone or in a
# checklist, sends the user.
IP_ANCHOR = "gate-ip-forbidden"

RULES = [
    Rule("INVALID_KEY", V.WRONG_CREDENTIALS, "gate-invalid-key"),  # Invalid API Key
    Rule("INVALID_SIGNATURE", V.WRONG_CREDENTIALS, "gate-invalid-signature"),
    Rule("INVALID_CREDENTIALS", V.WRONG_CREDENTIALS),  # Invalid credentials provided
    Rule("IP_FORBIDDEN", V.IP_NOT_ALLOWED, IP_ANCHOR),  # Request IP not in whitelist
    Rule("READ_ONLY", V.MISSING_PERMISSION, "gate-read-only"),  # API key is read-only
    Rule("FORBIDDEN", V.MISSING_PERMISSION, "gate-forbidden"),  # no permission for operation
    # REQUEST_EXPIRED "Request Timestamp is far from the server time": our clock or the network,
    # not the key, and Gate keeps no nonce counter. No verdict fits (ccxt's AuthenticationError
    # would say WRONG_CREDENTIALS).
    Rule("REQUEST_EXPIRED", V.UNKNOWN),
    Rule("TOO_MANY_REQUESTS", V.UNAVAILABLE),  # Request rate exceeds limits
    Rule("INTERNAL", V.UNAVAILABLE),  # Internal server error
    Rule("SERVER_ERROR", V.UNAVAILABLE),  # Internal server error
    Rule("INTERNAL_SERVER_ERROR", V.UNAVAILABLE),  # Operation failed, try again later
    Rule("TOO_BUSY", V.UNAVAILABLE),  # Server is too busy at the moment
]
