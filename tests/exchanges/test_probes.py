"""The permission probes, offline: the real ccxt class builds each URL and signs each request;
only its HTTP session is replaced, and answers with the bodies the exchanges document (sources
in each probe's docstring, exchanges/probes.py).
"""

import base64
import json
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

import ccxt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.urls import reverse
from django.utils import timezone

from exchanges import clients, connection_tests, permissions, probes, retry
from exchanges.connection_tests import examine
from exchanges.credentials import Credentials
from exchanges.diagnosis import Verdict
from exchanges.models import ConnectionTest, Exchange
from exchanges.services import exchange_key_create
from tests.exchanges.fake_http import FakeSession
from tests.exchanges.guide_content import guide_ccxt_ids, guide_items

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
    "kucoin": {"apiKey": "kucoin-key", "secret": "kucoin-secret", "password": "kucoin-passphrase"},
    "bitget": {"apiKey": "bitget-key", "secret": "bitget-secret", "password": "bitget-passphrase"},
    "bitfinex": {"apiKey": "bitfinex-key", "secret": "bitfinex-secret"},
    "gate": {"apiKey": "gate-key", "secret": "gate-secret"},
}

# Where each permission probe goes, and what proves ccxt signed the request.
ENDPOINTS = {
    "binance": "https://api.binance.com/sapi/v1/account/apiRestrictions",
    "okx": "https://www.okx.com/api/v5/account/config",
    "bybit": "https://api.bybit.com/v5/user/query-api",
    "coinbase": "https://api.coinbase.com/api/v3/brokerage/key_permissions",
    "kraken": "https://api.kraken.com/0/private/GetApiKeyInfo",
    "kucoin": "https://api.kucoin.com/api/v1/user/api-key",
    "bitget": "https://api.bitget.com/api/v2/spot/account/info",
    "bitfinex": "https://api.bitfinex.com/v2/auth/r/permissions",
    # Gate tells no permissions: the trade probe cancels order 1 on the first spot market.
    "gate": "https://api.gateio.ws/api/v4/spot/orders/1",
}
# What ccxt asks before the probe: Gate's cancel_order first reads the account's mode.
GATE_DETAIL = "https://api.gateio.ws/api/v4/account/detail"
BEFORE_PROBE = {"gate": [GATE_DETAIL]}
SIGNATURE_HEADERS = {
    "binance": "X-MBX-APIKEY",
    "okx": "OK-ACCESS-SIGN",
    "bybit": "X-BAPI-SIGN",
    "coinbase": "Authorization",
    "kraken": "API-Sign",
    "kucoin": "KC-API-SIGN",
    "bitget": "ACCESS-SIGN",
    "bitfinex": "bfx-signature",
    "gate": "SIGN",
}
# ccxt's market ids where the probe sends one (Gate's currency_pair).
MARKET_IDS = {"gate": "BTC_USDT"}


def probe_path(ccxt_id: str) -> list[str]:
    """Every request of a test that ends before the balance is read."""
    return [*BEFORE_PROBE.get(ccxt_id, []), ENDPOINTS[ccxt_id]]


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


def kucoin(permission: str) -> dict[str, Any]:
    """Get Apikey Info's documented example, with the permissions given."""
    data = {
        "remark": "noon-barbari",
        "apiKey": "6705f5c311545b000157d3eb",
        "apiVersion": 3,
        "permission": permission,
        "ipWhitelist": "203.**.7",
        "createdAt": 1728443843000,
        "uid": 165111215,
        "isMaster": True,
    }
    return {"code": "200000", "data": data}


def bitget(*authorities: str) -> dict[str, Any]:
    data = {
        "userId": "**********",
        "inviterId": "**********",
        "ips": "203.0.113.7",
        "authorities": list(authorities),
        "parentId": 1,
        "traderType": "not_trader",
        "channelCode": "",
        "channel": "",
        "regisTime": "1695808949356",
    }
    return {"code": "00000", "msg": "success", "requestTime": 1695808949356, "data": data}


