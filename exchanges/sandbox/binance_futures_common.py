"""What the Binance USDⓈ-M dialect's modules share: its contracts, parameters, number formats,
order ids, order states and the rule for how long an ended order can be looked up.

Contracts: BTCUSDT and ETHUSDT perpetuals, margined and settled in USDT, following the prices
of the Binance pairs of the same name (market.py). Their filters are Binance's for those
contracts (GET /fapi/v1/exchangeInfo): BTCUSDT ticks 0.10 between 556.80 and 4529764, steps
0.001 from 0.001 to 1000 (120 at market), 100 USDT minimum notional; ETHUSDT ticks 0.01
between 39.86 and 306177, steps 0.001 from 0.001 to 10000 (2000 at market), 20 USDT; both at
2 price and 3 quantity decimals, limit prices within 5 % of the mark price. The leverage
brackets are the sandbox's own three tiers (Binance's change often), shaped as Binance's.
The mark price is the contract's last trade price: the sandbox keeps no separate index.

Ids: orderId counts up per contract, algoId across the venue (GET /fapi/v1/algoOrder takes no
symbol); the order a triggered conditional order becomes gets an id derived from its algoId
(the sandbox's choice: the ledger fills the conditional order itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from exchanges.sandbox.binance_common import BinanceError, mandatory
from exchanges.sandbox.binance_routes import Call, integer_param
from exchanges.sandbox.records import SIDE_MARK, Order, side_symbol, usdm_account

DAY = 86400
LISTED_MS = 1_569_398_400_000  # 2019-09-25: both perpetuals' onboardDate
# Ended orders without a fill cannot be looked up 3 days after they were made; no order
# after 90 days (GET /fapi/v1/order, allOrders, the algo order queries).
UNFILLED_KEPT, ALL_KEPT = 3 * DAY, 90 * DAY
QUERY_SPAN_MS = 7 * DAY * 1000  # allOrders, allAlgoOrders, userTrades: 7 days at most
ORDER_IDS = 4_000_000_000
TRIGGERED_IDS = 8_000_000_000
ALGO_IDS = 3_000_000_000_000_000
# The order types Binance serves through the Algo Order API since 2025-12-09.
CONDITIONAL_TYPES = (
    "STOP",
    "STOP_MARKET",
    "TAKE_PROFIT",
    "TAKE_PROFIT_MARKET",
    "TRAILING_STOP_MARKET",
)
# Ledger orders that ended without the client asking: shown EXPIRED rather than CANCELED.
SYSTEM_ENDS = frozenset({"reduce_only", "expired"})


@dataclass(frozen=True)
class Bracket:
    leverage: int
    floor: int
    cap: int
    maintenance: Decimal
    cum: Decimal


BRACKETS = (
    Bracket(125, 0, 50_000, Decimal("0.004"), Decimal(0)),
    Bracket(100, 50_000, 600_000, Decimal("0.005"), Decimal(50)),
    Bracket(75, 600_000, 3_000_000, Decimal("0.0065"), Decimal(950)),
)


@dataclass(frozen=True)
class Contract:
    symbol: str
    base: str
    tick: Decimal
    min_price: Decimal
    max_price: Decimal
    step: Decimal
    min_qty: Decimal
    max_qty: Decimal
    market_max_qty: Decimal
    min_notional: Decimal
    price_places: int = 2
    quantity_places: int = 3


def _contract(symbol: str, base: str, prices: str, lots: str, notional: str) -> Contract:
    """A contract from its PRICE_FILTER ("tick min max"), its LOT_SIZE and MARKET_LOT_SIZE
    ("step min max market-max") and its MIN_NOTIONAL."""
    tick, min_price, max_price = (Decimal(n) for n in prices.split())
    step, min_qty, max_qty, market_max = (Decimal(n) for n in lots.split())
    return Contract(
        symbol, base, tick, min_price, max_price, step, min_qty, max_qty, market_max,
        Decimal(notional),
    )  # fmt: skip


CONTRACTS = {
    "BTCUSDT": _contract("BTCUSDT", "BTC", "0.10 556.80 4529764", "0.001 0.001 1000 120", "100"),
    "ETHUSDT": _contract("ETHUSDT", "ETH", "0.01 39.86 306177", "0.001 0.001 10000 2000", "20"),
}
PERCENT_UP, PERCENT_DOWN = Decimal("1.05"), Decimal("0.95")


# --- parameters --------------------------------------------------------------------------


def optional_contract(call: Call) -> Contract | None:
    """The contract named by `symbol`, None when no symbol is sent."""
    raw = call.params.get("symbol")
    return _contract_named(raw) if raw else None


def the_contract(call: Call) -> Contract:
    raw = call.params.get("symbol")
    if not raw:
        raise mandatory("symbol")
    return _contract_named(raw)


def _contract_named(raw: str) -> Contract:
    found = CONTRACTS.get(raw.upper())
    if found is None:
        raise BinanceError(-1121, "Invalid symbol.")
    return found


def decimal_param(call: Call, name: str) -> Decimal | None:
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise BinanceError(-1100, f"Illegal characters found in parameter '{name}'.")
    return value


def limit_param(call: Call, default: int, maximum: int) -> int:
    sent = integer_param(call, "limit")
    limit = default if sent is None else sent
    if not 1 <= limit <= maximum:
        raise BinanceError(-1130, "Data sent for parameter 'limit' is not valid.")
    return limit


def flag_param(call: Call, name: str) -> bool | None:
    """A "true"/"false" parameter (either case), None when not sent."""
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() not in ("true", "false"):
        raise BinanceError(-1130, f"Data sent for parameter '{name}' is not valid.")
    return raw.lower() == "true"


def history_page(call: Call, rows: list[dict], *, time_key: str, id_key: str) -> list[dict]:
    """allOrders and allAlgoOrders: the rows made in the time window, oldest first; from the
    id `id_key` names when sent (the first `limit` from there), else the latest `limit`."""
    start, end = time_window(call)
    since_id = integer_param(call, id_key)
    limit = limit_param(call, 500, 1000)
    rows = sorted(
        (r for r in rows if start <= r[time_key] <= end), key=lambda r: (r[time_key], r[id_key])
    )
    if since_id is not None:
        return [r for r in rows if r[id_key] >= since_id][:limit]
    return rows[-limit:]


def time_window(call: Call, *, capped: bool = True) -> tuple[int, int]:
    """[start, end] in ms from startTime/endTime: the last 7 days when neither is sent, 7 days
    from (or up to) the one sent; `capped`: a longer span is refused, else a startTime alone
    runs to now."""
    start, end = integer_param(call, "startTime"), integer_param(call, "endTime")
    if start is not None and end is not None:
        if start > end:
            raise BinanceError(-1023, "Start time is greater than end time.")
        if capped and end - start > QUERY_SPAN_MS:
            hours = QUERY_SPAN_MS // 3_600_000
            raise BinanceError(-1127, f"More than {hours} hours between startTime and endTime.")
        return start, end
    if start is not None:
        return start, start + QUERY_SPAN_MS if capped else call.now_ms
    if end is not None:
        return end - QUERY_SPAN_MS, end
    return call.now_ms - QUERY_SPAN_MS, call.now_ms


# --- the account and its positions -------------------------------------------------------


def account_of(call: Call) -> str:
    return usdm_account(call.api_key.key)


def in_hedge_mode(call: Call) -> bool:
    return account_of(call) in call.state.ledger.hedge_mode


def split_symbol(symbol: str) -> tuple[str, str]:
    """(contract, positionSide) of a ledger symbol."""
    contract, _, side = symbol.partition(SIDE_MARK)
    return contract, side or "BOTH"


def ledger_symbol(contract: Contract, position_side: str) -> str:
    return side_symbol(contract.symbol, position_side)


# --- numbers -----------------------------------------------------------------------------


def ms(seconds: float) -> int:
    return int(seconds * 1000)


def text(value: Decimal | None, places: int) -> str:
    """A number as Binance writes it: a string with `places` decimals, never an exponent."""
    quantum = Decimal(1).scaleb(-places)
    return f"{(value or Decimal(0)).quantize(quantum, rounding=ROUND_DOWN):f}"


def money(value: Decimal) -> str:
    return text(value, 8)


def quantity_text(contract: Contract, value: Decimal) -> str:
    return text(value, contract.quantity_places)


def price_text(contract: Contract, value: Decimal | None) -> str:
    return text(value, contract.price_places)


def decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


# --- orders ------------------------------------------------------------------------------


def next_order_key(call: Call, contract: Contract) -> str:
    """The ledger id of the contract's next regular order (orderIds count up per contract)."""
    prefix = f"usdm:{contract.symbol}:"
    return f"{prefix}{_next_number(call, prefix)}"


