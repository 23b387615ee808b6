"""Short hand-made series and signals for the backtest tests."""

import numpy as np

from strategies.engine import FillModel, Market, Signals
from strategies.engine.fills import simulate
from strategies.rules.model import EquityFraction, Risk
from strategies.series import Candles

HOUR_MS = 3_600_000
START_MS = 1_704_067_200_000  # Monday 2024-01-01 00:00 UTC
NO_COSTS = FillModel(fee=0.0, slippage_bps=0.0, max_volume_share=0.0)


def bars(*rows: tuple[float, float, float, float], volume=None, timeframe="1h") -> Candles:
    """Candles from (open, high, low, close) rows, one hour apart (volume 1e9 unless given)."""
    table = np.array(rows, dtype=np.float64).reshape(-1, 4)
    count = len(table)
    volumes = np.full(count, 1e9) if volume is None else np.array(volume, dtype=np.float64)
    time = START_MS + HOUR_MS * np.arange(count, dtype=np.int64)
    opens, highs, lows, closes = (table[:, column].copy() for column in range(4))
    return Candles(timeframe, time, opens, highs, lows, closes, volumes)


def flat(count: int, price: float = 100.0) -> list[tuple[float, float, float, float]]:
    """Quiet bars: open and close at `price`, one unit of range either side."""
    return [(price, price + 1, price - 1, price)] * count


def signals(count: int, *, enter=(), exit_=(), enter_short=(), exit_short=()) -> Signals:
    def mask(where) -> np.ndarray:
        flags = np.zeros(count, dtype=bool)
        flags[list(where)] = True
        return flags

    return Signals(mask(enter), mask(enter_short), mask(exit_), mask(exit_short))


def run(
    candles,
    sig,
    *,
    risk=None,
    sizing=None,
    model=NO_COSTS,
    market=None,
    capital=1000.0,
    funding=None,
    reverse=False,
    ladder=None,
    anchors=None,
):
    return simulate(
        sig,
        candles,
        risk=risk or Risk(),
        sizing=sizing or EquityFraction(),
        model=model,
        market=market or Market(),
        capital=capital,
        funding=funding,
        reverse=reverse,
        ladder=ladder,
        anchors=anchors,
    )
