"""How a Binance dialect answers a request: a route table, and one dispatcher both share.

Each route names its handler, its request weight and its security type (Binance's NONE,
MARKET_DATA, USER_DATA, TRADE...: what matters here is whether it is SIGNED, which permission
it needs, and whether it needs the key header only, as USER_STREAM endpoints do). The
dispatcher answers in the documented order: a restricted location (451), the weight (429,
418), then the key and signature, then the handler; every answer carries the weight header.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from exchanges.sandbox.binance_common import (
    API_KEY_HEADER,
    BinanceError,
    charge_weight,
    restricted,
    signed_key,
    weighted,
)
from exchanges.sandbox.faults import Fault
from exchanges.sandbox.keys import ApiKey
from exchanges.sandbox.state import VenueState
from exchanges.sandbox.wire import Request, Response, json_response


@dataclass
class Call:
    """One request as a handler sees it: the venue, the key (signed routes), the parameters."""

    state: VenueState
    key: ApiKey | None
    params: dict[str, str]
    now: float

    @property
    def api_key(self) -> ApiKey:
        if self.key is None:  # the dispatcher signs every route that reads a key
            raise BinanceError(-2014, "API-key format invalid.", 401)
        return self.key

    @property
    def now_ms(self) -> int:
        return int(self.now * 1000)


def integer_param(call: Call, name: str, default: int | None = None) -> int | None:
    """An integer parameter (ids, times, limits), `default` when absent; -1100 when it is
    not a whole number."""
    raw = call.params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.lstrip("-").isdigit():
        raise BinanceError(-1100, f"Illegal characters found in parameter '{name}'.")
    return int(raw)


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class Route:
    handler: Handler
    weight: int | Callable[[dict[str, str]], int] = 1
    signed: bool = False
    permission: str | None = None  # the key switch the route needs (after a valid signature)

    def weight_of(self, params: dict[str, str]) -> int:
        return self.weight(params) if callable(self.weight) else self.weight


class BinanceDialect:
    """A Binance REST dialect: `routes` maps (HTTP method, path) to a Route."""

    name = ""
    prefixes: tuple[str, ...] = ()
    routes: dict[tuple[str, str], Route] = {}

    def __init__(self, state: VenueState) -> None:
        self.state = state

    @property
    def limiter(self) -> Any:
        return self.state.weights[self.name]

    def handles(self, path: str) -> bool:
        return path.startswith(self.prefixes)

    @staticmethod
    def api_key(request: Request) -> str | None:
        return request.header(API_KEY_HEADER)

    def handle(self, request: Request) -> Response:
        refused = restricted(request)
        if refused is not None:
            return refused
        route = self.routes.get((request.method, request.path.rstrip("/")))
        if route is None:
            # Binance answers an unknown path with an HTML 404; a known path with another
            # method is refused the same way here (the sandbox's choice).
            return Response(404, b"<html><body><h2>404 Not found</h2></body></html>", "text/html")
        now = self.state.clock()
        used: str | None = None
        try:
            params = request.params()
            used = charge_weight(self.limiter, request, route.weight_of(params), now)
            key = None
            if route.signed:
                key = signed_key(self.state, request, now, permission=route.permission)
            result = route.handler(Call(self.state, key, params, now))
        except BinanceError as error:
            return weighted(error.response(), used, getattr(error, "retry_after", None))
        except ValueError:  # an undecodable body
            illegal = BinanceError(-1100, "Illegal characters found in a parameter.")
            return weighted(illegal.response(), used)
        return weighted(json_response(result), used)

    def fault_response(self, fault: Fault) -> Response:
        if fault.kind == "rate_limit":
            error = BinanceError(-1003, "Too many requests; please use the websocket.", 429)
            return weighted(error.response(), None, 60)
        status = fault.status or 503
        return json_response(
            {
                "code": -1008,
                "msg": "Server is currently overloaded with other requests. Please try again "
                "in a few minutes.",
            },
            status,
        )
