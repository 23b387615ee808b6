"""The permission probes, offline: the real ccxt class builds each URL and signs each request;
only its HTTP session is replaced, and answers with the bodies the exchanges document (sources
in each probe's docstring, exchanges/probes.py).
"""

import base64
import json
import tomllib
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

import ccxt
import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.urls import reverse
from django.utils import timezone

from exchanges import connection_tests, probes
from exchanges.connection_tests import _probe_with_retries
from exchanges.diagnosis import Verdict
from exchanges.models import ConnectionTest, Exchange
from exchanges.services import Credentials, exchange_key_create
from guides.content_files import CONTENT_DIR

COINBASE_KEY = ec.generate_private_key(ec.SECP256R1())  # a throwaway CDP (ECDSA) key
COINBASE_PEM = COINBASE_KEY.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.TraditionalOpenSSL,
    serialization.NoEncryption(),
).decode()

CREDENTIALS: dict[str, dict[str, str]] = {
    "binance": {"apiKey": "B" * 64, "secret": "b" * 64},
    "okx": {"apiKey": "okx-key", "secret": "okx-secret", "password": "okx-passphrase"},
    "bybit": {"apiKey": "bybit-key", "secret": "bybit-secret"},
    "coinbase": {
        "apiKey": "organizations/11111111-2222/apiKeys/33333333-4444",
        "secret": COINBASE_PEM,
    },
    "kraken": {"apiKey": "kraken-key", "secret": base64.b64encode(b"k" * 64).decode()},
}

# Where each permission probe goes, and what proves ccxt signed the request.
ENDPOINTS = {
    "binance": "https://api.binance.com/sapi/v1/account/apiRestrictions",
    "okx": "https://www.okx.com/api/v5/account/config",
    "bybit": "https://api.bybit.com/v5/user/query-api",
    "coinbase": "https://api.coinbase.com/api/v3/brokerage/key_permissions",
    "kraken": "https://api.kraken.com/0/private/GetApiKeyInfo",
}
SIGNATURE_HEADERS = {
    "binance": "X-MBX-APIKEY",
    "okx": "OK-ACCESS-SIGN",
    "bybit": "X-BAPI-SIGN",
    "coinbase": "Authorization",
    "kraken": "API-Sign",
}


def binance(**flags: Any) -> dict[str, Any]:
    """The documented example, with a read + trade key."""
    return {
        "ipRestrict": True,
        "createTime": 1698645219000,
        "enableReading": True,
        "enableWithdrawals": False,
        "enableInternalTransfer": False,
        "enableMargin": False,
        "enableFutures": False,
        "permitsUniversalTransfer": False,
        "enableVanillaOptions": False,
        "enableFixApiTrade": False,
        "enableFixReadOnly": True,
        "enableSpotAndMarginTrading": True,
        "enablePortfolioMarginTrading": False,
        **flags,
    }


def okx(perm: str) -> dict[str, Any]:
    config = {
        "uid": "44705892343619584",
        "mainUid": "44705892343619584",
        "acctLv": "2",
        "posMode": "net_mode",
        "autoLoan": False,
        "perm": perm,
        "ip": "203.0.113.7",
        "label": "noon-barbari",
    }
    return {"code": "0", "msg": "", "data": [config]}


def bybit(read_only: int = 0, **permissions: list[str]) -> dict[str, Any]:
    groups = {
        "ContractTrade": [],
        "Spot": ["SpotTrade"],
        "Wallet": [],
        "Options": [],
        "Derivatives": ["DerivativesTrade"],
        "CopyTrading": [],
        "BlockTrade": [],
        "Exchange": [],
        "NFT": [],
        "Affiliate": [],
        **permissions,
    }
    result = {
        "id": "13770661",
        "note": "noon-barbari",
        "apiKey": "bybit-key",
        "readOnly": read_only,
        "secret": "",
        "permissions": groups,
        "ips": ["*"],
        "type": 1,
        "deadlineDay": 83,
        "expiredAt": "2023-05-15T03:21:05Z",
        "createdAt": "2022-10-16T02:24:40Z",
        "unified": 0,
        "uta": 1,
        "userID": 24600000,
        "inviterID": 0,
        "vipLevel": "No VIP",
        "mktMakerLevel": "0",
        "affiliateID": 0,
        "rsaPublicKey": "",
        "isMaster": True,
    }
    return {"retCode": 0, "retMsg": "", "result": result, "retExtInfo": {}, "time": 1676891757649}


def coinbase(view: bool = True, trade: bool = True, transfer: bool = False) -> dict[str, Any]:
    return {
        "can_view": view,
        "can_trade": trade,
        "can_transfer": transfer,
        "portfolio_uuid": "55555555-6666-7777-8888-999999999999",
        "portfolio_type": "DEFAULT",
    }


