"""The per-exchange diagnosis tables, read against error bodies written from each exchange's
documentation (sources in each rules module's docstring).

Each case raises its exception the way ccxt does it: the real exchange class's handle_errors,
then handle_http_status_code (what ccxt's fetch calls after a non-2xx answer), on the documented
body. No network: ccxt classes are built and called offline.
"""

import json
from http import HTTPStatus
from typing import Any, NamedTuple

import ccxt
import pytest

from exchanges.diagnosis import Verdict as V
from exchanges.diagnosis import diagnose_error
from exchanges.diagnosis.errors import error_body, raw_codes
from exchanges.diagnosis.rules import ip_anchor, rules_for
from tests.exchanges.guide_content import guide_ccxt_ids, guide_content, guide_items

# Kraken's two venues are tested end to end against the sandbox instead.
DOCUMENTED = sorted(guide_ccxt_ids() - {"kraken", "krakenfutures"})

# What a connection test calls first (ccxt picks some behaviours by URL: Binance's exception
# map, Bybit's rewording of 10005).
URLS = {
    "binance": "https://api.binance.com/api/v3/account",
    "binanceusdm": "https://fapi.binance.com/fapi/v3/account",
    "coinbase": "https://api.coinbase.com/api/v3/brokerage/accounts",
    "bybit": "https://api.bybit.com/v5/account/wallet-balance",
    "okx": "https://www.okx.com/api/v5/account/balance",
    "kucoin": "https://api.kucoin.com/api/v1/accounts",
    "bitget": "https://api.bitget.com/api/v2/spot/account/assets",
    "gate": "https://api.gateio.ws/api/v4/spot/accounts",
    "bitfinex": "https://api.bitfinex.com/v2/auth/r/wallets",
}


class Case(NamedTuple):
    ccxt_id: str
    status: int
    body: Any  # JSON-able, or the raw text
    verdict: V
    raw_code: str
    anchor: str = ""
    url: str = ""


def bybit(code: int, message: str) -> dict[str, Any]:
    return {"retCode": code, "retMsg": message, "result": {}, "retExtInfo": {}, "time": 1}


def okx(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "msg": message, "data": []}


def coinbase_v2(error_id: str, message: str) -> dict[str, Any]:
    return {"errors": [{"id": error_id, "message": message}]}


def bitget(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "msg": message, "requestTime": 1700000000000, "data": None}


SAPI = "https://api.binance.com/sapi/v1/capital/config/getall"
BYBIT_ORDER = "https://api.bybit.com/v5/order/create"
BYBIT_10005 = bybit(10005, "Permission denied, please check your API key permissions.")
BYBIT_REWORDED = "private api uses /user/v3/private/query-api to check if you have a unified "
COINBASE_V2 = "https://api.coinbase.com/v2/accounts"
BINANCE_429 = {"code": -1003, "msg": "Too much request weight used; current limit is 6000."}

