"""The engine: the decision pass now; the fill model, metrics and backtests build on it.

decide(document, candles) -> Signals   entry and exit signals per bar and direction
history_bars(document, timeframe)      closed bars to load before the first decision
"""

from strategies.engine.decide import Signals, decide
from strategies.engine.history import history_bars
from strategies.engine.timeframes import IncompatibleTimeframe

__all__ = ["IncompatibleTimeframe", "Signals", "decide", "history_bars"]
