"""Kraken Spot's documented API errors (guide: guides/content/kraken)."""

from exchanges.diagnosis.rules import Rule
from exchanges.diagnosis.verdicts import Verdict as V

# The guide's troubleshooting entry about IP addresses: where the IP verdict, alone or in a
# checklist, sends the user.
IP_ANCHOR = "ip-address-not-allowed"

RULES = [
    Rule("EAPI:Invalid key", V.WRONG_CREDENTIALS, "eapi-invalid-key"),
    Rule("EAPI:Invalid signature", V.WRONG_CREDENTIALS, "eapi-invalid-signature"),
    Rule("EGeneral:Permission denied:expired", V.EXPIRED, "egeneral-permission-denied-expired"),
    Rule("EAPI:Invalid nonce", V.NONCE_CLASH, "eapi-invalid-nonce"),
    Rule("EAPI:Rate limit exceeded", V.UNAVAILABLE),
    Rule("EService:", V.UNAVAILABLE, prefix=True),
    Rule("EGeneral:Temporary lockout", V.UNAVAILABLE),
    # Kraken answers this both for a missing permission and for an IP the key refuses.
    Rule(
        "EGeneral:Permission denied",
        V.AMBIGUOUS,
        "egeneral-permission-denied",
        checklist=(V.MISSING_PERMISSION, V.IP_NOT_ALLOWED),
    ),
]
