"""What Binance's Spot and USDⓈ-M dialects share: the error envelope, SIGNED requests, request
weights, the restricted-location answer and the client order id rule.

Written from Binance's published API documentation (Spot: "General API Information",
"Endpoint security type", "SIGNED Endpoint security", "Timing security", "LIMITS", errors.md;
USDⓈ-M: the same sections of its own documentation). This machine reaches no exchange: where
the documentation leaves a detail open, the choice made here is said where it is made.

- Errors are ``{"code": <negative int>, "msg": "..."}`` with an HTTP 4xx status (Binance: 4xx
  for a request the sender got wrong, 5xx for its own trouble).
- A SIGNED request carries ``X-MBX-APIKEY``, ``timestamp`` (ms) and ``signature``
  (hex HMAC-SHA256 of the query string followed by the body), and may carry ``recvWindow``
  (default 5000 ms, at most 60000). A timestamp more than 1000 ms ahead of the server, or older
  than recvWindow, is refused with -1021.
- Every request has a weight; the IP's weights add up per minute (auth.WeightLimiter) and each
  answer says the minute's total in ``X-MBX-USED-WEIGHT-1M``.
- A client whose address is in RESTRICTED_NETWORKS gets HTTP 451, as Binance answers from a
  restricted location (the sandbox's stand-in for geography: TEST-NET-2, which no real client
  has; tests reach it through the X-Sandbox-Client-IP header).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from exchanges.sandbox.auth import WeightLimiter, WeightRefused, binance_signature
from exchanges.sandbox.keys import ApiKey
from exchanges.sandbox.state import VenueState
from exchanges.sandbox.wire import Request, Response, json_response

API_KEY_HEADER = "X-MBX-APIKEY"
DEFAULT_RECV_WINDOW_MS, MAX_RECV_WINDOW_MS, AHEAD_TOLERANCE_MS = 5000, 60000, 1000
RESTRICTED_NETWORKS = (ipaddress.ip_network("198.51.100.0/24"),)
RESTRICTED_LOCATION = (
    "Service unavailable from a restricted location according to 'b. Eligibility' in "
    "https://www.binance.com/en/terms. Please contact customer service if you believe you "
    "received this message in error."
)
# newClientOrderId (and origClientOrderId, listClientOrderId...): Binance's documented rule,
# the one -1100 quotes for illegal characters.
CLIENT_ORDER_ID = re.compile(r"^[\.A-Z\:/a-z0-9_-]{1,36}$")

INVALID_KEY = "Invalid API-key, IP, or permissions for action."
KEY_FORMAT = "API-key format invalid."
BAD_SIGNATURE = "Signature for this request is not valid."
OUTSIDE_WINDOW = "Timestamp for this request is outside of the recvWindow."
AHEAD = "Timestamp for this request was 1000ms ahead of the server's time."


class BinanceError(Exception):
    """A refused request: Binance's code and message, and the HTTP status it comes with."""

    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(f"{code} {msg}")
        self.code, self.msg, self.status = code, msg, status

    def response(self) -> Response:
        return json_response({"code": self.code, "msg": self.msg}, self.status)


def mandatory(name: str) -> BinanceError:
    return BinanceError(
        -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    )


def restricted(request: Request) -> Response | None:
    """HTTP 451 for a client in a restricted location, before anything else is looked at."""
    try:
        client = ipaddress.ip_address(request.client_ip)
    except ValueError:
        return None
    if any(client in network for network in RESTRICTED_NETWORKS):
        return json_response({"code": 0, "msg": RESTRICTED_LOCATION}, 451)
    return None


def charge_weight(limiter: WeightLimiter, request: Request, weight: int, now: float) -> str:
    """Count the request's weight for its IP; the header value to answer with. Raises
    BinanceError (HTTP 429 or 418) with the Retry-After to send."""
    try:
        return str(limiter.charge(request.client_ip, weight, now))
    except WeightRefused as refused:
        if refused.status == 418:
            msg = (
                f"Way too many requests; IP({request.client_ip}) banned until "
                f"{refused.banned_until_ms}. Please use the websocket for live updates to "
                "avoid bans."
            )
        else:
            msg = (
                f"Too many requests; current limit of IP({request.client_ip}) is "
                f"{limiter.limit} requests per minute. Please use the websocket for live "
                "updates to avoid polling the API."
            )
        error = BinanceError(-1003, msg, refused.status)
        error.retry_after = refused.retry_after  # type: ignore[attr-defined]
        raise error from None


