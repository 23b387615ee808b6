"""Bitget's documented API errors (guide: guides/content/bitget).

Source: Bitget's REST error-code table (400xx: signature, credentials, permissions). Bitget
answers `{"code": "40006", "msg": "...", "data": null}`: the raw codes are the code, then the
message.
"""

from exchanges.diagnosis.rules import Rule
from exchanges.diagnosis.verdicts import Verdict as V

# The guide's troubleshooting entry about IP addresses: where the IP verdict, alone or in a
# checklist, sends the user.
IP_ANCHOR = "bitget-40018"

RULES = [
    Rule("40006", V.WRONG_CREDENTIALS, "bitget-40006"),  # Invalid ACCESS_KEY
    Rule("40037", V.WRONG_CREDENTIALS, "bitget-40006"),  # Apikey does not exist
    Rule("40009", V.WRONG_CREDENTIALS, "bitget-40009"),  # sign signature error
    Rule("40012", V.WRONG_CREDENTIALS, "bitget-40012"),  # apikey/password is incorrect
    Rule("40036", V.WRONG_CREDENTIALS, "bitget-40012"),  # passphrase is error
    Rule("40014", V.MISSING_PERMISSION, "bitget-40014"),  # Incorrect permissions
    Rule("40018", V.IP_NOT_ALLOWED, IP_ANCHOR),  # Invalid IP
    Rule("40038", V.IP_NOT_ALLOWED, IP_ANCHOR),  # current ip not in the apikey whitelist
    # 40008 "Request timestamp expired" and 40005 "Invalid ACCESS_TIMESTAMP": our clock or our
    # request, not the key, and Bitget keeps no nonce counter. No verdict fits (ccxt's
    # InvalidNonce would say NONCE_CLASH).
    Rule("40008", V.UNKNOWN),
    Rule("40005", V.UNKNOWN),
    Rule("429", V.UNAVAILABLE),  # Too many requests
    Rule("40015", V.UNAVAILABLE),  # System is abnormal, please try again later
    Rule("40200", V.UNAVAILABLE),  # Server upgrade, please try again later
]
