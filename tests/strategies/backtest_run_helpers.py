"""Helpers for the backtest-run tests: the sandbox as Kraken, the form's fields, a period of
whole UTC days that ended before now, and the venue's own candles."""

import time
from datetime import UTC, date, datetime, timedelta

from strategies.series import Candles

HOUR_MS = 3_600_000
DAY_MS = 86_400_000


def days_ago(count: int) -> date:
    return datetime.now(UTC).date() - timedelta(days=count)


def day_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def form_data(**changes: object) -> dict[str, object]:
    """The form filled as a user would: ema-crossover on Kraken's BTC/USD, 1h, the three whole
    days before today, 10,000 USD, the exchange's fee (left empty), no slippage."""
    data: dict[str, object] = {
        "strategy": "catalog:ema-crossover",
        "exchange": "kraken",
        "symbol": "BTC/USD",
        "timeframe": "1h",
        "start": days_ago(3).isoformat(),
        "end": days_ago(1).isoformat(),
        "capital": "10000",
        "fee": "",
        "slippage_bps": "0",
        "max_volume_share": "10",
        "tie": "stop_first",
    }
    return data | changes


def venue_hours(venue, start_ms: int, count: int) -> Candles:
    """`count` hourly candles of the venue's XXBTZUSD from `start_ms`, read from the venue's
    own market (not through ccxt nor the store)."""
    rows = venue.state.market.candles("XXBTZUSD", 60, time.time(), start_ms / 1000 - 3600, count)
    assert rows
    assert rows[0].time * 1000 == start_ms
    return Candles.from_rows(
        "1h",
        [
            (
                c.time * 1000,
                float(c.open),
                float(c.high),
                float(c.low),
                float(c.close),
                float(c.volume),
            )
            for c in rows
        ],
    )
