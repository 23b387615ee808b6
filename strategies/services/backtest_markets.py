"""What ccxt's markets say about one market, as a backtest needs it: whether it exists, its
amount step and minimums, whether it can short, which timeframes its candles come in."""

from dataclasses import dataclass

import ccxt

from exchanges import clients
from exchanges.models import Exchange
from strategies.engine import Market


class MarketUnknown(LookupError):
    """The exchange has no such market."""


@dataclass(frozen=True)
class MarketFacts:
    symbol: str  # ccxt's unified spelling
    market: Market
    timeframes: frozenset[str]

    @property
    def allows_shorts(self) -> bool:
        return self.market.allows_shorts

    def has_timeframe(self, timeframe: str) -> bool:
        # An exchange that lists no timeframes is asked anyway (ccxt fills them for most).
        return not self.timeframes or timeframe in self.timeframes


def market_facts(exchange: Exchange, symbol: str) -> MarketFacts:
    """The market `symbol` (any case) of the exchange, from the shared markets cache (loaded
    once); MarketUnknown when there is none; ccxt's errors when the exchange cannot answer."""
    client = clients.build(exchange.ccxt_id)
    clients.ensure_markets(client)
    market = client.markets.get(symbol) or client.markets.get(symbol.strip().upper())
    if market is None:
        raise MarketUnknown(symbol)
    return MarketFacts(
        symbol=market["symbol"],
        market=Market(
            amount_step=_amount_step(client, market),
            min_amount=_limit(market, "amount"),
            min_cost=_limit(market, "cost"),
            allows_shorts=bool(market.get("swap") or market.get("future")),
        ),
        timeframes=frozenset(client.timeframes or ()),
    )


def _amount_step(client: ccxt.Exchange, market: dict) -> float | None:
    """ccxt's amount precision as a step: a tick size already, or a number of decimals."""
    precision = (market.get("precision") or {}).get("amount")
    if precision is None:
        return None
    if client.precisionMode == ccxt.TICK_SIZE:
        return float(precision)
    if client.precisionMode == ccxt.DECIMAL_PLACES:
        return 10.0 ** -int(precision)
    return None  # significant digits: no fixed step


def _limit(market: dict, name: str) -> float:
    value = ((market.get("limits") or {}).get(name) or {}).get("min")
    return float(value) if value else 0.0