def bitfinex(**flags: tuple[int, int]) -> list[list[Any]]:
    """[scope, read, write] for each documented scope: a key set as the guide says."""
    scopes = {
        "account": (1, 0),
        "history": (1, 0),
        "orders": (1, 1),
        "positions": (0, 0),
        "funding": (0, 0),
        "settings": (0, 0),
        "wallets": (1, 0),
        "withdraw": (0, 0),
        "ui_withdraw": (0, 0),
        "bfxpay": (0, 0),
        **flags,
    }
    return [[scope, read, write] for scope, (read, write) in scopes.items()]


def gate(label: str, message: str) -> dict[str, str]:
    return {"label": label, "message": message}


GATE_NOT_FOUND = gate("ORDER_NOT_FOUND", "Order not found")
GATE_READ_ONLY = gate("READ_ONLY", "API key is read-only")
GATE_FORBIDDEN = gate("FORBIDDEN", "Account has no permission to request operation")

# Answers ccxt needs before the probe: Gate's "Retrieve user account information" example.
SETUP: dict[str, dict[str, Any]] = {
    # A green key's fee tier (exchanges.fee_tiers), as Binance's "Trade Fee" documents it.
    "binance": {
        "https://api.binance.com/sapi/v1/asset/tradeFee": [
            {"symbol": "BTCUSDT", "makerCommission": "0.001", "takerCommission": "0.001"}
        ]
    },
    "gate": {
        GATE_DETAIL: {
            "user_id": 1667201533,
            "ip_whitelist": ["203.0.113.7"],
            "currency_pairs": [],
            "key": {"mode": 1},
            "tier": 2,
            "copy_trading_role": 0,
        }
    },
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
    "kucoin": {
        # ccxt first asks whether the account is unified (KuCoin's "Get Account Mode").
        "https://api.kucoin.com/api/ua/v1/account/mode": {
            "code": "200000",
            "data": {"selfAccountMode": "CLASSIC"},
        },
        "https://api.kucoin.com/api/v1/accounts": {
            "code": "200000",
            "data": [
                {
                    "id": "5bd6e9286d99522a52e458de",
                    "currency": "BTC",
                    "type": "trade",
                    "balance": "0.5",
                    "available": "0.5",
                    "holds": "0",
                }
            ],
        },
    },
    "bitget": {
        # ccxt asks for the unified account's settings: any success, and it reads unified assets.
        "https://api.bitget.com/api/v3/account/settings": {
            "code": "00000",
            "msg": "success",
            "requestTime": 1695808949356,
            "data": {},
        },
        "https://api.bitget.com/api/v3/account/assets": {
            "code": "00000",
            "msg": "success",
            "requestTime": 1695808949356,
            "data": {
                "accountEquity": "30000",
                "assets": [
                    {
                        "coin": "BTC",
                        "equity": "0.5",
                        "balance": "0.5",
                        "available": "0.5",
                        "locked": "0",
                    }
                ],
            },
        },
    },
    "bitfinex": {
        # [WALLET_TYPE, CURRENCY, BALANCE, UNSETTLED_INTEREST, AVAILABLE_BALANCE, ...]
        "https://api.bitfinex.com/v2/auth/r/wallets": [
            ["exchange", "BTC", 0.5, 0, 0.5, None, None]
        ],
    },
    "gate": {
        "https://api.gateio.ws/api/v4/spot/accounts": [
            {"currency": "BTC", "available": "0.5", "locked": "0", "update_id": 1}
        ],
    },
}


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
                "id": MARKET_IDS.get(ccxt_id, "BTCUSDT"),
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
    answers = {
        url: (200, body) for url, body in {**SETUP.get(ccxt_id, {}), **BALANCES[ccxt_id]}.items()
    }
    answers[ENDPOINTS[ccxt_id]] = (status, permission_answer)
    client.session = FakeSession(answers)
    return client


