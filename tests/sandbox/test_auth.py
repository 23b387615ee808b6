"""Authentication as Kraken specifies it, and each documented refusal for the right situation:
the raw error string in the HTTP body, and the ccxt exception class ccxt raises for it."""

import base64
import hashlib
import hmac
import json
import urllib.parse
import urllib.request

import ccxt
import pytest

from exchanges.sandbox import EXPIRED_KEY_ERROR, SandboxVenue, futures_authent, parse_keys
from exchanges.sandbox.auth import signatures_match, spot_signature

# Kraken's published example (docs.kraken.com, Spot REST Authentication).
VECTOR_SECRET = (
    "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
)
VECTOR_NONCE = "1616492376594"
VECTOR_BODY = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
VECTOR_PATH = "/0/private/AddOrder"
VECTOR_SIGN = (
    "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
)
VECTOR_KEY = "SANDBOXVector" + "A" * 43


def test_the_published_kraken_vector_is_accepted_by_the_verification_function():
    assert spot_signature(VECTOR_SECRET, VECTOR_PATH, VECTOR_NONCE, VECTOR_BODY) == VECTOR_SIGN
    assert signatures_match(
        spot_signature(VECTOR_SECRET, VECTOR_PATH, VECTOR_NONCE, VECTOR_BODY), VECTOR_SIGN
    )


def test_the_futures_authent_follows_kraken_futures_steps():
    secret = base64.b64encode(b"futures-secret" * 4).decode()
    post_data, nonce, path = "symbol=PF_XBTUSD&side=buy", "1415957147987", "/api/v3/sendorder"
    digest = hashlib.sha256((post_data + nonce + path).encode()).digest()
    expected = base64.b64encode(hmac.new(base64.b64decode(secret), digest, hashlib.sha512).digest())
    assert futures_authent(secret, post_data, nonce, path) == expected.decode()


@pytest.fixture(scope="module")
def vector_venue():
    keys = parse_keys(
        [
            {
                "key": VECTOR_KEY,
                "secret": VECTOR_SECRET,
                "venue": "spot",
                "permissions": ["modify-trades"],
                "balances": {"ZUSD": "100000"},
            }
        ]
    )
    with SandboxVenue(keys) as venue:
        yield venue


