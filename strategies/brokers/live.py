"""The live broker: a run's orders at the exchange, through a client exchanges.clients built.

Every order is written "in flight" with its client order id (from the run, the bar and the
leg) before it is sent. When the answer is lost (a timeout, a 5xx, a reset connection) the
order stays in flight and is looked up by that id among the open and the closed orders; it is
never sent again blindly. Reads that cannot change anything are retried while the exchange is
only busy (exchanges.retry); an order is not.

The run's holding is what its own fills add up to, signed (a short is negative); `reconcile`
compares it with the account (less what the account held before the run) and lists trades on
the key that no run placed. On a spot market the account's holding is the base currency's
balance; on a derivatives market (Kraken Futures) it is the signed position in the contract,
and every order that closes (exit, stop, target, flatten) is reduce-only, so a late or doubled
close can never open a position the other way.

Each venue answers in its own way, and the broker reads each figure where the venue's row of
exchanges.trading says it is (it trades only on venues that table verifies). Kraken Futures,
for one, answers differently from Kraken Spot:
an ended order is only in /orders/status for 5 seconds (then in the order history, cancelled
stops in the triggers' history), its fills carry no fee (ccxt fills one in at the published
rate, an estimate) and its price is in the fills: a fill's fee is read from the account log
(fetch_ledger, by execution id), so the drift compares the model with what was charged.
"""

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ccxt

from exchanges import clients, retry, trading
from exchanges.credentials import exchange_key_reveal
from strategies.engine.enums import Action, Kind, Leg, Reason, Side, Status, action_of, kind_of
from strategies.models import RunFill, RunOrder, StrategyRun

logger = logging.getLogger(__name__)

ACTOR = "strategy run"
# ccxt's order states as the run's.
STATES = {
    "closed": Status.FILLED,
    "open": Status.OPEN,
    "canceled": Status.CANCELLED,
    "expired": Status.CANCELLED,
}
# How each kind of order rests at the exchange: ccxt's unified parameter for its trigger.
TRIGGER_PARAMS = {Kind.STOP_MARKET: "stopLossPrice", Kind.TAKE_PROFIT_MARKET: "takeProfitPrice"}
# A lost answer: the order may or may not be at the exchange.
AMBIGUOUS = (ccxt.NetworkError, ccxt.ExchangeNotAvailable)
# Errors about the key itself: the run stops with the connection test's verdict.
KEY_ERRORS = (ccxt.AuthenticationError, ccxt.PermissionDenied, ccxt.AccountSuspended)


class Unreconciled(Exception):
    """The account does not hold what the run's fills say: `code` and `params` for the run's
    stop message (strategies.services.run_messages)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True)
class Intent:
    """An order to send now: its bar (the open it stands for), leg, the side of the position,
    amount and why; its action follows from the leg and side, its kind from the leg (a stop
    or a target rests until `trigger`; every other leg is a market order)."""

    bar_ms: int
    leg: Leg
    side: Side
    amount: float
    reason: Reason
    trigger: float | None = None

    @property
    def action(self) -> Action:
        return action_of(self.leg, self.side)

    @property
    def kind(self) -> Kind:
        return kind_of(self.leg)


@contextlib.contextmanager
def live_session(run: StrategyRun) -> Iterator["LiveBroker"]:
    """The run's broker, signed in with its key (decrypted now, for this task only), under
    the key's lock: one private call at a time per key, whoever makes it."""
    if run.key is None:
        raise ValueError("a live run without a key")
    with clients.key_lock(run.key_id):
        client = clients.build(run.exchange.ccxt_id, exchange_key_reveal(key=run.key, actor=ACTOR))
        clients.ensure_markets(client)
        yield LiveBroker(run, client)


