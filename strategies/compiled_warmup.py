"""Every compiled function loaded (or compiled, after a deploy that changed their sources)
before a worker takes a task.

A first use compiles them into numba's cache, about ten seconds on this machine and more on a
busy one; inside a run's tick that is half the default cluster's 20-second limit, and a tick
killed by it is handed out again only after its retry delay, late for its bar. `bin/up` warms
them (manage.py warm_compiled) before it starts the clusters, and a deploy should too. Runs
the engine and the candle reader on a small synthetic market in the ways the site calls them:
long only and long and short, with and without an entry trigger, spot and a perpetual with
funding, a plain file and one with a value past the parser's fast path.
"""

import time
from pathlib import Path

import numpy as np

from strategies import rules
from strategies.candles_csv import read_candles
from strategies.engine import FillModel, Market, backtest
from strategies.series import Candles

CONTENT = Path(__file__).resolve().parent / "content"
BARS = 2_000
MINUTE_MS = 60_000


def warm() -> float:
    """Seconds it took to make every compiled function ready in this process."""
    started = time.monotonic()
    candles = _market(BARS)
    model = FillModel(fee=0.001, slippage_bps=5)
    for slug, market, funding in (
        ("ema-crossover", Market(amount_step=1e-8), None),
        ("trend-pullback", Market(amount_step=1e-8), None),  # an entry trigger's wait
        ("super_trend", Market(allows_shorts=True, perpetual=True), np.full(BARS, 1e-5)),
    ):
        document = rules.parse((CONTENT / slug / "strategy.yaml").read_text(), base_timeframe="1m")
        backtest(document, candles, capital=10_000.0, model=model, market=market, funding=funding)
    read_candles(_csv(candles.slice(0, 50)))
    return time.monotonic() - started


def _market(bars: int) -> Candles:
    rng = np.random.default_rng(0)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.001, bars)))
    open_ = np.concatenate(([100.0], close[:-1]))
    high, low = np.maximum(open_, close) * 1.0005, np.minimum(open_, close) * 0.9995
    times = 1_704_067_200_000 + MINUTE_MS * np.arange(bars, dtype=np.int64)
    return Candles("1m", times, open_, high, low, close, np.full(bars, 10.0))


def _csv(candles: Candles) -> bytes:
    """A file as exporters write it, plus one 20-digit value (the slow path's conversion)."""
    lines = ["timestamp,open,high,low,close,volume"]
    for row in zip(
        candles.time, candles.open, candles.high, candles.low, candles.close, strict=True
    ):
        lines.append(f"{int(row[0])},{row[1]:.2f},{row[2]:.2f},{row[3]:.2f},{row[4]:.2f},1.5")
    lines[-1] = lines[-1].rsplit(",", 1)[0] + ",1.2345678901234567890"
    return ("\n".join(lines) + "\n").encode()
