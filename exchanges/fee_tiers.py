"""The account's own taker fee, read with its key: ccxt's fetch_trading_fee (one market, as
Kraken Spot's TradeVolume answers) or fetch_trading_fees (every market, as Kraken Futures'
fee schedules and the account's volume give them). Volume tiers make it lower than the
public entry tier a backtest would otherwise assume.
"""

import logging
from collections import Counter
from decimal import Decimal

import ccxt

from exchanges import trading

logger = logging.getLogger(__name__)

# The market whose fee stands for the account's: the most traded, where the exchange has it.
REFERENCE_SYMBOLS = ("BTC/USD", "BTC/USD:USD", "BTC/USDT", "BTC/USDT:USDT", "BTC/EUR")


def read_taker_fee(client: ccxt.Exchange) -> Decimal | None:
    """The key's taker fee as a fraction, or None when the exchange cannot say (no such
    endpoint, a refusal, an answer without it): a fee tier is a default, never a verdict."""
    venue = trading.venue_of(client.id)  # read only where the sandbox models the answer
    if venue is None or not venue.fee_tier_readable:
        return None
    try:
        if client.has.get("fetchTradingFee") is True:
            fee = client.fetch_trading_fee(_reference(client))
        elif client.has.get("fetchTradingFees") is True:
            fees = client.fetch_trading_fees()
            fee = fees.get(_reference(client)) or _most_common(fees)
        else:
            return None
    except ccxt.BaseError as error:
        logger.info("%s: no fee tier read: %s", client.id, type(error).__name__)
        return None
    taker = (fee or {}).get("taker")
    return None if taker is None else Decimal(str(taker))


def _reference(client: ccxt.Exchange) -> str:
    markets = client.markets or {}
    return next((s for s in REFERENCE_SYMBOLS if s in markets), next(iter(markets), ""))


def _most_common(fees: dict) -> dict | None:
    takers = Counter(fee.get("taker") for fee in fees.values() if fee.get("taker") is not None)
    if not takers:
        return None
    return {"taker": takers.most_common(1)[0][0]}
