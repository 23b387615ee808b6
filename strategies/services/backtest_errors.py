"""What a backtest tells its user when it is refused or fails: translated sentences, each
named by a code a Backtest row keeps (with its parameters) instead of a traceback."""

import ccxt
from django.utils.translation import gettext_lazy as _

from strategies.engine.fills.model import SHORTS_ON_SPOT

EXCHANGE_UNAVAILABLE = "exchange_unavailable"
EXCHANGE_ERROR = "exchange_error"
NO_MARKET = "no_market"
NO_DATA = "no_data"
SHORTS = "shorts_on_spot"
DOCUMENT = "document"
INTERRUPTED = "interrupted"
TIME_LIMIT = "time_limit"
OURS = "our_error"

MESSAGES = {
    EXCHANGE_UNAVAILABLE: _(
        "%(exchange)s did not answer in time or is under maintenance. Nothing is wrong with "
        "your settings: try again in a few minutes."
    ),
    EXCHANGE_ERROR: _(
        "%(exchange)s refused to give its market data. Try again later; if it keeps "
        "happening, pick another exchange."
    ),
    NO_MARKET: _("%(exchange)s has no market %(symbol)s (any more)."),
    NO_DATA: _(
        "%(exchange)s has no %(timeframe)s candles of %(symbol)s in this period: nobody traded "
        "it then, or the market did not exist yet. Pick a later period."
    ),
    SHORTS: SHORTS_ON_SPOT,
    DOCUMENT: _("The strategy's document cannot run on %(timeframe)s candles: %(problem)s"),
    INTERRUPTED: _(
        "The backtest stopped before its end (the worker running it was stopped). Start it "
        "again: candles already fetched are kept."
    ),
    TIME_LIMIT: _(
        "The backtest went past the %(minutes)s-minute limit for long work and was stopped, "
        "with %(kept)s %% of the candles it needed fetched. They are kept: submitting it again "
        "starts from there, and a shorter period or a longer timeframe needs less."
    ),
    OURS: _(
        "The backtest failed because of an error on our side, not yours. It has been logged; "
        "try again later."
    ),
}


def error_message(code: str, params: dict) -> str:
    """The sentence of a stored failure, in the active language."""
    template = MESSAGES.get(code, MESSAGES[OURS])
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(MESSAGES[OURS])


def exchange_error_code(error: ccxt.BaseError) -> str:
    """A ccxt error as one of our codes: the exchange out of reach, a market gone, or refusal."""
    if isinstance(error, ccxt.BadSymbol):
        return NO_MARKET
    if isinstance(error, ccxt.NetworkError | ccxt.ExchangeNotAvailable):
        return EXCHANGE_UNAVAILABLE
    return EXCHANGE_ERROR
