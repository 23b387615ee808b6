"""The strategies app's rows: the shipped catalog, and each user's own strategies."""

from strategies.models.backtests import Backtest, BacktestStatus
from strategies.models.candle_imports import CandleImport
from strategies.models.candles import CandleChunk, CandleSeries, CandleSource, WarmMarket
from strategies.models.catalog import (
    Bias,
    CatalogEntry,
    CatalogEntryText,
    Category,
    Skill,
)
from strategies.models.fill_columns import TieRule
from strategies.models.funding import FundingRate, FundingSeries
from strategies.models.governor import LOSS_BREACHES, BreachKind, RiskBreach, RiskLimits
from strategies.models.long_jobs import (
    CandleFill,
    CandleFillStatus,
    LongJob,
    LongJobKind,
    MeasuredRate,
)
from strategies.models.mine import Strategy, StrategyVersion
from strategies.models.notices import NoticeKind, RunNotice
from strategies.models.runs import (
    ACTIVE_RUN,
    RunBar,
    RunDecision,
    RunFill,
    RunFunding,
    RunMode,
    RunOrder,
    RunStatus,
    RunTrade,
    StrategyRun,
)
from strategies.models.studies import ACTIVE_STUDY, Study, StudyFold, StudyMethod, StudyStatus

__all__ = [
    "ACTIVE_RUN",
    "ACTIVE_STUDY",
    "LOSS_BREACHES",
    "Backtest",
    "BacktestStatus",
    "Bias",
    "BreachKind",
    "CandleChunk",
    "CandleFill",
    "CandleFillStatus",
    "CandleImport",
    "CandleSeries",
    "CandleSource",
    "CatalogEntry",
    "CatalogEntryText",
    "Category",
    "FundingRate",
    "FundingSeries",
    "LongJob",
    "LongJobKind",
    "MeasuredRate",
    "NoticeKind",
    "RiskBreach",
    "RiskLimits",
    "RunBar",
    "RunDecision",
    "RunFill",
    "RunFunding",
    "RunMode",
    "RunNotice",
    "RunOrder",
    "RunStatus",
    "RunTrade",
    "Skill",
    "Strategy",
    "StrategyRun",
    "StrategyVersion",
    "Study",
    "StudyFold",
    "StudyMethod",
    "StudyStatus",
    "TieRule",
    "WarmMarket",
]
