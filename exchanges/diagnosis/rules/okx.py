"""OKX V5's documented API errors (guide: guides/content/okx).

Source: OKX's V5 REST error codes, "API Class" (501xx) and "General Class" (500xx). OKX answers
`{"code": "50111", "msg": "...", "data": []}`: the raw codes are the code, then the message.
"""

from exchanges.diagnosis.rules import Rule
from exchanges.diagnosis.verdicts import Verdict as V

# The guide's troubleshooting entry about IP addresses: where the IP verdict, alone or in a
# checklist, sends the user.
IP_ANCHOR = "okx-50110"

RULES = [
    Rule("50111", V.WRONG_CREDENTIALS, "okx-50111"),  # Invalid OK-ACCESS-KEY.
    Rule("50113", V.WRONG_CREDENTIALS, "okx-50113"),  # Invalid signature.
    Rule("50105", V.WRONG_CREDENTIALS, "okx-50105"),  # OK-ACCESS-PASSPHRASE incorrect.
    Rule("50101", V.WRONG_CREDENTIALS, "okx-50101"),  # APIKey does not match environment.
    Rule("50119", V.WRONG_CREDENTIALS, "okx-50119"),  # API key doesn't exist
    Rule("50110", V.IP_NOT_ALLOWED, IP_ANCHOR),  # Your IP ... not in your key's whitelist.
    Rule("50120", V.MISSING_PERMISSION, "okx-50120"),  # key lacks permission for this function
    # 50102 "Timestamp request expired" and 50112 "Invalid OK-ACCESS-TIMESTAMP": our clock or
    # our request, not the key, and OKX keeps no nonce counter. No verdict fits (ccxt's classes
    # would say NONCE_CLASH and WRONG_CREDENTIALS).
    Rule("50102", V.UNKNOWN),
    Rule("50112", V.UNKNOWN),
    Rule("50011", V.UNAVAILABLE),  # Rate limit reached
    Rule("50061", V.UNAVAILABLE),  # Sub-account rate limit reached
    Rule("50001", V.UNAVAILABLE),  # Service temporarily unavailable
    Rule("50004", V.UNAVAILABLE),  # API endpoint request timeout
    Rule("50005", V.UNAVAILABLE),  # API is offline or unavailable
    Rule("50013", V.UNAVAILABLE),  # System is busy
    Rule("50026", V.UNAVAILABLE),  # System error
]
