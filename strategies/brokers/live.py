"""The live broker: a run's orders at the exchange, through a client exchanges.clients built.

Every order is written "in flight" with its client order id (from the run, the bar, the leg and
a safety order's rung) before it is sent. When the answer is lost (a timeout, a 5xx, a reset
connection) the order stays in flight and is looked up by that id among the open and the closed
orders; it is never sent again blindly. Reads that cannot change anything are retried while the
exchange is only busy (exchanges.retry); an order is not.

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
from django.db import transaction
from django.utils import timezone

from exchanges import clients, retry, trading
from exchanges.credentials import exchange_key_reveal
from strategies import notices
from strategies.brokers.live_account import LiveAccount, Unreconciled
from strategies.brokers.live_charges import Charged, LiveCharges
from strategies.engine.enums import Action, Kind, Leg, Reason, Side, Status, action_of, kind_of
from strategies.models import RunFill, RunOrder, StrategyRun
from strategies.series import timeframe_ms

__all__ = ["KEY_ERRORS", "Intent", "LiveBroker", "Unreconciled", "live_session"]

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


@dataclass(frozen=True)
class Intent:
    """An order to send now: its bar (the open it stands for), leg, the side of the position,
    amount and why; its action follows from the leg and side, its kind from the leg (a stop
    or a target rests until `trigger`, a safety order rests as a limit order at `trigger`,
    `rung` its place in the ladder; every other leg is a market order)."""

    bar_ms: int
    leg: Leg
    side: Side
    amount: float
    reason: Reason
    trigger: float | None = None
    rung: int = 0

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


class LiveBroker(LiveAccount, LiveCharges):
    def __init__(self, run: StrategyRun, client: ccxt.Exchange) -> None:
        self.run, self.client = run, client
        self.market = client.market(run.symbol)  # the client's markets are loaded
        self.derivative = bool(self.market.get("contract"))
        # An ended run's cancel still needs a broker where the venue is no longer verified:
        # it gets the table's cautious row (no new order is sent there: the tick refuses).
        self.venue = trading.venue_of(client.id) or trading.UNVERIFIED

    def read(self, method, *args: Any, **kwargs: Any) -> Any:
        """A call that changes nothing when repeated, retried while the exchange is busy."""
        return retry.call_with_retries(
            lambda: self.signed(method, *args, **kwargs), ccxt_id=self.client.id
        )

    def signed(self, method, *args: Any, **kwargs: Any) -> Any:
        """A call signed with the exchange's clock (Binance's timestamp): refused for its time
        (-1021, our clock moved since the offset was measured), the clock is measured again
        and the call made once more. The exchange refused it without acting on it, so even an
        order may be sent again."""
        try:
            return method(*args, **kwargs)
        except ccxt.InvalidNonce:
            if not clients.resync_clock(self.client):
                raise  # a nonce counter (Kraken): another program uses the key
            return method(*args, **kwargs)

    # --- orders --------------------------------------------------------------------------

    def send(self, intent: Intent) -> RunOrder:
        """Send `intent` once: its row is written in flight first; an order already written
        for its (bar, leg) is only resolved, never sent again."""
        row, created = self._written(intent)
        if not created:
            if row.status == Status.IN_FLIGHT:
                self.resolve(row)
            return row
        try:
            limit = row.kind == Kind.LIMIT  # a safety order, resting at its price
            placed = self.signed(
                self.client.create_order,
                self.run.symbol,
                "limit" if limit else "market",
                intent.action,
                intent.amount,
                row.trigger_price if limit else None,
                self._params(row),
            )
        except AMBIGUOUS:
            self.resolve(row)  # at once: most lost answers are found straight away
            return row
        except KEY_ERRORS:
            raise
        except ccxt.ExchangeError:  # refused: no funds, below a minimum, nothing to reduce
            self._refused(row)
            return row
        self._record(row, self._find(row, placed["id"]))
        return row

    def send_oco(self, stop: Intent, target: Intent) -> list[RunOrder]:
        """A long's stop and target resting as one order list (the venue's OCO, Binance
        Spot's): whichever triggers first cancels the other, and both sell the same coins
        once. Both rows are written in flight first; a lost answer is resolved by their
        client ids, never sent again."""
        written = [self._written(intent) for intent in (stop, target)]
        rows = [row for row, _created in written]
        if not all(created for _row, created in written):
            for row in rows:
                if row.status == Status.IN_FLIGHT:
                    self.resolve(row)
            return rows
        symbol = self.run.symbol
        params = {
            "symbol": self.market["id"],
            "side": stop.action.upper(),
            "quantity": self.client.amount_to_precision(symbol, stop.amount),
            "listClientOrderId": self.run.client_order_id(stop.bar_ms, "oco"),
            "aboveType": "TAKE_PROFIT",
            "aboveStopPrice": self.client.price_to_precision(symbol, target.trigger),
            "aboveClientOrderId": rows[1].client_order_id,
            "belowType": "STOP_LOSS",
            "belowStopPrice": self.client.price_to_precision(symbol, stop.trigger),
            "belowClientOrderId": rows[0].client_order_id,
        }
        try:
            self.signed(self.client.privatePostOrderListOco, params)
        except AMBIGUOUS:
            pass  # resolved below, by client id
        except KEY_ERRORS:
            raise
        except ccxt.ExchangeError:
            for row in rows:
                self._refused(row)
            return rows
        for row in rows:
            self.resolve(row)
        return rows

    def _written(self, intent: Intent) -> tuple[RunOrder, bool]:
        return RunOrder.objects.get_or_create(
            run=self.run,
            bar_ms=intent.bar_ms,
            leg=intent.leg,
            rung=intent.rung,
            defaults={
                "side": intent.side,
                "action": intent.action,
                "kind": intent.kind,
                "amount": intent.amount,
                "reason": intent.reason,
                "status": Status.IN_FLIGHT,
                "client_order_id": self.run.client_order_id(intent.bar_ms, intent.leg, intent.rung),
                "trigger_price": intent.trigger,
                "sent_at": timezone.now(),  # written just before it goes to the exchange
            },
        )

    def _refused(self, row: RunOrder) -> None:
        RunOrder.objects.filter(pk=row.pk).update(status=Status.REJECTED)
        row.status = Status.REJECTED

    def _params(self, row: RunOrder) -> dict[str, Any]:
        params: dict[str, Any] = {"clientOrderId": row.client_order_id}
        if row.kind in TRIGGER_PARAMS:
            params[TRIGGER_PARAMS[Kind(row.kind)]] = row.trigger_price
        if self.derivative and self.venue.reduce_only and Leg(row.leg).closes:
            params["reduceOnly"] = True
        return params

    def _book(self, row: RunOrder) -> dict[str, Any]:
        """Where the venue keeps the order: Binance USDⓈ-M keeps stops and targets apart
        (conditional "algo" orders, reached with ccxt's trigger flag)."""
        return {"trigger": True} if self.venue.triggers_apart and row.kind in TRIGGER_PARAMS else {}

    def resolve(self, row: RunOrder) -> None:
        """Look an in-flight order up by its client id; when the exchange has no such order,
        it never arrived: it is marked not sent (the next tick decides again)."""
        found = self._find(row)
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
                self._record(row, self._find(row))

    def _find(self, row: RunOrder, exchange_id: str | None = None) -> dict | None:
        """The exchange's word on one of the run's orders: by the exchange's id when known,
        else by the run's client id."""
        book = self._book(row)
        if exchange_id is not None:
            try:
                return self.read(self.client.fetch_order, exchange_id, self.run.symbol, book)
            except ccxt.OrderNotFound:  # Kraken Futures: ended more than 5 seconds ago
                pass
        if self.venue.finds_by_client_id:
            params = {"clientOrderId": row.client_order_id, **book}
            try:
                return self.read(self.client.fetch_order, None, self.run.symbol, params)
            except ccxt.OrderNotFound:
                return None
        return self._in_lists(row.client_order_id)

    def _in_lists(self, client_id: str) -> dict | None:
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

    def _placed_by_trigger(self, order: dict) -> dict:
        """A conditional order that triggered (Binance USDⓈ-M's algo order) sent a market
        order of its own, with its own id: the fills, the fee and the trades are that
        order's."""
        actual = (order.get("info") or {}).get("actualOrderId")
        if not self.venue.triggers_apart or actual in (None, "", 0, "0"):
            return order
        return self.read(self.client.fetch_order, str(actual), self.run.symbol)

    def _record(self, row: RunOrder, order: dict | None) -> None:
        """The exchange's word on an order: its state, and what it filled (one fill row per
        order, at its average price and with its whole fee). An ended order whose fills the
        exchange does not show yet is left as it was, to be looked up again."""
        if order is None:
            return
        order = self._placed_by_trigger(order)
        filled = float(order.get("filled") or 0.0)
        status = STATES.get(order.get("status") or "", Status.REJECTED)
        charged = None
        if filled > 0 and status != Status.OPEN and not RunFill.objects.filter(order=row).exists():
            # A resting safety order's fill is dated by its trades (_fill_bar).
            charged = self.order_charged(order, dated=row.kind == Kind.LIMIT)
            if charged is None:
                logger.warning("Run %s: order %s filled, no fills shown yet", row.run_id, row.pk)
                return
        row.status, row.filled, row.exchange_order_id = status, filled, str(order["id"])
        row.save(update_fields=["status", "filled", "exchange_order_id"])
        if charged is None:
            return
        # The fill and its notice in one commit: a worker killed between them would leave a
        # fill nobody is ever told of (a retry finds the fill, and sends no notice).
        with transaction.atomic():
            fill, created = RunFill.objects.get_or_create(
                order=row,
                bar_ms=self._fill_bar(row, charged),
                defaults={
                    "run": self.run,
                    "amount": filled,
                    "price": charged.price,
                    "reference": charged.price,
                    "fee": charged.fee,
                    "fee_currency": charged.currency,
                    "fee_charged": charged.charged,
                },
            )
            if created:
                notices.fill_recorded(fill)

    def _fill_bar(self, row: RunOrder, charged: Charged) -> int:
        """The bar a fill belongs to: a market order's is the open it was sent at; a resting
        safety order's, the bar its last trade happened in (when the exchange says when)."""
        if row.kind != Kind.LIMIT or charged.last_ms is None:
            return row.bar_ms
        step = timeframe_ms(self.run.timeframe)
        return max(row.bar_ms, row.bar_ms + (charged.last_ms - row.bar_ms) // step * step)

    def cancel_open(self) -> int:
        """Cancel the run's resting orders; how many."""
        cancelled = 0
        for row in RunOrder.objects.filter(run=self.run, status=Status.OPEN):
            self.cancel(row)
            cancelled += 1
        return cancelled

    def cancel(self, row: RunOrder) -> None:
        """Cancel a resting order, then record what it became (it may have filled first)."""
        # "Unknown order" (InvalidOrder): no longer resting, filled or cancelled meanwhile (by
        # a first try whose answer was lost, or with its OCO list); the lookup says which.
        # Unlike an order, a cancel is harmless to repeat: retried while the exchange is busy.
        with contextlib.suppress(ccxt.InvalidOrder):
            self.read(
                self.client.cancel_order,
                row.exchange_order_id,
                self.run.symbol,
                {"clientOrderId": row.client_order_id, **self._book(row)},
            )
        self._record(row, self._find(row))

    def resting_ours(self) -> list[dict]:
        """The exchange's open orders in the run's market that this run placed (by client id
        or the exchange's id): what must be empty before a stopped run is done with."""
        ids = RunOrder.objects.filter(run=self.run).values_list(
            "client_order_id", "exchange_order_id"
        )
        ours = {known for pair in ids for known in pair if known}
        books = [{}, {"trigger": True}] if self.venue.triggers_apart else [{}]
        return [
            order
            for book in books
            for order in self.read(self.client.fetch_open_orders, self.run.symbol, None, None, book)
            if order.get("clientOrderId") in ours or str(order.get("id")) in ours
        ]
