"""Binance Spot's documented API errors (guide: guides/content/binance).

Source: Binance's spot error-code list (binance-spot-api-docs, errors.md). Binance answers
`{"code": -2015, "msg": "..."}`, so the raw codes are the code ("-2015") then the message.
ccxt raises some errors with the message alone ("binance System is under maintenance."): those
only match on their message.
"""

from exchanges.diagnosis.rules import Rule
from exchanges.diagnosis.verdicts import Verdict as V

# The guide's troubleshooting entry about IP addresses: where the IP verdict, alone or in a
# checklist, sends the user.
IP_ANCHOR = "ip-address-not-allowed"

RULES = [
    Rule("-2014", V.WRONG_CREDENTIALS, "binance-2014"),  # API-key format invalid.
    Rule("-1022", V.WRONG_CREDENTIALS, "binance-1022"),  # Signature for this request is not valid.
    Rule("-2008", V.WRONG_CREDENTIALS),  # Invalid Api-Key ID.
    # {"msg": "API key does not exist", "success": false}: ccxt raises the message alone.
    Rule("API key does not exist", V.WRONG_CREDENTIALS),
    # "Invalid API-key, IP, or permissions for action.": the same answer for a key Binance.com
    # does not know, a request from an IP off the key's trusted list, and a missing permission.
    # A mistyped key mostly fails earlier (-2014 format, -1022 secret mismatch), so a well-shaped
    # key refused here is first refused for its IP; then a key deleted or made elsewhere
    # (testnet, Binance.US); a permission last, as reading the balance needs only Enable
    # Reading, which every key has.
    Rule(
        "-2015",
        V.AMBIGUOUS,
        "binance-2015",
        checklist=(V.IP_NOT_ALLOWED, V.WRONG_CREDENTIALS, V.MISSING_PERMISSION),
    ),
    # -1021 "Timestamp for this request is outside of the recvWindow": our clock or the network,
    # not the key, and no other program is involved (Binance has no nonce counter). No verdict
    # fits; without this rule ccxt's InvalidNonce would read as NONCE_CLASH.
    Rule("-1021", V.UNKNOWN, "binance-1021"),
    # Rate limits come as HTTP 429 or 418, which ccxt raises as DDoSProtection (UNAVAILABLE)
    # before reading the body: only this message reaches us.
    Rule("Too many requests. Please try again later.", V.UNAVAILABLE),  # message only
    # HTTP 451 {"code": 0, "msg": "Service unavailable from a restricted location according
    # to 'b. Eligibility' in https://www.binance.com/en/terms. ..."}: the country our requests
    # leave from, not the key; trying again changes nothing.
    Rule(
        "Service unavailable from a restricted location",
        V.LOCATION_REFUSED,
        "restricted-location",
        prefix=True,
    ),
    Rule("-1001", V.UNAVAILABLE),  # internal error, unable to process your request
    Rule("-1006", V.UNAVAILABLE),  # unexpected response from the message bus
    Rule("-1007", V.UNAVAILABLE),  # timeout waiting for response from backend server
    Rule("-1008", V.UNAVAILABLE),  # server is currently overloaded
    Rule("System is under maintenance.", V.UNAVAILABLE),  # message only
]