RESTRICTED = (
    "Service unavailable from a restricted location according to 'b. Eligibility' in "
    "https://www.binance.com/en/terms. Please contact customer service if you believe you "
    "received this message in error."
)
BINANCE_CASES = [
    # Binance: {"code": -2015, "msg": "..."}
    Case("binance", 401, {"code": -2014, "msg": "API-key format invalid."},
         V.WRONG_CREDENTIALS, "-2014", "binance-2014"),
    Case("binance", 400, {"code": -1022, "msg": "Signature for this request is not valid."},
         V.WRONG_CREDENTIALS, "-1022", "binance-1022"),
    Case("binance", 400, {"code": -2008, "msg": "Invalid Api-Key ID."},
         V.WRONG_CREDENTIALS, "-2008", url=SAPI),
    Case("binance", 400, {"msg": "API key does not exist", "success": False},
         V.WRONG_CREDENTIALS, "API key does not exist", url=SAPI),
    Case("binance", 401, {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."},
         V.AMBIGUOUS, "-2015", "binance-2015"),
    Case("binance", 400,
         {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."},
         V.UNKNOWN, "-1021", "binance-1021"),
    Case("binance", 400, {"msg": "Too many requests. Please try again later.", "success": False},
         V.UNAVAILABLE, "Too many requests. Please try again later.", url=SAPI),
    Case("binance", 500, {"code": -1001, "msg": "Internal error; unable to process your request."},
         V.UNAVAILABLE, "-1001"),
    Case("binance", 500, {"code": -1006, "msg": "An unexpected response was received."},
         V.UNAVAILABLE, "-1006"),
    Case("binance", 503, {"code": -1007, "msg": "Timeout waiting for response from backend."},
         V.UNAVAILABLE, "-1007"),
    Case("binance", 503, {"code": -1008, "msg": "Server is currently overloaded."},
         V.UNAVAILABLE, "-1008"),
    Case("binance", 503, {"code": 1, "msg": "System is under maintenance."},
         V.UNAVAILABLE, "System is under maintenance.", url=SAPI),
    # No rule: ccxt raises HTTP 429 as DDoSProtection before reading the body.
    Case("binance", 429, BINANCE_429,
         V.UNAVAILABLE, "429 Too Many Requests " + json.dumps(BINANCE_429)),
    # HTTP 451, from a country Binance does not serve (ccxt: ExchangeNotAvailable).
    Case("binance", 451, {"code": 0, "msg": RESTRICTED},
         V.LOCATION_REFUSED, RESTRICTED, "restricted-location"),
]  # fmt: skip
# USDⓈ-M answers the same codes from its own host (the wallet calls stay on Spot's).
CASES = [
    *BINANCE_CASES,
    *(
        case._replace(ccxt_id="binanceusdm")
        for case in BINANCE_CASES
        if not case.raw_code.startswith("429")  # USDⓈ-M's 429 names its own limit
    ),
    # Bybit: {"retCode": 10003, "retMsg": "..."}
    Case("bybit", 200, bybit(10003, "API key is invalid."),
         V.WRONG_CREDENTIALS, "10003", "bybit-10003"),
    Case("bybit", 200, bybit(10004, "Error sign, please check your signature generation."),
         V.WRONG_CREDENTIALS, "10004", "bybit-10004"),
    Case("bybit", 200, BYBIT_10005,
         V.MISSING_PERMISSION, "10005", "bybit-10005", url=BYBIT_ORDER),
    Case("bybit", 200, BYBIT_10005, V.MISSING_PERMISSION,
         BYBIT_REWORDED + 'account. The API key of user id must own one of permissions: "Account '
         f'Transfer", "Subaccount Transfer", "Withdrawal" {json.dumps(BYBIT_10005)}',
         "bybit-10005"),
    Case("bybit", 200, bybit(10010, "Unmatched IP, please check your API key's bound IP "
                                    "addresses."),
         V.IP_NOT_ALLOWED, "10010", "bybit-10010"),
    Case("bybit", 200, bybit(33004, "Your api key has expired"),
         V.EXPIRED, "33004", "bybit-33004"),
    Case("bybit", 200, bybit(-2015, "Your api key has expired"),
         V.EXPIRED, "-2015", "bybit-33004"),
    Case("bybit", 200, bybit(10002, "The request time exceeds the time window range."),
         V.UNKNOWN, "10002"),
    Case("bybit", 200, bybit(10009, "IP has been banned."), V.UNKNOWN, "10009"),
    Case("bybit", 200, bybit(10006, "Too many visits. Exceeded the API Rate Limit."),
         V.UNAVAILABLE, "10006"),
    Case("bybit", 200, bybit(10018, "Exceeded the IP Rate Limit."), V.UNAVAILABLE, "10018"),
    Case("bybit", 200, bybit(10000, "Server Timeout"), V.UNAVAILABLE, "10000"),
    Case("bybit", 200, bybit(10016, "Server error."), V.UNAVAILABLE, "10016"),
    # OKX: {"code": "50111", "msg": "...", "data": []}
    Case("okx", 401, okx("50111", "Invalid OK-ACCESS-KEY"),
         V.WRONG_CREDENTIALS, "50111", "okx-50111"),
    Case("okx", 401, okx("50113", "Invalid signature."), V.WRONG_CREDENTIALS, "50113", "okx-50113"),
    Case("okx", 401, okx("50105", 'Request header "OK-ACCESS-PASSPHRASE" incorrect.'),
         V.WRONG_CREDENTIALS, "50105", "okx-50105"),
    Case("okx", 401, okx("50101", "APIKey does not match current environment."),
         V.WRONG_CREDENTIALS, "50101", "okx-50101"),
    Case("okx", 200, okx("50119", "API key doesn't exist"),
         V.WRONG_CREDENTIALS, "50119", "okx-50119"),
    Case("okx", 401, okx("50110", "Your IP 203.0.113.7 is not included in your API key's IP "
                                  "whitelist."),
         V.IP_NOT_ALLOWED, "50110", "okx-50110"),
    Case("okx", 200, okx("50120", "This API key doesn't have permission to use this function"),
         V.MISSING_PERMISSION, "50120", "okx-50120"),
    Case("okx", 401, okx("50102", "Timestamp request expired."), V.UNKNOWN, "50102"),
    Case("okx", 401, okx("50112", "Invalid OK-ACCESS-TIMESTAMP."), V.UNKNOWN, "50112"),
    Case("okx", 429, okx("50011", "Rate limit reached."), V.UNAVAILABLE, "50011"),
    Case("okx", 200, okx("50061", "Sub-account rate limit reached"), V.UNAVAILABLE, "50061"),
    Case("okx", 503, okx("50001", "Service temporarily unavailable"), V.UNAVAILABLE, "50001"),
    Case("okx", 504, okx("50004", "API endpoint request timeout"), V.UNAVAILABLE, "50004"),
    Case("okx", 503, okx("50005", "API is offline or unavailable."), V.UNAVAILABLE, "50005"),
    Case("okx", 503, okx("50013", "System is busy"), V.UNAVAILABLE, "50013"),
    Case("okx", 500, okx("50026", "System error"), V.UNAVAILABLE, "50026"),
    # KuCoin: {"code": "400003", "msg": "..."}
    Case("kucoin", 401, {"code": "400003", "msg": "KC-API-KEY not exists"},
         V.WRONG_CREDENTIALS, "400003", "kucoin-400003"),
    Case("kucoin", 401, {"code": "400004", "msg": "Invalid KC-API-PASSPHRASE"},
         V.WRONG_CREDENTIALS, "400004", "kucoin-400004"),
    Case("kucoin", 401, {"code": "400005", "msg": "Invalid KC-API-SIGN"},
         V.WRONG_CREDENTIALS, "400005", "kucoin-400005"),
    Case("kucoin", 401, {"code": "400006", "msg": "Invalid request ip, the current client IP is: "
                                                  "203.0.113.7"},
         V.IP_NOT_ALLOWED, "400006", "kucoin-400006"),
    Case("kucoin", 403, {"code": "400007", "msg": "Access denied, require more permission."},
         V.MISSING_PERMISSION, "400007", "kucoin-400007"),
    Case("kucoin", 401, {"code": "400008", "msg": "V1 & V2 API keys are no longer supported by "
                                                  "this API. Please create a V3 API key."},
         V.EXPIRED, "400008"),
    Case("kucoin", 401, {"code": "400002", "msg": "KC-API-TIMESTAMP Invalid"},
         V.UNKNOWN, "400002"),
    Case("kucoin", 401, {"code": "400001", "msg": "Please check the URL of your request."},
         V.UNKNOWN, "400001"),
    Case("kucoin", 429, {"code": "429000", "msg": "Too Many Requests"},
         V.UNAVAILABLE, "429000"),
    Case("kucoin", 500, {"code": "500000", "msg": "Internal Server Error"},
         V.UNAVAILABLE, "500000"),
    # Bitget: {"code": "40006", "msg": "...", "data": null}
    Case("bitget", 400, bitget("40006", "Invalid ACCESS_KEY"),
         V.WRONG_CREDENTIALS, "40006", "bitget-40006"),
    Case("bitget", 400, bitget("40037", "Apikey does not exist"),
         V.WRONG_CREDENTIALS, "40037", "bitget-40006"),
    Case("bitget", 400, bitget("40009", "sign signature error"),
         V.WRONG_CREDENTIALS, "40009", "bitget-40009"),
    Case("bitget", 400, bitget("40012", "apikey/password is incorrect"),
         V.WRONG_CREDENTIALS, "40012", "bitget-40012"),
    Case("bitget", 400, bitget("40036", "passphrase is error"),
         V.WRONG_CREDENTIALS, "40036", "bitget-40012"),
    Case("bitget", 400, bitget("40014", "Incorrect permissions, need trade permissions"),
         V.MISSING_PERMISSION, "40014", "bitget-40014"),
    Case("bitget", 400, bitget("40018", "Invalid IP"), V.IP_NOT_ALLOWED, "40018", "bitget-40018"),
    Case("bitget", 400, bitget("40038", "The current ip is not in the apikey ip whitelist"),
         V.IP_NOT_ALLOWED, "40038", "bitget-40018"),
    Case("bitget", 400, bitget("40008", "Request timestamp expired"), V.UNKNOWN, "40008"),
    Case("bitget", 400, bitget("40005", "Invalid ACCESS_TIMESTAMP"), V.UNKNOWN, "40005"),
    Case("bitget", 429, bitget("429", "Too many requests"), V.UNAVAILABLE, "429"),
    Case("bitget", 400, bitget("40015", "System is abnormal, please try again later"),
         V.UNAVAILABLE, "40015"),
    Case("bitget", 400, bitget("40200", "Server upgrade, please try again later"),
         V.UNAVAILABLE, "40200"),
    # Gate: {"label": "INVALID_KEY", "message": "..."}
    Case("gate", 401, {"label": "INVALID_KEY", "message": "Invalid API Key"},
         V.WRONG_CREDENTIALS, "INVALID_KEY", "gate-invalid-key"),
    Case("gate", 401, {"label": "INVALID_SIGNATURE", "message": "Invalid signature"},
         V.WRONG_CREDENTIALS, "INVALID_SIGNATURE", "gate-invalid-signature"),
    Case("gate", 401, {"label": "INVALID_CREDENTIALS", "message": "Invalid credentials provided"},
         V.WRONG_CREDENTIALS, "INVALID_CREDENTIALS"),
    Case("gate", 403, {"label": "IP_FORBIDDEN", "message": "Request IP not in whitelist"},
         V.IP_NOT_ALLOWED, "IP_FORBIDDEN", "gate-ip-forbidden"),
    Case("gate", 403, {"label": "READ_ONLY", "message": "API key is read-only"},
         V.MISSING_PERMISSION, "READ_ONLY", "gate-read-only"),
    Case("gate", 403, {"label": "FORBIDDEN", "message": "Account has no permission to request "
                                                       "operation"},
         V.MISSING_PERMISSION, "FORBIDDEN", "gate-forbidden"),
    Case("gate", 401, {"label": "REQUEST_EXPIRED", "message": "Request Timestamp is far from the "
                                                             "server time"},
         V.UNKNOWN, "REQUEST_EXPIRED"),
    Case("gate", 429, {"label": "TOO_MANY_REQUESTS", "message": "Request rate exceeds limits"},
         V.UNAVAILABLE, "TOO_MANY_REQUESTS"),
    Case("gate", 500, {"label": "INTERNAL", "message": "Internal server error"},
         V.UNAVAILABLE, "INTERNAL"),
    Case("gate", 500, {"label": "SERVER_ERROR", "message": "Internal server error"},
         V.UNAVAILABLE, "SERVER_ERROR"),
    Case("gate", 500, {"label": "INTERNAL_SERVER_ERROR", "message": "Operation failed, please "
                                                                   "try again later."},
         V.UNAVAILABLE, "INTERNAL_SERVER_ERROR"),
    Case("gate", 503, {"label": "TOO_BUSY", "message": "Server is too busy at the moment"},
         V.UNAVAILABLE, "TOO_BUSY"),
    # Bitfinex: HTTP 500 with ["error", 10100, "apikey: invalid"]; ccxt keeps the text only.
    Case("bitfinex", 500, ["error", 10100, "apikey: invalid"],
         V.WRONG_CREDENTIALS, "apikey: invalid", "bitfinex-apikey-invalid"),
    Case("bitfinex", 500, ["error", 10100, "apikey: digest invalid"],
         V.WRONG_CREDENTIALS, "apikey: digest invalid", "bitfinex-apikey-digest-invalid"),
    Case("bitfinex", 500, ["error", 10001, "api_key: permission invalid"],
         V.MISSING_PERMISSION, "api_key: permission invalid", "bitfinex-permission-invalid"),
    Case("bitfinex", 500, ["error", 10114, "nonce: small"],
         V.NONCE_CLASH, "nonce: small", "bitfinex-nonce-small"),
    Case("bitfinex", 429, ["error", 11010, "ratelimit: error"], V.UNAVAILABLE, "ratelimit: error"),
    Case("bitfinex", 429, {"error": "ERR_RATE_LIMIT"}, V.UNAVAILABLE, "ERR_RATE_LIMIT"),
    Case("bitfinex", 500, ["error", 20060, "maintenance"], V.UNAVAILABLE, "maintenance"),
    # Coinbase: {"error": "PERMISSION_DENIED", "error_details": "...", "message": "..."}
    Case("coinbase", 403, {"error": "PERMISSION_DENIED", "error_details": "Missing required scopes",
                           "message": "Missing required scopes"},
         V.MISSING_PERMISSION, "PERMISSION_DENIED", "coinbase-permission-denied"),
    Case("coinbase", 403, {"error": "unknown", "error_details": "Missing required scopes",
                           "message": "Missing required scopes"},
         V.MISSING_PERMISSION, "Missing required scopes", "coinbase-permission-denied"),
    Case("coinbase", 403, {"error": "PERMISSION_DENIED",
                           "error_details": "Orderbook is in limit only mode",
                           "message": "Orderbook is in limit only mode"},
         V.UNKNOWN, "Orderbook is in limit only mode"),
    # Plain text: the status is the code (see rules/coinbase.py).
    Case("coinbase", 401, "Unauthorized\n", V.AMBIGUOUS, "401 Unauthorized",
         "coinbase-401-unauthorized"),
    # The v2 API: {"errors": [{"id": ..., "message": ...}]}
    Case("coinbase", 403, coinbase_v2("invalid_scope", "Invalid scope"),
         V.MISSING_PERMISSION, "invalid_scope", "coinbase-permission-denied", COINBASE_V2),
    Case("coinbase", 401, coinbase_v2("authentication_error", "invalid api key"),
         V.AMBIGUOUS, "authentication_error", "coinbase-401-unauthorized", COINBASE_V2),
    Case("coinbase", 401, coinbase_v2("invalid_token", "The access token is invalid"),
         V.WRONG_CREDENTIALS, "invalid_token", "coinbase-401-unauthorized", COINBASE_V2),
    Case("coinbase", 401, coinbase_v2("revoked_token", "The access token was revoked"),
         V.WRONG_CREDENTIALS, "revoked_token", "coinbase-401-unauthorized", COINBASE_V2),
    Case("coinbase", 429, coinbase_v2("rate_limit_exceeded", "Too many requests"),
         V.UNAVAILABLE, "rate_limit_exceeded", url=COINBASE_V2),
    Case("coinbase", 500, coinbase_v2("internal_server_error", "Internal server error"),
         V.UNAVAILABLE, "internal_server_error", url=COINBASE_V2),
]  # fmt: skip

CHECKLISTS = {
    ("binance", "-2015"): (V.IP_NOT_ALLOWED, V.WRONG_CREDENTIALS, V.MISSING_PERMISSION),
    ("binanceusdm", "-2015"): (V.IP_NOT_ALLOWED, V.WRONG_CREDENTIALS, V.MISSING_PERMISSION),
    ("coinbase", "401 Unauthorized"): (V.WRONG_CREDENTIALS, V.IP_NOT_ALLOWED),
    ("coinbase", "authentication_error"): (V.WRONG_CREDENTIALS, V.IP_NOT_ALLOWED),
}


def raised(case: Case) -> ccxt.BaseError:
    """The exception ccxt raises for this answer."""
    exchange = getattr(ccxt, case.ccxt_id)()
    text = case.body if isinstance(case.body, str) else json.dumps(case.body)
    reason = HTTPStatus(case.status).phrase
    url = case.url or URLS[case.ccxt_id]

    def answer() -> None:  # what ccxt's fetch does with a non-2xx answer
        exchange.handle_errors(
            case.status, reason, url, "GET", {}, text, exchange.parse_json(text), {}, None
        )
        exchange.handle_http_status_code(case.status, reason, url, "GET", text)

    with pytest.raises(ccxt.BaseError) as caught:
        answer()
    return caught.value


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.ccxt_id}:{case.raw_code[:40]}")
def test_documented_answer_gives_its_verdict(case):
    diagnosis = diagnose_error(case.ccxt_id, raised(case))

    assert (diagnosis.verdict, diagnosis.raw_code, diagnosis.anchor) == (
        case.verdict,
        case.raw_code,
        case.anchor,
    )
    assert diagnosis.checklist == CHECKLISTS.get((case.ccxt_id, case.raw_code), ())


@pytest.mark.parametrize("ccxt_id", DOCUMENTED)
def test_every_rule_has_a_documented_answer(ccxt_id):
    raw_codes = [case.raw_code for case in CASES if case.ccxt_id == ccxt_id]
    untested = [rule.code for rule in rules_for(ccxt_id) if not any(map(rule.matches, raw_codes))]

    assert rules_for(ccxt_id)
    assert untested == []


@pytest.mark.parametrize("ccxt_id", DOCUMENTED)
def test_no_rule_is_hidden_by_an_earlier_one(ccxt_id):
    rules = rules_for(ccxt_id)
    hidden = [
        (earlier.code, later.code)
        for index, later in enumerate(rules)
        for earlier in rules[:index]
        if earlier.matches(later.code) and (not later.prefix or earlier.prefix)
    ]

    assert hidden == []


@pytest.mark.parametrize("ccxt_id", DOCUMENTED)
def test_only_ambiguous_rules_carry_a_ranked_checklist(ccxt_id):
    rules = rules_for(ccxt_id)
    assert rules
    for rule in rules:
        if rule.verdict == V.AMBIGUOUS:
            assert len(rule.checklist) >= 2, rule.code
            assert len(set(rule.checklist)) == len(rule.checklist), rule.code
            assert not set(rule.checklist) & {V.OK, V.AMBIGUOUS, V.UNKNOWN}, rule.code
        else:
            assert rule.checklist == (), rule.code


@pytest.mark.parametrize("ccxt_id", DOCUMENTED)
def test_anchors_exist_in_the_exchange_guide(ccxt_id):
    anchors = {item["anchor"] for item in guide_items(ccxt_id, "troubleshooting")}

    missing = [rule.anchor for rule in rules_for(ccxt_id) if rule.anchor not in anchors | {""}]

    assert missing == []


def test_a_status_failure_with_a_json_body_reads_the_body_first():
    error = ccxt.PermissionDenied(
        'okx GET https://www.okx.com/api/v5/account/balance 403 Forbidden {"code": "50110", '
        '"msg": "Your IP is not included in your API key\'s IP whitelist."}'
    )

    codes = raw_codes("okx", error_body("okx", error))

    assert codes[0] == "50110"
    assert codes[-1] == "403 Forbidden"


def test_an_error_page_gives_the_status_then_its_first_line():
    error = ccxt.ExchangeNotAvailable(
        "binance GET https://api.binance.com/api/v3/account 503 Service Unavailable "
        "<html>\n<body>Down for maintenance</body>\n</html>"
    )

    assert raw_codes("binance", error_body("binance", error)) == [
        "503 Service Unavailable",
        "<html>",
    ]
    assert diagnose_error("binance", error).verdict == V.UNAVAILABLE


def test_a_status_python_does_not_name_is_still_a_code():
    error = ccxt.ExchangeError("gate GET https://api.gateio.ws/api/v4/spot/accounts 599 Weird ")

    assert raw_codes("gate", error_body("gate", error)) == ["HTTP 599", "Weird"]


def _ip_entry(ccxt_id: str, language: str) -> dict[str, Any] | None:
    content = guide_content(ccxt_id)
    anchor = ip_anchor(ccxt_id)
    items = content.translations[language]["items"]
    return next(
        (i for i in items if i["kind"] == "troubleshooting" and i["anchor"] == anchor), None
    )


ALLOWLISTED = sorted(
    ccxt_id
    for ccxt_id in guide_ccxt_ids()
    if guide_content(ccxt_id).facts["ip_whitelist"] != "not_available"
)


def test_every_exchange_with_an_ip_allowlist_is_checked():
    assert len(ALLOWLISTED) >= 10


@pytest.mark.parametrize("ccxt_id", ALLOWLISTED)
def test_ip_verdicts_link_to_the_guide_s_entry_about_ip_addresses(ccxt_id):
    """The IP verdict, alone or in a checklist, sends the user to an entry about IP addresses,
    in both languages: never to "Permission denied"."""
    for language in ("en", "fr"):
        entry = _ip_entry(ccxt_id, language)
        assert entry is not None, (ccxt_id, language, ip_anchor(ccxt_id))
        assert "IP" in entry["label"] + entry["text"]
    ip_rules = [rule for rule in rules_for(ccxt_id) if rule.verdict == V.IP_NOT_ALLOWED]
    assert all(rule.anchor == ip_anchor(ccxt_id) for rule in ip_rules), ip_rules
