"""What the live broker reads of the account: the holding in the run's market, the trades no
run placed, the reconciliation of both with the run's fills, the funding booked on a
perpetual, and the position mode. Each venue answers in its own way; the venue's row of
exchanges.trading says where each figure is (LiveBroker mixes this in: `read`, `client`,
`run`, `market`, `derivative` and `venue` are the broker's)."""

from collections.abc import Callable
from typing import Any

import ccxt

from exchanges.trading import VenueTrading
from strategies.models import RunOrder, StrategyRun


class Unreconciled(Exception):
    """The account does not hold what the run's fills say: `code` and `params` for the run's
    stop message (strategies.services.run_messages)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


class LiveAccount:
    run: StrategyRun
    client: ccxt.Exchange
    market: dict[str, Any]
    derivative: bool
    venue: VenueTrading
    read: Callable[..., Any]

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

    def hedged(self) -> bool:
        """Whether the account holds long and short positions apart (Binance's hedge mode),
        where the venue lets the key read it. A run's closing orders are reduce-only on one
        signed position: it refuses such an account."""
        if not (self.derivative and self.venue.position_mode_readable):
            return False
        mode = self.read(self.client.fetch_position_mode, self.run.symbol)
        return bool(mode.get("hedged"))

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

    def funding_booked(self, since_ms: int) -> list[tuple[int, float, float | None]]:
        """The funding the exchange booked on the run's contract since `since_ms`: (time ms,
        amount received, negative when paid, rate when the venue says it). Nothing on a spot
        market."""
        if not self.derivative or self.venue.funding_from == "":
            return []
        if self.venue.funding_from == "income":  # Binance: FUNDING_FEE rows of the income
            entries = self.read(self.client.fetch_funding_history, self.run.symbol, since_ms)
            return [(int(e["timestamp"]), float(e.get("amount") or 0.0), None) for e in entries]
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