class LiveBroker:
    def __init__(self, run: StrategyRun, client: ccxt.Exchange) -> None:
        self.run, self.client = run, client
        self.market = client.market(run.symbol)  # the client's markets are loaded
        self.derivative = bool(self.market.get("contract"))
        # An ended run's cancel still needs a broker where the venue is no longer verified:
        # it gets the table's cautious row (no new order is sent there: the tick refuses).
        self.venue = trading.venue_of(client.id) or trading.UNVERIFIED

    def read(self, method, *args: Any, **kwargs: Any) -> Any:
        """A call that changes nothing when repeated, retried while the exchange is busy."""
        return retry.call_with_retries(lambda: method(*args, **kwargs), ccxt_id=self.client.id)

    # --- orders --------------------------------------------------------------------------

    def send(self, intent: Intent) -> RunOrder:
        """Send `intent` once: its row is written in flight first; an order already written
        for its (bar, leg) is only resolved, never sent again."""
        row, created = RunOrder.objects.get_or_create(
            run=self.run,
            bar_ms=intent.bar_ms,
            leg=intent.leg,
            defaults={
                "side": intent.side,
                "action": intent.action,
                "kind": intent.kind,
                "amount": intent.amount,
                "reason": intent.reason,
                "status": Status.IN_FLIGHT,
                "client_order_id": self.run.client_order_id(intent.bar_ms, intent.leg),
                "trigger_price": intent.trigger,
            },
        )
        if not created:
            if row.status == Status.IN_FLIGHT:
                self.resolve(row)
            return row
        try:
            placed = self.client.create_order(
                self.run.symbol, "market", intent.action, intent.amount, None, self._params(row)
            )
        except AMBIGUOUS:
            self.resolve(row)  # at once: most lost answers are found straight away
            return row
        except KEY_ERRORS:
            raise
        except ccxt.ExchangeError:  # refused: no funds, below a minimum, nothing to reduce
            RunOrder.objects.filter(pk=row.pk).update(status=Status.REJECTED)
            row.status = Status.REJECTED
            return row
        try:
            found = self.read(self.client.fetch_order, placed["id"], self.run.symbol)
        except ccxt.OrderNotFound:  # Kraken Futures: ended more than 5 seconds ago
            found = self._by_client_id(row.client_order_id)
        self._record(row, found)
        return row

    def _params(self, row: RunOrder) -> dict[str, Any]:
        params: dict[str, Any] = {"clientOrderId": row.client_order_id}
        if row.kind in TRIGGER_PARAMS:
            params[TRIGGER_PARAMS[Kind(row.kind)]] = row.trigger_price
        if self.derivative and self.venue.reduce_only and Leg(row.leg).closes:
            params["reduceOnly"] = True
        return params

    def resolve(self, row: RunOrder) -> None:
        """Look an in-flight order up by its client id; when the exchange has no such order,
        it never arrived: it is marked not sent (the next tick decides again)."""
        found = self._by_client_id(row.client_order_id)
        if found is None:
            RunOrder.objects.filter(pk=row.pk, status=Status.IN_FLIGHT).update(
                status=Status.NOT_SENT
            )
            row.status = Status.NOT_SENT
            return
        self._record(row, found)

    def resolve_all(self) -> None:
        rows = RunOrder.objects.filter(run=self.run, status__in=(Status.IN_FLIGHT, Status.OPEN))
        for row in rows:
            if row.status == Status.IN_FLIGHT:
                self.resolve(row)
            else:
                self._record(row, self._by_client_id(row.client_order_id))

    def _by_client_id(self, client_id: str) -> dict | None:
        params = {"clientOrderId": client_id}
        for fetch, extra in self._lookups():
            for order in self.read(fetch, self.run.symbol, None, None, {**params, **extra}):
                if order.get("clientOrderId") == client_id:
                    return order
        return None

    def _lookups(self) -> list[tuple[Any, dict]]:
        lookups: list[tuple[Any, dict]] = [
            (self.client.fetch_open_orders, {}),
            (self.client.fetch_closed_orders, {}),
        ]
        if self.venue.cancelled_apart:
            lookups += [
                (self.client.fetch_canceled_orders, {}),
                (self.client.fetch_canceled_orders, {"trigger": True}),
            ]
        return lookups

    def _record(self, row: RunOrder, order: dict | None) -> None:
        """The exchange's word on an order: its state, and what it filled (one fill row per
        order, at its average price and with its whole fee). An ended order whose fills the
        exchange does not show yet is left as it was, to be looked up again."""
        if order is None:
            return
        filled = float(order.get("filled") or 0.0)
        status = STATES.get(order.get("status") or "", Status.REJECTED)
        figures = None
        if filled > 0 and status != Status.OPEN and not RunFill.objects.filter(order=row).exists():
            figures = self._price_and_fee(order)
            if figures is None:
                logger.warning("Run %s: order %s filled, no fills shown yet", row.run_id, row.pk)
                return
        row.status, row.filled, row.exchange_order_id = status, filled, str(order["id"])
        row.save(update_fields=["status", "filled", "exchange_order_id"])
        if figures is not None:
            price, fee = figures
            RunFill.objects.get_or_create(
                order=row,
                bar_ms=row.bar_ms,
                defaults={
                    "run": self.run,
                    "amount": filled,
                    "price": price,
                    "reference": price,
                    "fee": fee,
                },
            )

    def _price_and_fee(self, order: dict) -> tuple[float, float] | None:
        """An ended order's average price and the fee it was charged: from the order when the
        exchange says them (Kraken Spot), else from its fills and the account's ledger (None
        while its fills are not shown)."""
        fee = (order.get("fee") or {}).get("cost")
        if order.get("average") and fee is not None and not self.venue.fee_from_ledger:
            return float(order["average"]), float(fee)
        since = int(order.get("timestamp") or self.run.start_ms)
        fills = [
            trade
            for trade in self.read(self.client.fetch_my_trades, self.run.symbol, since)
            if str(trade.get("order")) == str(order["id"])
        ]
        amount = sum(float(t["amount"]) for t in fills)
        if not amount:
            return None
        price = sum(float(t["amount"]) * float(t["price"]) for t in fills) / amount
        return price, sum(self.fees_charged(fills, since).values())

    def fees_charged(self, trades: list[dict], since_ms: int) -> dict[str, float]:
        """Each trade's fee (by trade id) as the account was charged it: the trade's own, or
        the account ledger's entry for that execution where trades carry none (the venue's
        `fee_from_ledger`)."""
        if not self.venue.fee_from_ledger:
            return {str(t["id"]): float((t.get("fee") or {}).get("cost") or 0.0) for t in trades}
        charged = dict.fromkeys((str(t["id"]) for t in trades), 0.0)
        if charged:
            for entry in self.read(self.client.fetch_ledger, None, since_ms):
                execution = str(entry.get("referenceId"))
                if execution in charged:
                    charged[execution] += float((entry.get("fee") or {}).get("cost") or 0.0)
        return charged

    def cancel_open(self) -> int:
        """Cancel the run's resting orders; how many."""
        cancelled = 0
        for row in RunOrder.objects.filter(run=self.run, status=Status.OPEN):
            self.cancel(row)
            cancelled += 1
        return cancelled

    def cancel(self, row: RunOrder) -> None:
        """Cancel a resting order, then record what it became (it may have filled first)."""
        # Kraken's "Unknown order" (InvalidOrder): no longer resting, filled or cancelled
        # meanwhile (or by a first try whose answer was lost); the lookup below says which.
        # Unlike an order, a cancel is harmless to repeat: retried while the exchange is busy.
        with contextlib.suppress(ccxt.InvalidOrder):
            self.read(
                self.client.cancel_order,
                row.exchange_order_id,
                self.run.symbol,
                {"clientOrderId": row.client_order_id},
            )
        self._record(row, self._by_client_id(row.client_order_id))

    def resting_ours(self) -> list[dict]:
        """The exchange's open orders in the run's market that this run placed (by client id
        or the exchange's id): what must be empty before a stopped run is done with."""
        ids = RunOrder.objects.filter(run=self.run).values_list(
            "client_order_id", "exchange_order_id"
        )
        ours = {known for pair in ids for known in pair if known}
        return [
            order
            for order in self.read(self.client.fetch_open_orders, self.run.symbol)
            if order.get("clientOrderId") in ours or str(order.get("id")) in ours
        ]

    def funding_booked(self, since_ms: int) -> list[tuple[int, float, float | None]]:
        """The funding the exchange booked on the run's contract since `since_ms`: (time ms,
        amount received, negative when paid, rate). Nothing on a spot market."""
        if not self.derivative or not self.venue.funding_from_ledger:
            return []
        contract = str(self.market["id"]).lower()
        booked = []
        for entry in self.read(self.client.fetch_ledger, None, since_ms):
            info = entry.get("info") or {}
            if info.get("info") != "funding rate change" or info.get("contract") != contract:
                continue
            rate = info.get("funding_rate")
            booked.append(
                (
                    int(entry["timestamp"]),
                    float(info.get("realized_funding") or 0.0),
                    None if rate is None else float(rate),
                )
            )
        return booked

    # --- the account ---------------------------------------------------------------------

    def holding(self) -> float:
        """What the account holds in the run's market: the base currency's balance on a spot
        market, the signed position (contracts times their size) on a derivatives market."""
        if not self.derivative:
            balance = self.read(self.client.fetch_balance)
            return float((balance.get("total") or {}).get(self.market["base"]) or 0.0)
        held = 0.0
        for position in self.read(self.client.fetch_positions, [self.run.symbol]):
            if position.get("symbol") != self.run.symbol:
                continue
            size = float(position.get("contracts") or 0.0)
            size *= float(position.get("contractSize") or self.market.get("contractSize") or 1.0)
            held += size if position.get("side") == "long" else -size
        return held

    def foreign_trades(self, since_ms: int) -> list[dict]:
        """Trades on the key, in the run's market, since `since_ms`, that no order of this run
        made."""
        ours = self.our_order_ids()
        trades = self.read(self.client.fetch_my_trades, self.run.symbol, since_ms)
        return [trade for trade in trades if str(trade.get("order")) not in ours]

    def our_order_ids(self) -> set[str]:
        """The exchange's ids of the orders this run placed."""
        rows = RunOrder.objects.filter(run=self.run).exclude(exchange_order_id="")
        return set(rows.values_list("exchange_order_id", flat=True))

    def reconcile(self, held: float, since_ms: int, tolerance: float) -> list[dict]:
        """The trades no run placed (reported, not fatal); Unreconciled when the account's
        holding is not the baseline plus what the run holds."""
        foreign = self.foreign_trades(since_ms)
        expected = (self.run.base_baseline or 0.0) + held
        actual = self.holding()
        if abs(actual - expected) > tolerance:
            code = "another_program" if foreign else "unreconciled"
            raise Unreconciled(code, expected=round(expected, 8), actual=round(actual, 8))
        return foreign
