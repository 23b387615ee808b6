"""KuCoin's documented API errors (guide: guides/content/kucoin).

Source: KuCoin's gateway error codes (400xxx) and spot system error codes. KuCoin answers
`{"code": "400003", "msg": "..."}`: the raw codes are the code, then the message.
"""

from exchanges.diagnosis.rules import Rule
from exchanges.diagnosis.verdicts import Verdict as V

# The guide's troubleshooting entry about IP addresses: where the IP verdict, alone or in a
# checklist, sends the user.
IP_ANCHOR = "kucoin-400006"

RULES = [
    Rule("400003", V.WRONG_CREDENTIALS, "kucoin-400003"),  # KC-API-KEY not exists
    Rule("400004", V.WRONG_CREDENTIALS, "kucoin-400004"),  # Invalid KC-API-PASSPHRASE
    Rule("400005", V.WRONG_CREDENTIALS, "kucoin-400005"),  # Invalid KC-API-SIGN
    Rule("400006", V.IP_NOT_ALLOWED, IP_ANCHOR),  # Invalid request ip
    Rule("400007", V.MISSING_PERMISSION, "kucoin-400007"),  # Access denied, more permission
    # 400008 "V1 & V2 API keys are no longer supported by this API. Please create a V3 API key."
    # KuCoin retired the key's generation: like an expired key, only a new one helps.
    Rule("400008", V.EXPIRED),
    # 400002 "KC-API-TIMESTAMP Invalid" (more than 5 seconds off): our clock or the network,
    # not the key, and KuCoin keeps no nonce counter. No verdict fits (ccxt's InvalidNonce
    # would say NONCE_CLASH).
    Rule("400002", V.UNKNOWN),
    # 400001: a missing authentication header (older docs) or "check the URL" (newer ones);
    # ccxt always sends the headers, so either way it is not the key's fault.
    Rule("400001", V.UNKNOWN),
    Rule("429000", V.UNAVAILABLE),  # Too many requests
    Rule("500000", V.UNAVAILABLE),  # Internal Server Error
]
