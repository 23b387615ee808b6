"""What a study tells its user when it is refused or fails: translated sentences, each named by
a code a Study row keeps (with its parameters), as backtests do."""

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

NOT_FINISHED = "not_finished"
NO_FOLDS = "no_folds"
NO_CANDLES = "no_candles"
NO_FUNDING = "no_funding"
INTERRUPTED = "interrupted"
OURS = "our_error"

MESSAGES = {
    NOT_FINISHED: _("Only a finished backtest can be studied: wait for its report."),
    NO_FOLDS: _(
        "The period is too short for one fold of %(in_sample)s days to choose and %(out)s "
        "days to trade: pick shorter windows or backtest a longer period first."
    ),
    NO_CANDLES: _(
        "The candles this backtest read are gone (an import deleted since): backtest again, "
        "then study the new report."
    ),
    NO_FUNDING: _(
        "The exchange did not give this perpetual's funding rates, which its trades pay or "
        "receive: try again in a few minutes."
    ),
    INTERRUPTED: _(
        "The study stopped before its end (the worker running it was stopped twice). Start "
        "it again from its backtest."
    ),
    OURS: _("The study failed because of an error on our side; we have been told. Try again."),
}

# The parameter space's refusals (strategies.engine.study.space.SpaceError codes).
SPACE_MESSAGES = {
    "unknown_path": _("“%(path)s” is not a number of this strategy that a study can vary."),
    "bad_range": _(
        "%(path)s: the range needs a lowest value at most the highest one and a step above 0."
    ),
    "not_integer": _("%(path)s takes whole numbers: its range and step must be whole too."),
    "out_of_range": _("%(path)s must stay between %(lowest)s and %(highest)s."),
    "too_many": _(
        "That is %(count)s combinations to try in every fold; at most %(most)s: take larger "
        "steps or vary fewer numbers."
    ),
    "bad_constraint": _("“%(text)s” is not a constraint such as “fast.period < slow.period”."),
    "constraint_unknown_path": _("“%(text)s” names a number the study does not vary."),
    "same_path_twice": _("Each number can be varied once."),
    "nothing_to_try": _("No combination meets the constraints: nothing would be tried."),
}


def error_message(code: str, params: dict) -> str:
    """The sentence for a stored failure code (an unknown one reads as our error)."""
    text = MESSAGES.get(code) or SPACE_MESSAGES.get(code) or MESSAGES[OURS]
    shown = {
        name: number_format(value, force_grouping=True)
        if isinstance(value, int) and not isinstance(value, bool)
        else value
        for name, value in params.items()
    }
    try:
        return str(text) % shown
    except (KeyError, TypeError, ValueError):
        return str(MESSAGES[OURS])
