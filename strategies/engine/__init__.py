"""The engine: the decision pass, the fill model, the statistics, and backtests over them.

decide(document, candles) -> Signals   entry and exit signals per bar and direction
indicator_values(document, candles)    what the rules see, per "alias.output"
history_bars(document, timeframe)      closed bars to load before the first decision
backtest(document, candles, *, capital, model=FillModel(), market=Market()) -> Backtest
    decisions, fills (strategies.engine.fills states the fill model) and statistics
    (strategies.engine.metrics defines each)
"""

from strategies.engine.backtest import Backtest, backtest, trade_json
from strategies.engine.decide import Signals, decide, indicator_values
from strategies.engine.fills import STATEMENT, FillModel, Market, ShortsNotAllowed, Trade
from strategies.engine.history import history_bars
from strategies.engine.metrics import Stats
from strategies.engine.timeframes import IncompatibleTimeframe

__all__ = [
    "STATEMENT",
    "Backtest",
    "FillModel",
    "IncompatibleTimeframe",
    "Market",
    "ShortsNotAllowed",
    "Signals",
    "Stats",
    "Trade",
    "backtest",
    "decide",
    "history_bars",
    "indicator_values",
    "trade_json",
]
