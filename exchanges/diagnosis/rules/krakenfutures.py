"""Kraken Futures' documented API errors (guide: guides/content/kraken-futures)."""

from exchanges.diagnosis.rules import Rule
from exchanges.diagnosis.verdicts import Verdict as V

# The guide's troubleshooting entry about IP addresses: where the IP verdict, alone or in a
# checklist, sends the user.
IP_ANCHOR = "ip-address-not-allowed"

RULES = [
    # One error for a wrong key or signature, an IP off the key's list and an expired key.
    Rule(
        "authenticationError",
        V.AMBIGUOUS,
        "authentication-error",
        checklist=(V.WRONG_CREDENTIALS, V.IP_NOT_ALLOWED, V.EXPIRED),
    ),
    Rule("nonceBelowThreshold", V.NONCE_CLASH, "nonce-below-threshold"),
    Rule("nonceDuplicate", V.NONCE_CLASH, "nonce-duplicate"),
    Rule("apiLimitExceeded", V.UNAVAILABLE, "api-limit-exceeded"),
    Rule("unavailable", V.UNAVAILABLE),
]
