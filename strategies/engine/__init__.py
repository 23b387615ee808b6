"""The engine: the decision pass now; the fill model, metrics and backtests build on it.

decide(document, candles) -> Signals   entry and exit signals per bar and direction
indicator_values(document, candles)    what the rules see, per "alias.output"
history_bars(document, timeframe)      closed bars to load before the first decision
"""

from strategies.engine.decide import Signals, decide, indicator_values
from strategies.engine.history import history_bars
from strategies.engine.timeframes import IncompatibleTimeframe

__all__ = ["IncompatibleTimeframe", "Signals", "decide", "history_bars", "indicator_values"]