# The balance read (what ccxt's fetch_balance asks), holding BTC only.
BALANCES: dict[str, dict[str, Any]] = {
    "binance": {
        "https://api.binance.com/api/v3/account": {
            "canTrade": True,
            "accountType": "SPOT",
            "balances": [
                {"asset": "BTC", "free": "0.5", "locked": "0"},
                {"asset": "USDT", "free": "0", "locked": "0"},
            ],
            "permissions": ["SPOT"],
        }
    },
    "okx": {
        "https://www.okx.com/api/v5/account/balance": {
            "code": "0",
            "msg": "",
            "data": [
                {
                    "uTime": "1705474164160",
                    "totalEq": "30000",
                    "details": [
                        {
                            "ccy": "BTC",
                            "eq": "0.5",
                            "cashBal": "0.5",
                            "availBal": "0.5",
                            "frozenBal": "0",
                            "uTime": "1705474164160",
                        }
                    ],
                }
            ],
        }
    },
    "bybit": {
        # ccxt asks query-api again (is the account unified?), then the account's info.
        "https://api.bybit.com/v5/account/info": {
            "retCode": 0,
            "retMsg": "OK",
            "result": {"marginMode": "REGULAR_MARGIN", "unifiedMarginStatus": 5},
        },
        "https://api.bybit.com/v5/account/wallet-balance": {
            "retCode": 0,
            "retMsg": "OK",
            "result": {
                "list": [
                    {
                        "accountType": "UNIFIED",
                        "coin": [{"coin": "BTC", "walletBalance": "0.5", "locked": "0"}],
                    }
                ]
            },
            "time": 1676891757649,
        },
    },
    "coinbase": {
        "https://api.coinbase.com/v2/accounts": {
            "pagination": {"next_uri": None, "next_starting_after": None, "limit": 250},
            "data": [
                {
                    "id": "94ad58bc-0f15-5309-b35a-a4c86d7bad60",
                    "name": "BTC Wallet",
                    "primary": True,
                    "type": "wallet",
                    "currency": {"code": "BTC", "name": "Bitcoin", "type": "crypto"},
                    "balance": {"amount": "0.5", "currency": "BTC"},
                    "resource": "account",
                }
            ],
        }
    },
    "kraken": {
        "https://api.kraken.com/0/private/BalanceEx": {
            "error": [],
            "result": {"XXBT": {"balance": "0.5", "hold_trade": "0"}},
        }
    },
}


class FakeSession(requests.Session):
    """Answers by URL (without its query), with (HTTP status, body); records every request."""

    def __init__(self, answers: dict[str, tuple[int, Any]]) -> None:
        super().__init__()
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, str]]] = []

    def request(self, method, url, data=None, headers=None, **kwargs):  # type: ignore[override]
        self.calls.append((method, url, dict(headers or {})))
        endpoint = url.split("?")[0]
        if endpoint not in self.answers:
            raise AssertionError(f"unexpected request {method} {url}")
        status, body = self.answers[endpoint]
        response = requests.Response()
        response.status_code = status
        response.reason = HTTPStatus(status).phrase
        response.url = url
        response.headers["Content-Type"] = "application/json"
        response._content = (body if isinstance(body, str) else json.dumps(body)).encode()
        return response

    @property
    def endpoints(self) -> list[str]:
        return [url.split("?")[0] for _, url, _ in self.calls]


def client_for(ccxt_id: str, permission_answer: Any, status: int = 200) -> ccxt.Exchange:
    client = getattr(ccxt, ccxt_id)(
        {
            **CREDENTIALS[ccxt_id],
            "enableRateLimit": False,
            # No clock alignment: with markets set, ensure_markets then asks nothing.
            "options": {"adjustForTimeDifference": False},
        }
    )
    client.set_markets(
        [
            {
                "id": "BTCUSDT",
                "symbol": "BTC/USDT",
                "base": "BTC",
                "quote": "USDT",
                "baseId": "BTC",
                "quoteId": "USDT",
                "type": "spot",
                "spot": True,
            }
        ]
    )
    answers = {url: (200, body) for url, body in BALANCES[ccxt_id].items()}
    answers[ENDPOINTS[ccxt_id]] = (status, permission_answer)
    client.session = FakeSession(answers)
    return client


class Case(NamedTuple):
    ccxt_id: str
    answer: Any
    verdict: Verdict
    missing: tuple[str, ...] = ()
    requests: int = 1  # only a usable key is asked for its balance


