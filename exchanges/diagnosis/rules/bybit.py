"""Bybit V5's documented API errors (guide: guides/content/bybit).

Source: Bybit's V5 error-code page (bybit-exchange.github.io/docs/v5/error). Bybit answers
`{"retCode": 10003, "retMsg": "..."}`: the raw codes are the retCode, then retMsg.
"""

from exchanges.diagnosis.rules import Rule
from exchanges.diagnosis.verdicts import Verdict as V

# The guide's troubleshooting entry about IP addresses: where the IP verdict, alone or in a
# checklist, sends the user.
IP_ANCHOR = "bybit-10010"

RULES = [
    Rule("10003", V.WRONG_CREDENTIALS, "bybit-10003"),  # API key is invalid (or other env)
    Rule("10004", V.WRONG_CREDENTIALS, "bybit-10004"),  # Error sign
    Rule("10005", V.MISSING_PERMISSION, "bybit-10005"),  # Permission denied
    # ccxt rewords 10005 outside the order endpoints (so in every connection test) and puts
    # the body after its own sentence: the message is then one raw code, read by its start.
    Rule(
        "private api uses /user/v3/private/query-api",
        V.MISSING_PERMISSION,
        "bybit-10005",
        prefix=True,
    ),
    Rule("10010", V.IP_NOT_ALLOWED, IP_ANCHOR),  # Unmatched IP
    Rule("33004", V.EXPIRED, "bybit-33004"),  # (Derivatives) Your api key has expired
    Rule("-2015", V.EXPIRED, "bybit-33004"),  # (Spot) Your api key has expired
    # 10002 "The request time exceeds the time window range": our clock or the network, not the
    # key, and Bybit keeps no nonce counter. No verdict fits (ccxt's InvalidNonce would say
    # NONCE_CLASH).
    Rule("10002", V.UNKNOWN),
    # 10009 "IP has been banned": our server's address, not the key; support has to act.
    Rule("10009", V.UNKNOWN),
    Rule("10006", V.UNAVAILABLE),  # Too many visits. Exceeded the API Rate Limit.
    Rule("10018", V.UNAVAILABLE),  # Exceeded the IP Rate Limit.
    Rule("10000", V.UNAVAILABLE),  # Server Timeout
    Rule("10016", V.UNAVAILABLE),  # Server error / service restarting
]
