"""A daily series whose best take-profit is known by hand, for the search and walk-forward tests.

Every five days one cycle: quiet at 99, a close at 100 (the entry rule, close crossing above
99.5, fires), a bar at 100 (the entry fills at its open: 100), a bar up to a peak, then a bar
down to 99. With no fee, no slippage and the whole equity in each trade, a take-profit of tp
at or below the peak's rise exits at 100 (1 + tp): the cycle makes exactly tp. A higher one is
never reached; the 0.5 % stop exits the next bar at 99.5: the cycle loses 0.5 %. The peak
rises 10 % in regime A and 20 % in regime B (each peak half a point above, so that a target of
exactly 10 % or 20 %, a float a hair above 110 or 120, is inside the bar).
"""

import numpy as np

from strategies import rules
from strategies.engine import FillModel, Market
from strategies.engine.study.search import Setting
from strategies.series import Candles

DAY_MS = 86_400_000
START_MS = 1_704_067_200_000  # 2024-01-01 00:00 UTC
CAPITAL = 10_000.0
NO_COSTS = FillModel(fee=0.0, slippage_bps=0.0, max_volume_share=0.0)
CYCLE_DAYS = 5
STOP = 0.005

TAKE_PROFIT_DOCUMENT = """
name: take-profit-grid
entry: {lhs: {bar: close}, op: crosses_up, rhs: {value: 99.5}}
risk: {take_profit_pct: 0.1, stop_loss_pct: 0.005}
sizing: {kind: equity_fraction, fraction: 1.0}
"""


def cycle(rise: float) -> list[tuple[float, float, float, float]]:
    """One cycle's five daily bars (open, high, low, close) with a peak `rise` above 100."""
    peak = 100 * (1 + rise)
    return [
        (99.0, 99.0, 99.0, 99.0),
        (99.0, 100.0, 99.0, 100.0),
        (100.0, 100.0, 100.0, 100.0),
        (100.0, peak + 0.5, 100.0, peak + 0.5),
        (peak + 0.5, peak + 0.5, 99.0, 99.0),
    ]


def regimes(*spans: tuple[int, float]) -> Candles:
    """Daily candles: for each (days, rise), that many days of cycles peaking `rise` up."""
    rows = []
    for days, rise in spans:
        rows += cycle(rise) * (days // CYCLE_DAYS)
    table = np.array(rows, dtype=np.float64)
    times = START_MS + DAY_MS * np.arange(len(table), dtype=np.int64)
    opens, highs, lows, closes = (table[:, index].copy() for index in range(4))
    return Candles("1d", times, opens, highs, lows, closes, np.full(len(table), 1e9))


def setting(candles: Candles, objective: str = "return") -> Setting:
    return Setting(
        document=rules.parse(TAKE_PROFIT_DOCUMENT),
        candles=candles,
        capital=CAPITAL,
        model=NO_COSTS,
        market=Market(),
        objective=objective,
    )