CASES = [
    Case("binance", binance(), Verdict.OK, requests=2),
    Case("binance", binance(enableSpotAndMarginTrading=False), Verdict.MISSING_PERMISSION,
         ("enableSpotAndMarginTrading",)),
    Case("binance", binance(enableWithdrawals=True), Verdict.WITHDRAW_ENABLED),
    Case("okx", okx("read_only,trade"), Verdict.OK, requests=2),
    Case("okx", okx("read_only"), Verdict.MISSING_PERMISSION, ("trade",)),
    Case("okx", okx("read_only,trade,withdraw"), Verdict.WITHDRAW_ENABLED),
    # query-api once for us, then fetch_balance's query-api, account/info and wallet-balance.
    Case("bybit", bybit(), Verdict.OK, requests=4),
    Case("bybit", bybit(read_only=1), Verdict.MISSING_PERMISSION, ("readOnly:0",)),
    Case("bybit", bybit(Spot=[]), Verdict.MISSING_PERMISSION, ("Spot:SpotTrade",)),
    Case("bybit", bybit(Wallet=["AccountTransfer", "Withdraw"]), Verdict.WITHDRAW_ENABLED),
    Case("coinbase", coinbase(), Verdict.OK, requests=2),
    Case("coinbase", coinbase(trade=False), Verdict.MISSING_PERMISSION, ("can_trade",)),
    Case("coinbase", coinbase(transfer=True), Verdict.WITHDRAW_ENABLED),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.ccxt_id}-{case.verdict}")
def test_documented_answer_gives_its_verdict(case):
    client = client_for(case.ccxt_id, case.answer)

    diagnosis, requests_made = _probe_with_retries(client, case.ccxt_id)

    assert diagnosis.verdict == case.verdict
    assert diagnosis.missing_permissions == case.missing
    assert requests_made == case.requests
    assert client.session.endpoints[0] == ENDPOINTS[case.ccxt_id]  # permissions first
    if case.verdict == Verdict.OK:
        assert diagnosis.currencies == ("BTC",)
    if case.verdict == Verdict.OK:
        assert set(BALANCES[case.ccxt_id]) <= set(client.session.endpoints)
    else:  # a key that cannot do the job, or that we refuse, is not used any further
        assert client.session.endpoints == [ENDPOINTS[case.ccxt_id]]


@pytest.mark.parametrize(
    ("ccxt_id", "answer"),
    [("binance", binance()), ("okx", okx("read_only,trade")), ("bybit", bybit()),
     ("coinbase", coinbase())],
)  # fmt: skip
def test_the_probe_request_is_signed(ccxt_id, answer):
    client = client_for(ccxt_id, answer)

    probes.run(client)

    method, url, headers = client.session.calls[0]
    assert method == "GET"
    assert headers.get(SIGNATURE_HEADERS[ccxt_id])
    if ccxt_id == "binance":
        assert {"timestamp", "signature"} <= set(parse_qs(urlsplit(url).query))


def test_coinbase_signs_a_jwt_for_the_key_permissions_uri():
    client = client_for("coinbase", coinbase())

    probes.run(client)

    token = client.session.calls[0][2]["Authorization"].removeprefix("Bearer ")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == CREDENTIALS["coinbase"]["apiKey"]
    assert claims["uri"] == "GET api.coinbase.com/api/v3/brokerage/key_permissions"
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    COINBASE_KEY.public_key().verify(  # ES256: r and s, 32 bytes each
        encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:])),
        f"{header}.{payload}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )


