"""The strategies app's rows: the shipped catalog, and each user's own strategies."""

from strategies.models.backtests import Backtest, BacktestStatus, TieRule
from strategies.models.candles import CandleChunk, CandleSeries, CandleSource
from strategies.models.catalog import (
    Bias,
    CatalogEntry,
    CatalogEntryText,
    Category,
    Skill,
)
from strategies.models.mine import Strategy, StrategyVersion

__all__ = [
    "Backtest",
    "BacktestStatus",
    "Bias",
    "CandleChunk",
    "CandleSeries",
    "CandleSource",
    "CatalogEntry",
    "CatalogEntryText",
    "Category",
    "Skill",
    "Strategy",
    "StrategyVersion",
    "TieRule",
]