class Case(NamedTuple):
    ccxt_id: str
    answer: Any
    verdict: Verdict
    missing: tuple[str, ...] = ()
    requests: int = 1  # only a usable key is asked for its balance
    status: int = 200


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
    # Get Apikey Info, then fetch_balance's account mode and accounts.
    Case("kucoin", kucoin("General,Spot"), Verdict.OK, requests=3),
    Case("kucoin", kucoin("General,Spot,InnerTransfer"), Verdict.OK, requests=3),
    Case("kucoin", kucoin("General,Futures"), Verdict.MISSING_PERMISSION, ("Spot",)),
    Case("kucoin", kucoin("General,Futures,Spot,Earn,InnerTransfer,Transfer,Margin"),
         Verdict.WITHDRAW_ENABLED),
    # account/info, then fetch_balance's unified settings and assets.
    Case("bitget", bitget("stow"), Verdict.OK, requests=3),
    Case("bitget", bitget("stow", "wtow"), Verdict.OK, requests=3),
    Case("bitget", bitget("stor"), Verdict.MISSING_PERMISSION, ("stow",)),
    Case("bitget", bitget("stow", "wwow"), Verdict.WITHDRAW_ENABLED),
    Case("bitfinex", bitfinex(), Verdict.OK, requests=2),
    Case("bitfinex", bitfinex(orders=(1, 0)), Verdict.MISSING_PERMISSION, ("orders:write",)),
    Case("bitfinex", bitfinex(history=(0, 0), wallets=(0, 0)), Verdict.MISSING_PERMISSION,
         ("history:read", "wallets:read")),
    Case("bitfinex", bitfinex(withdraw=(1, 1)), Verdict.WITHDRAW_ENABLED),
    # The trade probe: account detail, the cancel, then the balance of a key that may trade.
    Case("gate", GATE_NOT_FOUND, Verdict.OK, requests=3, status=404),
    Case("gate", GATE_READ_ONLY, Verdict.MISSING_PERMISSION, ("spot",), requests=2, status=403),
    Case("gate", GATE_FORBIDDEN, Verdict.MISSING_PERMISSION, ("spot",), requests=2, status=403),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.ccxt_id}-{case.verdict}")
def test_documented_answer_gives_its_verdict(case):
    client = client_for(case.ccxt_id, case.answer, status=case.status)

    found = examine(client)
    diagnosis, requests_made = found.diagnosis, found.requests

    assert diagnosis.verdict == case.verdict
    assert diagnosis.missing_permissions == case.missing
    assert requests_made == case.requests
    path = probe_path(case.ccxt_id)
    assert client.session.endpoints[: len(path)] == path  # permissions first
    if case.verdict == Verdict.OK:
        assert diagnosis.currencies == ("BTC",)
    if case.verdict == Verdict.OK:
        assert set(BALANCES[case.ccxt_id]) <= set(client.session.endpoints)
    else:  # a key that cannot do the job, or that we refuse, is not used any further
        assert client.session.endpoints == path