def weighted(response: Response, used: str | None, retry_after: int | None = None) -> Response:
    """The answer with Binance's weight header (and Retry-After on a 429 or 418)."""
    if used is not None:
        response.headers.append(("X-MBX-USED-WEIGHT-1M", used))
    if retry_after is not None:
        response.headers.append(("Retry-After", str(retry_after)))
    return response


def total_params(request: Request) -> str:
    """The signed payload: the query string then the body, each without its signature."""

    def unsigned(text: str) -> str:
        return "&".join(part for part in text.split("&") if not part.startswith("signature="))

    return unsigned(request.query) + unsigned(request.body.decode("utf-8", "replace"))


def signed_key(
    state: VenueState, request: Request, now: float, *, permission: str | None = None
) -> ApiKey:
    """The Binance key of a SIGNED request, checked in this order: the key's format and
    existence, the signature, the timestamp window, the key's IP list, then `permission`
    (one of the key's switches). Every key refusal is -2015, as Binance words it: an unknown
    key, an IP off the list and a missing permission cannot be told apart."""
    sent = request.header(API_KEY_HEADER)
    if not sent:
        raise BinanceError(-2014, KEY_FORMAT, 401)
    api_key = state.keys.get(sent)
    if api_key is None or api_key.venue != "binance":
        # Binance answers a well-formed unknown key with -2015 and a malformed one with -2014.
        if not re.fullmatch(r"[A-Za-z0-9]{64}", sent):
            raise BinanceError(-2014, KEY_FORMAT, 401)
        raise BinanceError(-2015, INVALID_KEY, 401)
    params = request.params()
    signature = params.get("signature")
    if not signature:
        raise mandatory("signature")
    expected = binance_signature(api_key.secret, total_params(request))
    if signature.lower() != expected:
        raise BinanceError(-1022, BAD_SIGNATURE)
    check_timestamp(params, now)
    if api_key.is_expired(now) or not api_key.allows_ip(request.client_ip):
        raise BinanceError(-2015, INVALID_KEY, 401)
    if permission is not None and not api_key.has(permission):
        raise BinanceError(-2015, INVALID_KEY, 401)
    state.last_used[api_key.key] = now
    return api_key


def check_timestamp(params: dict[str, str], now: float) -> None:
    """Binance's timing security: ahead by more than 1000 ms, or older than recvWindow, is
    refused (-1021); recvWindow above 60000 is refused (-1131)."""
    raw = params.get("timestamp")
    if not raw or not raw.isdigit():
        raise mandatory("timestamp")
    window = params.get("recvWindow") or str(DEFAULT_RECV_WINDOW_MS)
    try:
        window_ms = Decimal(window)
    except InvalidOperation:
        raise BinanceError(-1100, "Illegal characters found in parameter 'recvWindow'.") from None
    if window_ms > MAX_RECV_WINDOW_MS or window_ms <= 0:
        raise BinanceError(-1131, "recvWindow must be less than 60000")
    server_ms, timestamp = int(now * 1000), int(raw)
    if timestamp >= server_ms + AHEAD_TOLERANCE_MS:
        raise BinanceError(-1021, AHEAD)
    if server_ms - timestamp > window_ms:
        raise BinanceError(-1021, OUTSIDE_WINDOW)


def client_order_id(params: dict[str, str], name: str = "newClientOrderId") -> str | None:
    """The client order id sent under `name`, checked against Binance's rule (-1100)."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if not CLIENT_ORDER_ID.match(value):
        raise BinanceError(
            -1100,
            f"Illegal characters found in parameter '{name}'; legal range is "
            f"'{CLIENT_ORDER_ID.pattern}'.",
        )
    return value


@dataclass(frozen=True)
class Filters:
    """A symbol's exchange filters as exchangeInfo lists them (PRICE_FILTER, LOT_SIZE and
    MARKET_LOT_SIZE, NOTIONAL or MIN_NOTIONAL)."""

    tick_size: Decimal
    step_size: Decimal
    min_qty: Decimal
    min_notional: Decimal

    def check(self, quantity: Decimal, price: Decimal | None, notional_price: Decimal) -> None:
        """-1013 "Filter failure: ..." for the first filter the order breaks."""
        if price is not None and price % self.tick_size:
            raise BinanceError(-1013, "Filter failure: PRICE_FILTER")
        if quantity < self.min_qty or quantity % self.step_size:
            raise BinanceError(-1013, "Filter failure: LOT_SIZE")
        if quantity * notional_price < self.min_notional:
            raise BinanceError(-1013, "Filter failure: NOTIONAL")