def next_algo_key(call: Call) -> str:
    """The ledger id of the next conditional order (algoIds count up across the venue)."""
    return f"usdm-algo:{_next_number(call, 'usdm-algo:')}"


def _next_number(call: Call, prefix: str) -> int:
    return 1 + sum(1 for key in call.state.ledger.orders if key.startswith(prefix))


def is_algo(order: Order) -> bool:
    return order.id.startswith("usdm-algo:")


def is_regular(order: Order) -> bool:
    return order.id.startswith("usdm:")


def sequence_number(order: Order) -> int:
    return int(order.id.rsplit(":", 1)[1])


def order_id(order: Order) -> int:
    """The orderId a client sees: a regular order's own, or that of the order a triggered
    conditional order became."""
    base = TRIGGERED_IDS if is_algo(order) else ORDER_IDS
    return base + sequence_number(order)


def algo_id(order: Order) -> int:
    return ALGO_IDS + sequence_number(order)


def order_status(order: Order) -> str:
    if order.status == "open":
        return "PARTIALLY_FILLED" if order.filled else "NEW"
    if order.status == "closed":
        return "FILLED"
    return "EXPIRED" if order.reason in SYSTEM_ENDS else "CANCELED"


def became_order(order: Order) -> bool:
    """Whether a conditional order triggered into an order (it filled)."""
    return is_regular(order) or bool(order.fills)


def queryable(order: Order, now: float) -> bool:
    """Binance's rule: an order made over 90 days ago is not found, nor one that ended
    CANCELED or EXPIRED without a fill and was made over 3 days ago."""
    age = now - order.opened
    if age > ALL_KEPT:
        return False
    return not (order.status == "canceled" and not order.filled and age > UNFILLED_KEPT)


def orders_of(call: Call, contract: Contract | None = None) -> list[Order]:
    """The key's USDⓈ-M orders (regular and conditional), oldest first."""
    account = account_of(call)
    return [
        o
        for o in call.state.ledger.orders.values()
        if o.key == account
        and o.venue == "binanceusdm"
        and (contract is None or split_symbol(o.symbol)[0] == contract.symbol)
    ]