@pytest.mark.parametrize(
    ("ccxt_id", "answer", "method", "status"),
    [("binance", binance(), "GET", 200), ("okx", okx("read_only,trade"), "GET", 200),
     ("bybit", bybit(), "GET", 200), ("coinbase", coinbase(), "GET", 200),
     ("kucoin", kucoin("General,Spot"), "GET", 200), ("bitget", bitget("stow"), "GET", 200),
     ("bitfinex", bitfinex(), "POST", 200), ("gate", GATE_NOT_FOUND, "DELETE", 404)],
)  # fmt: skip
def test_the_probe_request_is_signed(ccxt_id, answer, method, status):
    client = client_for(ccxt_id, answer, status=status)

    probes.run(client)

    sent, url, headers = client.session.calls[len(BEFORE_PROBE.get(ccxt_id, []))]
    assert (sent, url.split("?")[0]) == (method, ENDPOINTS[ccxt_id])
    assert headers.get(SIGNATURE_HEADERS[ccxt_id])
    if ccxt_id == "binance":
        assert {"timestamp", "signature"} <= set(parse_qs(urlsplit(url).query))
    if ccxt_id == "gate":  # an order that cannot exist, on a market that does
        assert parse_qs(urlsplit(url).query)["currency_pair"] == ["BTC_USDT"]


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
        ("kucoin", {"code": "200000", "data": {**kucoin("")["data"]}}),
        ("kucoin", {"code": "200000", "data": {**kucoin("x")["data"], "permission": ["Spot"]}}),
        ("kucoin", {"code": "200000", "data": None}),
        # The page's example: words its field description does not define.
        ("bitget", bitget("trade", "readonly")),
        ("bitget", bitget()),
        ("bitget", {"code": "00000", "msg": "success", "data": {"authorities": "stow"}}),
        ("bitfinex", bitfinex()[:7]),  # no withdraw scope: it may withdraw, or not
        ("bitfinex", [[scope, bool(read), bool(write)] for scope, read, write in bitfinex()]),
        ("bitfinex", [*bitfinex()[:-1], ["bfxpay", 0]]),
        # Order 1 cancelled: whatever Gate did, it was not the documented answer.
        ("gate", {"id": "1", "status": "cancelled", "currency_pair": "BTC_USDT"}),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_an_undocumented_answer_is_never_a_green_tick(ccxt_id, answer, monkeypatch):
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    client = client_for(ccxt_id, answer)

    with pytest.raises(ccxt.BadResponse):
        probes.run(client)
    diagnosis = examine(client_for(ccxt_id, answer)).diagnosis

    # Whether the key can withdraw (or trade) is unknown: the balance is not even read.
    assert client.session.endpoints == probe_path(ccxt_id)
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
        ("kucoin", 401, {"code": "400003", "msg": "KC-API-KEY not exists"},
         Verdict.WRONG_CREDENTIALS, "400003"),
        ("kucoin", 401, {"code": "400006", "msg": "Invalid request ip, the current client IP is: "
                                                  "203.0.113.7"},
         Verdict.IP_NOT_ALLOWED, "400006"),
        # Get Account Information needs spot read or read-write: a key with neither.
        ("bitget", 400, {"code": "40014", "msg": "Incorrect permissions", "requestTime": 1,
                         "data": None},
         Verdict.MISSING_PERMISSION, "40014"),
        ("bitfinex", 500, ["error", 10100, "apikey: invalid"],
         Verdict.WRONG_CREDENTIALS, "apikey: invalid"),
        # Anything but "not found" or "no permission" goes through the usual diagnosis.
        ("gate", 401, gate("INVALID_KEY", "Invalid API Key"),
         Verdict.WRONG_CREDENTIALS, "INVALID_KEY"),
        ("gate", 403, gate("IP_FORBIDDEN", "Request IP not in whitelist"),
         Verdict.IP_NOT_ALLOWED, "IP_FORBIDDEN"),
    ],
)  # fmt: skip
def test_a_refusal_of_the_probe_is_diagnosed_as_usual(ccxt_id, status, body, verdict, raw_code):
    client = client_for(ccxt_id, body, status=status)

    found = examine(client)
    diagnosis, requests_made = found.diagnosis, found.requests

    assert (diagnosis.verdict, diagnosis.raw_code) == (verdict, raw_code)
    assert requests_made == 1
    assert client.session.endpoints == probe_path(ccxt_id)


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
    return {item["label"] for item in guide_items(ccxt_id, "permission")}


@pytest.mark.parametrize("ccxt_id", permissions.NEEDS)
def test_every_needed_permission_has_its_guide_label(ccxt_id):
    needs = permissions.NEEDS[ccxt_id]
    labels = guide_labels(ccxt_id)

    assert needs.labels
    assert set(needs.labels) == needs.required | needs.forbidden | needs.discouraged
    for label in needs.labels.values():  # the guide's label, or "<label>: <the option to pick>"
        assert label in labels or label.split(": ")[0] in labels, label


@pytest.mark.parametrize("ccxt_id", permissions.NEEDS)
def test_permissions_warned_about_are_those_the_guide_says_never_to_give(ccxt_id):
    needs = permissions.NEEDS[ccxt_id]
    never = {
        item["label"] for item in guide_items(ccxt_id, "permission") if item["level"] == "never"
    }

    assert not needs.discouraged & (needs.required | needs.forbidden)
    for name in needs.discouraged:
        assert needs.labels[name] in never, (name, never)


def test_some_permissions_are_warned_about():
    assert permissions.NEEDS["kraken"].discouraged == {"add-funds"}  # Deposit Funds


def test_every_probe_has_its_needs():
    assert set(probes.PERMISSION_PROBES) | set(probes.TRADE_PROBES) == set(permissions.NEEDS)
    assert probes.TRADE_PROBES
    for ccxt_id, trade in probes.TRADE_PROBES.items():
        assert trade.permission in permissions.NEEDS[ccxt_id].required


def test_only_gate_keys_are_not_checked_for_withdrawal():
    untold = {ccxt_id for ccxt_id in permissions.NEEDS if not permissions.tells_withdrawal(ccxt_id)}

    assert untold == {"gate"}


