"""Bitfinex V2's API errors (guide: guides/content/bitfinex).

Sources: Bitfinex's REST docs (the `["error", code, text]` shape, 20060 maintenance,
ERR_RATE_LIMIT), the guide's error strings and ccxt's bitfinex exception map (10001, 10100,
10114, 11010); we found no full code list published.

Bitfinex answers an authenticated request it refuses with HTTP 500 and
`["error", 10100, "apikey: invalid"]`; ccxt raises that with the text alone
("bitfinex apikey: invalid", or "... (#10100)" for a code it does not know), so the raw code is
the text and the rules read its start. 10100 covers both a wrong key and a wrong secret: only the
text tells them apart.
"""

from exchanges.diagnosis.rules import Rule
from exchanges.diagnosis.verdicts import Verdict as V

# The guide's troubleshooting entry about IP addresses: where the IP verdict, alone or in a
# checklist, sends the user.
IP_ANCHOR = "ip-address-not-allowed"

RULES = [
    Rule("apikey: invalid", V.WRONG_CREDENTIALS, "bitfinex-apikey-invalid", prefix=True),
    Rule(
        "apikey: digest invalid",
        V.WRONG_CREDENTIALS,
        "bitfinex-apikey-digest-invalid",
        prefix=True,
    ),
    Rule(
        "api_key: permission invalid",
        V.MISSING_PERMISSION,
        "bitfinex-permission-invalid",
        prefix=True,
    ),
    # 10114: the nonce must grow with every request of a key; a smaller one means another
    # program used the key with a higher nonce. That is exactly NONCE_CLASH.
    Rule("nonce: small", V.NONCE_CLASH, "bitfinex-nonce-small", prefix=True),
    Rule("ratelimit: error", V.UNAVAILABLE, prefix=True),  # 11010, HTTP 429
    Rule("ERR_RATE_LIMIT", V.UNAVAILABLE),  # {"error": "ERR_RATE_LIMIT"}
    Rule("maintenance", V.UNAVAILABLE, prefix=True),  # 20060
]
