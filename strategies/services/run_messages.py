"""Why a run stopped: translated sentences named by the code a run keeps (with its
parameters), so the page and the email say it in the reader's language, never as a trace."""

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from exchanges.diagnosis.verdicts import ADVICE, Verdict
from strategies.services import backtest_errors

STOPPED_BY_YOU = "stopped_by_you"
FLATTENED = "flattened"
KILLED_BY_YOU = "killed_by_you"
KILLED_BY_STAFF = "killed_by_staff"
KILLED_FOR_ALL = "killed_for_all"
PREPARE_FAILED = "prepare_failed"
PREPARE_TIME_LIMIT = "prepare_time_limit"
DOCUMENT = "document"
OURS = "our_error"
KEY_REFUSED = "key_refused"
UNRECONCILED = "unreconciled"
ANOTHER_PROGRAM = "another_program"
POSITION_OPEN = "position_open"
HEDGE_MODE = "hedge_mode"
# Why the cancel of an ended live run's orders has not been confirmed yet.
CANCEL_EXCHANGE = "cancel_exchange"
CANCEL_STILL_RESTING = "cancel_still_resting"
CANCEL_KEY_REFUSED = "cancel_key_refused"
CANCEL_OURS = "cancel_our_error"
CANCEL_GIVEN_UP = "cancel_given_up"  # shown for CANCEL_KEY_REFUSED once retries have ended
# Alerts: said on the run's page while it goes on.
FOREIGN_TRADES = "foreign_trades"
THIN_MARKET = "thin_market"
VENUE_NOT_LIVE = "venue_not_live"
GOVERNOR_HELD = "governor_held"  # params: the breach's id, worded by governor_words
GOVERNOR_UNCHECKED = "governor_unchecked"
EXPOSURE_HELD = "exposure_held"

MESSAGES = {
    STOPPED_BY_YOU: _("You stopped this run."),
    FLATTENED: _("You asked to close the position and stop: the position is closed."),
    KILLED_BY_YOU: _("You stopped all your runs at once."),
    KILLED_BY_STAFF: _("Noon Barbari's staff stopped your runs (a kill switch on your account)."),
    KILLED_FOR_ALL: _(
        "Noon Barbari's staff stopped every run on the platform at once (the global kill "
        "switch). Nothing is wrong with your settings; start the run again when you wish."
    ),
    PREPARE_FAILED: _(
        "The run could not load the candles it needs before its first decision: %(reason)s"
    ),
    PREPARE_TIME_LIMIT: _(
        "Loading the candles the run needs before its first decision went past the "
        "%(minutes)s-minute limit, and the run stopped. What was loaded is kept: start it "
        "again to go on from there."
    ),
    DOCUMENT: _("The strategy's document cannot run on %(timeframe)s candles: %(problem)s"),
    OURS: _(
        "The run stopped because of an error on our side, not yours. It has been logged; start "
        "it again later."
    ),
    KEY_REFUSED: _(
        "The exchange refused the key this run trades with. %(advice)s Your key's page tests "
        "it again and links to the guide."
    ),
    UNRECONCILED: _(
        "The account does not hold what this run's orders add up to (%(expected)s expected, "
        "%(actual)s held), and no trade explains it: the run stopped rather than trade on a "
        "wrong belief. Check the account on the exchange before starting again."
    ),
    ANOTHER_PROGRAM: _(
        "Another program uses this key: trades the run did not place changed the account "
        "(%(expected)s expected, %(actual)s held). The run stopped rather than trade on a wrong "
        "belief. Give each program its own key."
    ),
    POSITION_OPEN: _(
        "The account already holds a position of %(held)s in this contract. A live run on a "
        "futures market starts without one, because the orders that close its own position "
        "would close yours. Close it on the exchange (or use another account), then start "
        "again."
    ),
    HEDGE_MODE: _(
        "The account holds long and short positions apart (hedge mode). A live run closes its "
        "position with reduce-only orders on one position per contract: switch the account to "
        "one-way mode on the exchange (with no position or order open), then start again."
    ),
    FOREIGN_TRADES: _(
        "Another program uses this key: %(count)d trades on this market were not placed by "
        "this run. Give each program its own key."
    ),
    VENUE_NOT_LIVE: _(
        "%(exchange)s does not trade live on Noon Barbari (not, or no longer, verified for "
        "this kind of market): live runs trade on %(venues)s. The run stopped before sending "
        "anything more; its resting orders are cancelled."
    ),
    THIN_MARKET: _(
        "An entry was not sent: this market traded %(volume)s in the last 24 hours, under the "
        "%(minimum)s a live run requires (thin markets are where a stolen key drains an "
        "account)."
    ),
    GOVERNOR_UNCHECKED: _(
        "An entry was not sent: your risk limits could not be checked at that moment (it is "
        "logged). The run enters at its next signal once they can."
    ),
    EXPOSURE_HELD: _(
        "An entry worth %(value)s was not sent: your maximum exposure leaves room for "
        "%(room)s more across your live runs."
    ),
}