def test_every_guide_exchange_has_a_probe():
    assert guide_ccxt_ids() <= set(permissions.NEEDS)


def test_a_key_that_tells_it_can_withdraw_is_not_sent_an_order(monkeypatch):
    """The trade probe runs after the permission probe, and only for a key still usable."""
    trade = probes.TradeProbe("orders:write", "1", frozenset({"ORDER_NOT_FOUND"}), frozenset())
    monkeypatch.setitem(probes.TRADE_PROBES, "bitfinex", trade)
    client = client_for("bitfinex", bitfinex(withdraw=(1, 1)))

    result = probes.run(client)

    assert "withdraw:write" in result.permissions
    assert client.session.endpoints == [ENDPOINTS["bitfinex"]]


def test_the_trade_probe_picks_an_active_spot_market():
    client = client_for("gate", GATE_NOT_FOUND, status=404)
    client.set_markets(
        [
            {"id": "AAA_USDT", "symbol": "AAA/USDT", "base": "AAA", "quote": "USDT",
             "type": "spot", "spot": True, "active": False},
            {"id": "BTC_USDT", "symbol": "BTC/USDT:USDT", "base": "BTC", "quote": "USDT",
             "type": "swap", "spot": False},
            {"id": "ETH_USDT", "symbol": "ETH/USDT", "base": "ETH", "quote": "USDT",
             "type": "spot", "spot": True, "active": True},
        ]
    )  # fmt: skip

    probes.run(client)

    _, url, _ = client.session.calls[1]
    assert parse_qs(urlsplit(url).query)["currency_pair"] == ["ETH_USDT"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ccxt_id", "missing", "shown"),
    [
        ("coinbase", ["can_trade"], "<li>Trade <code>can_trade</code></li>"),
        ("binance", ["enableSpotAndMarginTrading"],
         "<li>Enable Spot &amp; Margin Trading <code>enableSpotAndMarginTrading</code></li>"),
        ("bybit", ["readOnly:0"], "<li>Read-Write <code>readOnly:0</code></li>"),
        ("kraken", ["query-funds"], "<li>Query Funds <code>query-funds</code></li>"),
        ("kraken", ["earn-funds"], "<li>Earn funds</li>"),  # no label known: words, no raw id
        ("gate", ["spot"], "<li>Spot: Read and Write <code>spot</code></li>"),
        ("kucoin", ["Spot"], "<li>Spot <code>Spot</code></li>"),
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


@pytest.mark.django_db
@pytest.mark.parametrize(("ccxt_id", "warned"), [("gate", True), ("binance", False)])
def test_a_green_tick_says_when_withdrawal_could_not_be_seen(owner, owner_client, ccxt_id, warned):
    key = exchange_key_create(
        user=owner,
        exchange=Exchange.objects.get(ccxt_id=ccxt_id),
        label="key",
        credentials=Credentials(api_key="key-1234", secret="secret"),
    )
    ConnectionTest.objects.filter(key=key).update(finished_at=timezone.now(), verdict=Verdict.OK)

    page = owner_client.get(reverse("exchanges:key_status", args=[key.pk])).content.decode()

    assert ("check on the exchange that withdrawals are off" in page) is warned


@pytest.mark.django_db
def test_the_exchanges_end_date_for_the_key_is_recorded(owner, monkeypatch):
    key = exchange_key_create(
        user=owner,
        exchange=Exchange.objects.get(ccxt_id="binance"),
        label="key",
        credentials=Credentials(api_key="B" * 64, secret="b" * 64),
        expires_on=datetime(2030, 1, 1, tzinfo=UTC).date(),
    )
    # 1 March 2027, 12:00 UTC: when Binance ends the key's Spot & Margin trading.
    answer = binance(tradingAuthorityExpirationTime=1803902400000)
    monkeypatch.setattr(clients, "build", lambda ccxt_id, credentials: client_for(ccxt_id, answer))

    connection_tests.connection_test_run(test_id=ConnectionTest.objects.get(key=key).pk)

    key.refresh_from_db()
    assert (key.status, key.expires_on) == ("ok", datetime(2027, 3, 1, tzinfo=UTC).date())
