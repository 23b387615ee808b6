"""What the exchange charged for a live run's fills, in the run's quote currency.

Kraken Spot says an order's fee on the order; Kraken Futures in the account log (its fills
carry none); Binance on each fill (myTrades' commission), in the asset it took the fee from:
the quote on a sale, the coins bought on a purchase, or BNB when the account pays fees in
BNB. A fee in the base is worth the fill's price; one in a third asset is converted at that
asset's last price in the quote currency, read when the fee is recorded (within the tick that
learns of the fill), and the asset and amount charged are kept beside the converted fee.
LiveBroker mixes this in: `read`, `client`, `run`, `market` and `venue` are the broker's.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ccxt

from exchanges.trading import VenueTrading
from strategies.models import StrategyRun


@dataclass(frozen=True)
class Fee:
    value: float  # in the run's quote currency
    currency: str  # the asset the exchange charged (the quote, the base, or another)
    amount: float  # how much of it


@dataclass(frozen=True)
class Charged:
    """An ended order's average price and fee (quote currency), and where the exchange took
    the fee from another asset, that asset and the amount: the base first (the account holds
    that much less than the fills), else the other asset."""

    price: float
    fee: float
    currency: str = ""
    charged: float | None = None
    last_ms: int | None = None  # when its last trade happened, where the exchange says


class LiveCharges:
    run: StrategyRun
    client: ccxt.Exchange
    market: dict[str, Any]
    venue: VenueTrading
    read: Callable[..., Any]

    def order_charged(self, order: dict, *, dated: bool = False) -> Charged | None:
        """An ended order's price and fee: from the order when the exchange says both in the
        quote currency (Kraken Spot), else from its fills (None while none is shown), which
        also say when the last of them happened (`dated`: read them for that)."""
        fee = order.get("fee") or {}
        said = order.get("average") and fee.get("cost") is not None
        quoted = fee.get("currency") in (None, self.market["quote"])
        if said and quoted and not self.venue.fee_from_ledger and not dated:
            return Charged(float(order["average"]), float(fee["cost"]))
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
        last_ms = max((int(t["timestamp"]) for t in fills if t.get("timestamp")), default=None)
        fees = self.trade_fees(fills, since).values()
        total = sum(f.value for f in fees)
        for asset in (self.market["base"], *{f.currency for f in fees}):
            if asset != self.market["quote"] and any(f.currency == asset for f in fees):
                charged = sum(f.amount for f in fees if f.currency == asset)
                return Charged(price, total, asset, charged, last_ms)
        return Charged(price, total, last_ms=last_ms)

    def fees_charged(self, trades: list[dict], since_ms: int) -> dict[str, float]:
        """Each trade's fee (by trade id) in the quote currency."""
        return {trade_id: fee.value for trade_id, fee in self.trade_fees(trades, since_ms).items()}

    def trade_fees(self, trades: list[dict], since_ms: int) -> dict[str, Fee]:
        """Each trade's fee (by trade id) as the account was charged it: the trade's own, or
        the account ledger's entry for that execution where trades carry none (the venue's
        `fee_from_ledger`)."""
        quote = self.market["quote"]
        if self.venue.fee_from_ledger:
            charged = {str(t["id"]): 0.0 for t in trades}
            if charged:
                for entry in self.read(self.client.fetch_ledger, None, since_ms):
                    execution = str(entry.get("referenceId"))
                    if execution in charged:
                        charged[execution] += float((entry.get("fee") or {}).get("cost") or 0.0)
            return {trade_id: Fee(cost, quote, cost) for trade_id, cost in charged.items()}
        fees, prices = {}, {quote: 1.0}  # a third asset's price, read once for all trades
        for trade in trades:
            fee = trade.get("fee") or {}
            cost = float(fee.get("cost") or 0.0)
            currency = fee.get("currency") or quote
            if currency == self.market["base"]:
                price = float(trade["price"])
            else:
                if cost and currency not in prices:
                    prices[currency] = self._price(currency)
                price = prices.get(currency, 0.0)
            fees[str(trade["id"])] = Fee(cost * price, currency, cost)
        return fees

    def _price(self, currency: str) -> float:
        """The last price of `currency` in the run's quote currency (one request)."""
        symbol = f"{currency}/{self.market['quote']}"
        if symbol not in (self.client.markets or {}):
            raise ccxt.BadSymbol(f"{self.client.id} lists no {symbol} to value a fee paid in it")
        return float(self.read(self.client.fetch_ticker, symbol)["last"])