CANCEL_MESSAGES = {
    "": _(
        "This run no longer trades. Its orders resting at %(exchange)s are being cancelled; "
        "this page says when the exchange shows none of them open."
    ),
    CANCEL_EXCHANGE: _(
        "An order of this run may still rest at %(exchange)s: the exchange did not answer our "
        "cancel (attempts so far: %(attempts)d). We try again at %(next)s UTC; you can also "
        "cancel it on the exchange."
    ),
    CANCEL_STILL_RESTING: _(
        "%(exchange)s still shows an order of this run open after our cancel (attempts so far: "
        "%(attempts)d). We try again at %(next)s UTC; you can also cancel it on the "
        "exchange."
    ),
    CANCEL_KEY_REFUSED: _(
        "An order of this run may still rest at %(exchange)s, and the exchange now refuses the "
        "key this run traded with, so we cannot cancel it: cancel it on the exchange yourself. "
        "We try again at %(next)s UTC."
    ),
    CANCEL_GIVEN_UP: _(
        "We could not cancel this run's orders at %(exchange)s: the exchange kept refusing "
        "the key this run traded with (%(attempts)d attempts). Check on the exchange whether "
        "an order of this run still rests, and cancel it there."
    ),
    CANCEL_OURS: _(
        "An order of this run may still rest at %(exchange)s: an error on our side stopped "
        "the cancel (it is logged). We try again at %(next)s UTC; you can also cancel it on "
        "the exchange."
    ),
}

LIFTED = _("An entry was held back on %(when)s UTC by a risk limit (%(limit)s), lifted since.")

# Stops the owner chose: the email about them is a receipt, not an alarm.
CHOSEN = frozenset({STOPPED_BY_YOU, FLATTENED, KILLED_BY_YOU})


def stop_message(code: str, params: dict) -> str:
    """The sentence of a stored stop (or alert), in the active language."""
    if code == GOVERNOR_HELD:
        return _breach_sentence(params.get("breach"))
    template = MESSAGES.get(code, MESSAGES[OURS])
    params = dict(params)
    if "reason_code" in params:  # a backtest_errors code for a failure reaching the exchange
        params["reason"] = backtest_errors.error_message(params.pop("reason_code"), params)
    if "verdict" in params:  # a connection test's verdict about the key
        params["advice"] = ADVICE.get(Verdict(params.pop("verdict")), "")
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(MESSAGES[OURS])


def _breach_sentence(breach_id: int | None) -> str:
    from strategies.models import RiskBreach  # the ORM, for this one message only
    from strategies.services.governor_words import breach_sentence

    rows = RiskBreach.objects.select_related("limits__key")
    breach = rows.filter(pk=breach_id).first() if isinstance(breach_id, int) else None
    if breach is None:
        return str(MESSAGES[OURS])
    if breach.cleared_at is not None:
        return str(LIFTED) % {
            "when": date_format(breach.at, "SHORT_DATETIME_FORMAT"),
            "limit": breach.get_kind_display(),
        }
    return breach_sentence(breach)
