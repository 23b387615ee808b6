"""Kraken Futures' funding history: /derivatives/api/v4/historicalfundingrates?symbol=PF_...

Kraken answers every rate since the contract was listed, oldest first, each with its time,
`relativeFundingRate` (the fraction of a position's notional paid by longs to shorts when
positive; what ccxt reads) and `fundingRate` (the same in USD per contract). The rates are
the funding book's (funding_book.relative_rate).
"""

from __future__ import annotations

from datetime import UTC, datetime

from exchanges.sandbox.funding_book import HOUR, relative_rate
from exchanges.sandbox.futures_common import Call, server_time

LISTED = int(datetime(2022, 1, 1, tzinfo=UTC).timestamp())  # the instruments' openingDate
# What `fundingRate` (USD per contract) is computed from: the sandbox's reference price of the
# underlying, not the hour's price (which ccxt never reads, and which would cost a price walk
# per hour of history).
REFERENCE_PRICE = {"PF_XBTUSD": 60_000.0, "PF_ETHUSD": 3_000.0}


def historical_funding_rates(call: Call) -> dict:
    instrument = call.instrument()
    last_hour = int(call.now // HOUR)
    rates = []
    for hour in range(LISTED // HOUR, last_hour + 1):
        relative = relative_rate(instrument.symbol, hour)
        rates.append(
            {
                "timestamp": datetime.fromtimestamp(hour * HOUR, UTC).strftime(
                    "%Y-%m-%dT%H:%M:%S.000Z"
                ),
                "fundingRate": relative * REFERENCE_PRICE[instrument.symbol],
                "relativeFundingRate": relative,
            }
        )
    return {"result": "success", "rates": rates, "serverTime": server_time(call.now)}
