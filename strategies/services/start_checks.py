"""What backtests and runs check the same way before starting: the document on the chosen
timeframe, the market at the exchange, the fill model's bounds. A refusal names the form field
it is about and says why in the user's language."""

import ccxt
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange, ExchangeKey, KeyStatus
from strategies import rules
from strategies.engine import FillModel, Market, ShortsNotAllowed
from strategies.engine.backtest import shorts_checked
from strategies.engine.fills.sizing import worst_case
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
FEE_NEEDED = _("Give the fee: your own candles come with none.")
DOCUMENT = _("This strategy cannot run on %(timeframe)s candles: %(problem)s")
LADDER_OVER_CAPITAL = _(
    "With every safety order filled, this strategy commits %(worst)s of the quote currency, "
    "more than the %(capital)s capital: raise the capital, or lower the amount or the ladder."
)


class StartRefused(ValueError):
    """Nothing was started; `message` says why, about the form's `field` ("" for none)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def fee_and_source(owner, exchange: Exchange | None, typed: float | None) -> tuple[float, dict]:
    """The fee to fill with, and where it came from (FillModelColumns.fee_source): the one
    typed; else the account's own taker fee, read with its newest green key on the exchange
    at its last connection test; else the exchange's public entry tier."""
    if typed is not None:
        return typed, {}
    if exchange is None:  # imported candles come with no exchange: the form asks for a fee
        raise StartRefused("fee", str(FEE_NEEDED))
    key = (
        ExchangeKey.objects.filter(
            user=owner, exchange=exchange, status=KeyStatus.OK, taker_fee__isnull=False
        )
        .order_by("-taker_fee_read_at")
        .first()
    )
    if key is not None and key.taker_fee is not None and key.taker_fee_read_at is not None:
        read_at = key.taker_fee_read_at.isoformat()
        return float(key.taker_fee), {"kind": "key", "label": key.label, "read_at": read_at}
    return float(exchange.spot_taker_fee / 100), {"kind": "entry"}


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


def checked_ladder(document: rules.Document, capital: float) -> None:
    """A ladder whose worst case (point 11) the capital cannot pay is refused: its deepest
    safety orders would be cancelled for want of cash. (An equity fraction's worst case is a
    share of the equity, which validation keeps within it.)"""
    if document.safety_orders is None:
        return
    worst = worst_case(document.sizing, document.safety_orders, capital)
    if worst > capital * (1 + 1e-9):
        shown = {"worst": number_format(worst, 2), "capital": number_format(capital, 2)}
        raise StartRefused("capital", str(LADDER_OVER_CAPITAL) % shown)


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
