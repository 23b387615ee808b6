"""What backtests and runs check the same way before starting: the document on the chosen
timeframe, the market at the exchange, the fill model's bounds. A refusal names the form field
it is about and says why in the user's language."""

import ccxt
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange
from strategies import rules
from strategies.engine import FillModel, Market, ShortsNotAllowed
from strategies.engine.backtest import shorts_checked
from strategies.models import CatalogEntry, StrategyVersion
from strategies.services import backtest_errors as errors
from strategies.services.backtest_markets import (
    MarketFacts,
    MarketUnknown,
    market_facts,
    unknown_market_text,
)

Source = CatalogEntry | StrategyVersion

TIMEFRAME = _("%(exchange)s has no %(timeframe)s candles.")
DOCUMENT = _("This strategy cannot run on %(timeframe)s candles: %(problem)s")


class StartRefused(ValueError):
    """Nothing was started; `message` says why, about the form's `field` ("" for none)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def fill_model(fee: float, slippage_bps: float, share: float, tie: str) -> FillModel:
    try:
        return FillModel(fee=fee, slippage_bps=slippage_bps, max_volume_share=share, tie=tie)
    except ValueError as error:  # the form's bounds keep users from here
        raise StartRefused("", str(error)) from None


def checked_shorts(document: rules.Document, market: Market) -> None:
    """The engine's rule on shorts (strategies.engine.backtest.shorts_checked), refused
    before anything is queued."""
    try:
        shorts_checked(document, market)
    except ShortsNotAllowed as refused:
        raise StartRefused("strategy", str(refused.message)) from None


def checked_document(text: str, timeframe: str) -> rules.Document:
    try:
        return rules.parse(text, base_timeframe=timeframe)
    except rules.DocumentError as refused:
        problem = {"timeframe": timeframe, "problem": refused.errors[0]}
        raise StartRefused("strategy", str(DOCUMENT) % problem) from None


def checked_market(exchange: Exchange, symbol: str, timeframe: str) -> MarketFacts:
    shown = {"exchange": exchange.name, "symbol": symbol, "timeframe": timeframe}
    try:
        facts = market_facts(exchange, symbol)
    except MarketUnknown as unknown:
        raise StartRefused("symbol", unknown_market_text(exchange, unknown)) from None
    except ccxt.BaseError as error:
        message = errors.error_message(errors.exchange_error_code(error), shown)
        raise StartRefused("exchange", message) from None
    if not facts.has_timeframe(timeframe):
        raise StartRefused("timeframe", str(TIMEFRAME) % shown)
    return facts


def source_name(source: Source) -> str:
    """How reports and runs name the strategy: the catalog slug, or "name (version n)"."""
    if isinstance(source, CatalogEntry):
        return source.slug
    return str(_("%(name)s (version %(number)s)")) % {
        "name": source.strategy.name,
        "number": source.number,
    }
