"""What ccxt's markets say about one market, as a backtest needs it: whether it exists, its
amount step and minimums, whether it can short, which timeframes its candles come in; and
the exchange's markets as the market field offers them.

A market is found by ccxt's unified symbol in any case, or by the exchange's own names for
it: its market id (Kraken's XXBTZUSD), its currencies under the exchange's codes (XBT/USD,
xbtusd), resolved through the market's ids and the exchange's `commonCurrencies`."""

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import ccxt
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from exchanges import clients
from exchanges.models import Exchange
from strategies.engine import Market
from strategies.services import backtest_errors as errors

CLOSE_MATCHES = _("Close matches: %(matches)s.")
SEE_ALL = _(
    "Type a few letters in this field to choose from its markets, or see them all at %(url)s."
)
MATCHES_SHOWN = 5
# What people put between base and quote (or around a settle currency): ignored when a
# spelling is compared with the exchange's names.
_SEPARATORS = re.compile(r"[\s/:_.\-]+")


class MarketUnknown(LookupError):
    """The exchange has no such market; `matches` are close ones, as unified symbols."""

    def __init__(self, symbol: str, matches: tuple[str, ...] = ()) -> None:
        super().__init__(symbol)
        self.symbol, self.matches = symbol, matches


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


def _client(exchange: Exchange) -> ccxt.Exchange:
    client = clients.build(exchange.ccxt_id)
    clients.ensure_markets(client)
    return client


def market_facts(exchange: Exchange, symbol: str) -> MarketFacts:
    """The market `symbol` (any case, or one of the exchange's own names for it) of the
    exchange, from the shared markets cache (loaded once); MarketUnknown when there is none;
    ccxt's errors when the exchange cannot answer."""
    client = _client(exchange)
    market = client.markets[resolve_symbol(client, symbol)]
    return MarketFacts(
        symbol=market["symbol"],
        market=Market(
            amount_step=_amount_step(client, market),
            min_amount=_limit(market, "amount"),
            min_cost=_limit(market, "cost"),
            allows_shorts=bool(market.get("swap") or market.get("future")),
            perpetual=bool(market.get("swap")),
        ),
        timeframes=frozenset(client.timeframes or ()),
    )


def resolve_symbol(client: ccxt.Exchange, typed: str) -> str:
    """ccxt's unified symbol for what a user typed; MarketUnknown, with close matches, when
    no market, or more than one, goes by that name."""
    text = typed.strip()
    for candidate in (text, text.upper()):
        if candidate in client.markets:
            return candidate
    names, loose = _names(client)
    key = _key(text)
    # A derivative's base/quote without its settle currency counts only when it is the
    # only market so named (BTC/USD on Kraken Futures: its perpetual).
    for found in (names.get(key, set()), loose.get(key, set())):
        if len(found) == 1:
            return next(iter(found))
        if found:
            raise MarketUnknown(typed, tuple(sorted(found))[:MATCHES_SHOWN])
    raise MarketUnknown(typed, _close_matches(names, key))


def markets_listed(exchange: Exchange) -> list[dict[str, object]]:
    """The exchange's active markets, by unified symbol, each with the exchange's own names
    for it; ccxt's errors when the exchange cannot answer."""
    client = _client(exchange)
    listed = []
    for symbol, market in sorted(client.markets.items()):
        if market.get("active") is False:
            continue
        own = _own_spellings(market) - {symbol}
        listed.append({"symbol": symbol, "type": market.get("type"), "aliases": sorted(own)})
    return listed


def unknown_market_text(exchange: Exchange, unknown: MarketUnknown) -> str:
    """Why the market was refused, its close matches, and where all the markets are."""
    shown = {"exchange": exchange.name, "symbol": unknown.symbol}
    sentences = [errors.error_message(errors.NO_MARKET, shown)]
    if unknown.matches:
        sentences.append(str(CLOSE_MATCHES) % {"matches": ", ".join(unknown.matches)})
    url = reverse("strategies:markets", kwargs={"exchange": exchange.slug})
    sentences.append(str(SEE_ALL) % {"url": url})
    return " ".join(sentences)


def _key(spelling: str) -> str:
    return _SEPARATORS.sub("", spelling).upper()


def _own_spellings(market: dict) -> set[str]:
    """The exchange's names for a market: its id, and Kraken's altname and wsname."""
    info = market.get("info") or {}
    spelled = {market.get("id"), info.get("altname"), info.get("wsname")}
    return {name for name in spelled if isinstance(name, str) and name}


def _names(client: ccxt.Exchange) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Every spelling of every market (separators dropped, upper case) -> its unified
    symbols; then a derivative's base/quote without its settle currency -> symbols."""
    codes: dict[str, set[str]] = defaultdict(set)  # unified currency -> the exchange's codes
    for theirs, ours in (client.commonCurrencies or {}).items():
        codes[ours].add(theirs)
    names: dict[str, set[str]] = defaultdict(set)
    loose: dict[str, set[str]] = defaultdict(set)
    for symbol, market in client.markets.items():
        bases = {market.get("base"), market.get("baseId"), *codes[market.get("base")]}
        quotes = {market.get("quote"), market.get("quoteId"), *codes[market.get("quote")]}
        pairs = {f"{b}/{q}" for b in _strings(bases) for q in _strings(quotes)}
        settle = market.get("settle")
        spelled = _own_spellings(market) | {symbol}
        if settle:
            spelled |= {f"{pair}:{settle}" for pair in pairs}
            for pair in pairs:
                loose[_key(pair)].add(symbol)
        else:
            spelled |= pairs
        for name in spelled:
            names[_key(name)].add(symbol)
    return names, loose


def _strings(values: Iterable[object]) -> set[str]:
    return {value for value in values if isinstance(value, str) and value}


def _close_matches(names: dict[str, set[str]], key: str) -> tuple[str, ...]:
    """Up to MATCHES_SHOWN unified symbols whose spellings are closest to `key` (difflib)."""
    matches: list[str] = []
    for close in difflib.get_close_matches(key, list(names), n=4 * MATCHES_SHOWN, cutoff=0.6):
        matches.extend(symbol for symbol in sorted(names[close]) if symbol not in matches)
    return tuple(matches[:MATCHES_SHOWN])


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