def _post_vector(venue, body: str) -> dict:
    request = urllib.request.Request(  # noqa: S310 - the venue's own http URL
        venue.url + VECTOR_PATH,
        data=body.encode(),
        method="POST",
        headers={
            "API-Key": VECTOR_KEY,
            "API-Sign": VECTOR_SIGN,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return json.loads(response.read())


def test_the_published_vector_places_its_order_over_http_and_a_tampered_body_is_refused(
    vector_venue,
):
    tampered = _post_vector(vector_venue, VECTOR_BODY.replace("volume=1.25", "volume=12.5"))
    assert tampered == {"error": ["EAPI:Invalid signature"]}
    answer = _post_vector(vector_venue, VECTOR_BODY)
    assert answer["error"] == []
    assert answer["result"]["descr"]["order"] == "buy 1.25000000 XBTUSD @ limit 37500.0"
    assert len(answer["result"]["txid"]) == 1


# --- Spot refusals ---------------------------------------------------------------------------


def test_unknown_key(raw, spot):
    exchange = spot()
    exchange.apiKey = "SANDBOXUnknown" + "A" * 42
    with pytest.raises(ccxt.AuthenticationError, match="EAPI:Invalid key"):
        exchange.fetch_balance()
    key_of_other_venue = spot("spot-full")
    key_of_other_venue.apiKey = raw.venue.key("futures-full").key
    with pytest.raises(ccxt.AuthenticationError, match="EAPI:Invalid key"):
        key_of_other_venue.fetch_balance()


def test_bad_signature(raw, spot):
    other_secret = raw.venue.key("spot-withdraw").secret
    assert raw.spot_private("spot-full", "Balance", secret=other_secret) == (
        200,
        {"error": ["EAPI:Invalid signature"]},
    )
    exchange = spot()
    exchange.secret = other_secret
    # ccxt has no mapping for EAPI:Invalid signature: a plain ExchangeError, not an auth error.
    with pytest.raises(ccxt.ExchangeError, match="EAPI:Invalid signature") as raised:
        exchange.fetch_balance()
    assert type(raised.value) is ccxt.ExchangeError


def test_stale_and_repeated_nonces(raw, spot):
    assert raw.spot_private("spot-full", "Balance", nonce=1000)[1]["error"] == []
    assert raw.spot_private("spot-full", "Balance", nonce=1000)[1] == {
        "error": ["EAPI:Invalid nonce"]
    }
    assert raw.spot_private("spot-full", "Balance", nonce=999)[1] == {
        "error": ["EAPI:Invalid nonce"]
    }
    assert raw.spot_private("spot-full", "Balance", nonce=1001)[1]["error"] == []
    exchange = spot()
    exchange.fetch_balance()
    exchange.nonce = lambda: 5
    exchange.options["lastNonce"] = 0
    with pytest.raises(ccxt.InvalidNonce, match="EAPI:Invalid nonce"):
        exchange.fetch_balance()


def test_missing_permission(raw, spot):
    assert raw.spot_private("spot-no-query-funds", "BalanceEx")[1] == {
        "error": ["EGeneral:Permission denied"]
    }
    with pytest.raises(ccxt.PermissionDenied, match="EGeneral:Permission denied"):
        spot("spot-no-query-funds").fetch_balance()
    # validate=true checks permissions without placing anything
    with pytest.raises(ccxt.PermissionDenied):
        spot("spot-read-only").create_order(
            "BTC/USD", "limit", "buy", 0.01, 1000, {"validate": True}
        )
    assert spot("spot-full").create_order("BTC/USD", "limit", "buy", 0.01, 1000, {"validate": True})
    assert raw.venue.state.ledger.orders == {}


def test_expired_key(raw, spot):
    assert raw.spot_private("spot-expired", "Balance")[1] == {"error": [EXPIRED_KEY_ERROR]}
    assert EXPIRED_KEY_ERROR == "EGeneral:Permission denied:expired"
    with pytest.raises(ccxt.ExchangeError, match="Permission denied:expired") as raised:
        spot("spot-expired").fetch_balance()
    assert type(raised.value) is ccxt.ExchangeError  # ccxt maps only the exact string


def test_ip_not_in_the_allowlist(raw, spot):
    assert raw.spot_private("spot-ip-restricted", "Balance")[1] == {
        "error": ["EGeneral:Permission denied"]
    }
    with pytest.raises(ccxt.PermissionDenied):
        spot("spot-ip-restricted").fetch_balance()
    exchange = spot("spot-ip-restricted")
    exchange.headers = {"X-Sandbox-Client-IP": "203.0.113.7"}
    assert exchange.fetch_balance()["total"]["BTC"] == 2.0


def test_api_key_info_reports_the_key_as_kraken_does(raw):
    _status, answer = raw.spot_private(
        "spot-ip-restricted", "GetApiKeyInfo", headers={"X-Sandbox-Client-IP": "203.0.113.7"}
    )
    info = answer["result"]
    assert info["apiKeyName"] == "spot-ip-restricted"
    assert info["ipAllowlist"] == ["203.0.113.7"]
    assert "withdraw-funds" not in info["permissions"]
    assert "modify-trades" in info["permissions"]
    assert info["validUntil"] == "0"
    withdraw = raw.spot_private("spot-withdraw", "GetApiKeyInfo")[1]["result"]
    assert "withdraw-funds" in withdraw["permissions"]


def test_withdraw_permission_is_probed_without_withdrawing(raw, spot):
    params = {"asset": "XBT", "key": "probe", "amount": "0.001"}
    assert raw.spot_private("spot-full", "WithdrawInfo", params)[1] == {
        "error": ["EGeneral:Permission denied"]
    }
    assert raw.spot_private("spot-withdraw", "WithdrawInfo", params)[1] == {
        "error": ["EFunding:Unknown withdraw key"]
    }
    # Deposit Funds (add-funds) is a "never" permission: only the key that has everything has it.
    deposit = {"asset": "XBT"}
    assert raw.spot_private("spot-withdraw", "DepositMethods", deposit)[1]["result"][0]["method"]
    assert raw.spot_private("spot-full", "DepositMethods", deposit)[1] == {
        "error": ["EGeneral:Permission denied"]
    }
    with pytest.raises(ccxt.InvalidAddress):
        spot("spot-withdraw").privatePostWithdrawInfo(params)


# --- Futures refusals ------------------------------------------------------------------------


def test_futures_authentication_errors(raw, futures):
    for label in ("futures-expired", "futures-ip-restricted"):
        assert raw.futures_private(label, "GET", "accounts")[1]["error"] == "authenticationError"
        with pytest.raises(ccxt.AuthenticationError, match="authenticationError"):
            futures(label).fetch_balance()
    status, answer = raw.futures_private(
        "futures-read-only",
        "POST",
        "sendorder",
        {
            "orderType": "lmt",
            "symbol": "PF_XBTUSD",
            "side": "buy",
            "size": "0.01",
            "limitPrice": "1000",
        },
    )
    assert (status, answer["result"], answer["error"]) == (401, "error", "authenticationError")
    with pytest.raises(ccxt.AuthenticationError):
        futures("futures-read-only").create_order("BTC/USD:USD", "limit", "buy", 0.01, 1000)
    assert futures("futures-read-only").fetch_balance()["total"]["USD"] == 50000.0
    wrong = futures()
    wrong.secret = raw.venue.key("futures-withdraw").secret
    with pytest.raises(ccxt.AuthenticationError):
        wrong.fetch_balance()
    allowed = futures("futures-ip-restricted")
    allowed.headers = {"X-Sandbox-Client-IP": "203.0.113.7"}
    assert allowed.fetch_balance()["total"]["USD"] == 50000.0


def test_futures_nonces(raw):
    assert (
        raw.futures_private("futures-full", "GET", "accounts", nonce="2000")[1]["result"]
        == "success"
    )
    assert (
        raw.futures_private("futures-full", "GET", "accounts", nonce="2000")[1]["error"]
        == "nonceDuplicate"
    )
    assert (
        raw.futures_private("futures-full", "GET", "accounts", nonce="1999")[1]["error"]
        == "nonceBelowThreshold"
    )
    # ccxt sends no Nonce header at all, which Kraken Futures allows
    assert raw.futures_private("futures-full", "GET", "accounts")[1]["result"] == "success"


def test_futures_key_check_endpoint(raw):
    key = raw.venue.key("futures-withdraw")
    path = "/api/auth/v1/api-keys/v3/check"
    headers = {"APIKey": key.key, "Authent": futures_authent(key.secret, "", "", path)}
    status, text = raw.request("GET", path, headers=headers)
    info = json.loads(text)
    assert status == 200
    assert info["apiKey"] == key.key
    assert info["permissions"] == {"general": "full", "withdrawal": "full"}
    assert info["allowedCidrBlocks"] == []
    headers["Authent"] = futures_authent(key.secret, "x", "", path)
    assert raw.request("GET", path, headers=headers)[0] == 401


def test_futures_withdrawal_permission_is_probed_without_withdrawing(raw):
    params = {"currency": "usd", "amount": "1"}
    assert (
        raw.futures_private("futures-full", "POST", "withdrawal", params)[1]["error"]
        == "authenticationError"
    )
    assert (
        raw.futures_private("futures-withdraw", "POST", "withdrawal", params)[1]["error"]
        == "invalidAmount"
    )


def test_spot_body_with_url_encoded_characters_still_verifies(raw):
    params = {"asset": "XBT", "key": "a key/with+odd=chars", "amount": "0.001"}
    assert urllib.parse.urlencode(params).count("%") > 0
    assert raw.spot_private("spot-withdraw", "WithdrawInfo", params)[1] == {
        "error": ["EFunding:Unknown withdraw key"]
    }