@pytest.mark.parametrize(
    ("ccxt_id", "answer"),
    [
        ("binance", {"enableReading": "true", "enableSpotAndMarginTrading": "true"}),
        ("binance", {}),
        ("okx", {"code": "0", "msg": "", "data": []}),
        ("okx", {"code": "0", "msg": "", "data": [{"perm": ""}]}),
        ("okx", {"code": "0", "msg": "", "data": [{"permissions": ["read_only"]}]}),
        ("bybit", {"retCode": 0, "retMsg": "OK", "result": {}}),
        ("bybit", {"retCode": 0, "retMsg": "OK", "result": {**bybit()["result"], "readOnly": "0"}}),
        ("bybit", {"retCode": 0, "retMsg": "OK", "result": {"readOnly": 0, "permissions": []}}),
        ("coinbase", {"can_view": True}),
        ("coinbase", {"can_view": "true", "can_trade": "true", "can_transfer": "false"}),
        ("kraken", {"error": [], "result": {"apiKeyName": "noon-barbari"}}),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_an_undocumented_answer_is_never_a_green_tick(ccxt_id, answer, monkeypatch):
    monkeypatch.setattr(connection_tests, "RETRY_DELAYS", (0.0, 0.0))
    client = client_for(ccxt_id, answer)

    with pytest.raises(ccxt.BadResponse):
        probes.run(client)
    diagnosis, _ = _probe_with_retries(client_for(ccxt_id, answer), ccxt_id)

    # Whether the key can withdraw is unknown: the balance is not even read.
    assert client.session.endpoints == [ENDPOINTS[ccxt_id]]
    assert diagnosis.verdict == Verdict.UNAVAILABLE


@pytest.mark.parametrize(
    ("ccxt_id", "status", "body", "verdict", "raw_code"),
    [
        # Binance documents no permission for apiRestrictions: -2015 keeps all its causes.
        ("binance", 401, {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."},
         Verdict.AMBIGUOUS, "-2015"),
        ("okx", 401, {"code": "50110", "msg": "Your IP 203.0.113.7 is not included in your API "
                                              "key's IP whitelist.", "data": []},
         Verdict.IP_NOT_ALLOWED, "50110"),
        ("bybit", 200, {"retCode": 10003, "retMsg": "API key is invalid.", "result": {}},
         Verdict.WRONG_CREDENTIALS, "10003"),
        ("bybit", 200, {"retCode": 33004, "retMsg": "Your api key has expired", "result": {}},
         Verdict.EXPIRED, "33004"),
        ("coinbase", 403, {"error": "PERMISSION_DENIED", "error_details": "Missing required scopes",
                           "message": "Missing required scopes"},
         Verdict.MISSING_PERMISSION, "PERMISSION_DENIED"),
    ],
)  # fmt: skip
def test_a_refusal_of_the_probe_is_diagnosed_as_usual(ccxt_id, status, body, verdict, raw_code):
    client = client_for(ccxt_id, body, status=status)

    diagnosis, requests_made = _probe_with_retries(client, ccxt_id)

    assert (diagnosis.verdict, diagnosis.raw_code) == (verdict, raw_code)
    assert requests_made == 1
    assert client.session.endpoints == [ENDPOINTS[ccxt_id]]


@pytest.mark.parametrize(
    ("ccxt_id", "answer", "until"),
    [
        ("bybit", bybit(), datetime(2023, 5, 15, 3, 21, 5, tzinfo=UTC)),
        ("bybit", {**bybit(), "result": {**bybit()["result"], "expiredAt": ""}}, None),
        ("binance", binance(tradingAuthorityExpirationTime=1628985600000),
         datetime(2021, 8, 15, tzinfo=UTC)),
        ("binance", binance(), None),
    ],
)  # fmt: skip
def test_the_end_of_trading_is_carried_when_told(ccxt_id, answer, until):
    assert probes.run(client_for(ccxt_id, answer)).trading_until == until


def guide_labels(ccxt_id: str) -> set[str]:
    for exchange_file in CONTENT_DIR.glob("*/exchange.toml"):
        if tomllib.loads(exchange_file.read_text())["ccxt_id"] == ccxt_id:
            guide = tomllib.loads((exchange_file.parent / "en.toml").read_text())
            return {entry["label"] for entry in guide.get("permissions", [])}
    raise AssertionError(f"no guide for {ccxt_id}")


@pytest.mark.parametrize("ccxt_id", probes.NEEDS)
def test_every_needed_permission_has_its_guide_label(ccxt_id):
    needs = probes.NEEDS[ccxt_id]
    labels = guide_labels(ccxt_id)

    assert set(needs.labels) == needs.required | needs.forbidden
    for label in needs.labels.values():  # the guide's label, or "<label>: <the option to pick>"
        assert label in labels or label.split(": ")[0] in labels, label


def test_every_probe_has_its_needs():
    assert set(probes.PERMISSION_PROBES) == set(probes.NEEDS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ccxt_id", "missing", "shown"),
    [
        ("coinbase", ["can_trade"], "<li>Trade <code>can_trade</code></li>"),
        ("binance", ["enableSpotAndMarginTrading"],
         "<li>Enable Spot &amp; Margin Trading <code>enableSpotAndMarginTrading</code></li>"),
        ("bybit", ["readOnly:0"], "<li>Read-Write <code>readOnly:0</code></li>"),
        ("kraken", ["query-funds"], "<li>Query Funds <code>query-funds</code></li>"),
        ("kraken", ["earn-funds"], "<li><code>earn-funds</code></li>"),  # no label known
    ],
)  # fmt: skip
def test_the_key_page_names_a_missing_permission_as_the_exchange_does(
    owner, owner_client, ccxt_id, missing, shown
):
    key = exchange_key_create(
        user=owner,
        exchange=Exchange.objects.get(ccxt_id=ccxt_id),
        label="key",
        credentials=Credentials(api_key="key-1234", secret="secret"),
    )
    ConnectionTest.objects.filter(key=key).update(
        finished_at=timezone.now(),
        verdict=Verdict.MISSING_PERMISSION,
        missing_permissions=missing,
    )

    page = owner_client.get(reverse("exchanges:key_status", args=[key.pk])).content.decode()

    assert "Missing permissions:" in page
    assert shown in page
