"""The words of sentences: whole translatable templates, one per construction.

French uses "tu" and phrasings that need no agreement with the subject's gender (an
indicator's label has no article), hence "dépasse", "est sous", "vaut".
"""

from strategies.i18n import gettext_lazy as _
from strategies.i18n import ngettext_lazy, pgettext_lazy

ENTER = {
    "long": _("Enter long when %(condition)s."),
    "short": _("Enter short when %(condition)s."),
}
TRIGGER = {
    "any": ngettext_lazy(
        "After an entry signal, wait up to %(count)s bar until %(condition)s, then enter; "
        "without it, the signal expires.",
        "After an entry signal, wait up to %(count)s bars until %(condition)s, then enter; "
        "without it, the signal expires.",
        "count",
    ),
    "long": ngettext_lazy(
        "After a long entry signal, wait up to %(count)s bar until %(condition)s, then "
        "enter; without it, the signal expires.",
        "After a long entry signal, wait up to %(count)s bars until %(condition)s, then "
        "enter; without it, the signal expires.",
        "count",
    ),
    "short": ngettext_lazy(
        "After a short entry signal, wait up to %(count)s bar until %(condition)s, then "
        "enter; without it, the signal expires.",
        "After a short entry signal, wait up to %(count)s bars until %(condition)s, then "
        "enter; without it, the signal expires.",
        "count",
    ),
}
CLOSE_ANY = _("Close the position when %(condition)s.")
REVERSES = _(
    "While a position is open, the other direction's entry closes it and opens the new one at "
    "the same open (stop and reverse)."
)
CLOSE = {
    "long": _("Close a long position when %(condition)s."),
    "short": _("Close a short position when %(condition)s."),
}

# (operator, negated) -> template; lhs and rhs are sides already in words.
COMPARISONS = {
    ("gt", False): _("%(lhs)s is above %(rhs)s"),
    ("lt", False): _("%(lhs)s is below %(rhs)s"),
    ("gte", False): _("%(lhs)s is at or above %(rhs)s"),
    ("lte", False): _("%(lhs)s is at or below %(rhs)s"),
    ("eq", False): _("%(lhs)s equals %(rhs)s"),
    ("crosses_up", False): _("%(lhs)s crosses above %(rhs)s"),
    ("crosses_down", False): _("%(lhs)s crosses below %(rhs)s"),
    ("gt", True): _("%(lhs)s is not above %(rhs)s"),
    ("lt", True): _("%(lhs)s is not below %(rhs)s"),
    ("gte", True): _("%(lhs)s is not at or above %(rhs)s"),
    ("lte", True): _("%(lhs)s is not at or below %(rhs)s"),
    ("eq", True): _("%(lhs)s does not equal %(rhs)s"),
    ("crosses_up", True): _("%(lhs)s does not cross above %(rhs)s"),
    ("crosses_down", True): _("%(lhs)s does not cross below %(rhs)s"),
}
IS_STATE = _("%(subject)s is %(state)s")
IS_NOT_STATE = _("%(subject)s is not %(state)s")

BAR_FIELDS = {
    "open": _("the open"),
    "high": _("the high"),
    "low": _("the low"),
    "close": _("the close"),
    "volume": _("the volume"),
}
OUTPUT = _("%(indicator)s %(output)s")
ON_TIMEFRAME = _("%(indicator)s (%(timeframe)s)")

# Joining conditions: "A, B and C"; nested: "both A and B", "either A or B", in parentheses
# where the group would otherwise run into what follows it.
LIST_SEPARATOR = pgettext_lazy("between conditions of a list", ", ")
LAST_AND = pgettext_lazy("before the last condition of a list", " and ")
LAST_OR = pgettext_lazy("before the last alternative of a list", " or ")
BOTH = _("both %(conditions)s")
ALL_OF = _("all of %(conditions)s")
EITHER_FIRST = pgettext_lazy("first of nested alternatives", "either %(condition)s")
EITHER_NEXT = pgettext_lazy("next of nested alternatives", "%(condition)s")
EITHER_LAST = pgettext_lazy("before the last of nested alternatives", " or ")
PARENTHESES = _("(%(condition)s)")
NOT_GROUP = _("not (%(condition)s)")

PERCENT = _("%(number)s%%")
STOP_LOSS = {
    "long": _("Stop-loss %(percent)s below the entry price."),
    "short": _("Stop-loss %(percent)s above the entry price."),
    "both": _(
        "Stop-loss %(percent)s from the entry price: below it for a long position, above it "
        "for a short one."
    ),
}
TAKE_PROFIT = {
    "long": _("Take-profit %(percent)s above the entry price."),
    "short": _("Take-profit %(percent)s below the entry price."),
    "both": _(
        "Take-profit %(percent)s from the entry price: above it for a long position, below "
        "it for a short one."
    ),
}
TRAILING_STOP = {
    "long": _("Trailing stop %(percent)s below the highest price since entry."),
    "short": _("Trailing stop %(percent)s above the lowest price since entry."),
    "both": _(
        "Trailing stop %(percent)s behind the best price since entry: below the highest for "
        "a long position, above the lowest for a short one."
    ),
}
TAKE_PROFIT_R = {
    "long": _(
        "Take-profit at %(multiple)s times the distance from the entry price to the initial "
        "stop: %(percent)s above the entry price."
    ),
    "short": _(
        "Take-profit at %(multiple)s times the distance from the entry price to the initial "
        "stop: %(percent)s below the entry price."
    ),
    "both": _(
        "Take-profit at %(multiple)s times the distance from the entry price to the initial "
        "stop: %(percent)s from the entry price, above it for a long position, below it for a "
        "short one."
    ),
}
COOLDOWN = ngettext_lazy(
    "After a position closes, wait %(count)s bar before entering again.",
    "After a position closes, wait %(count)s bars before entering again.",
    "count",
)
EQUITY_FRACTION = _("Each entry commits %(percent)s of the equity.")
FIXED_QUOTE = _("Each entry commits %(amount)s of the quote currency.")
RISK_PER_TRADE = _(
    "Each entry risks %(percent)s of the equity: sized so that reaching the initial stop "
    "loses that much before costs (%(fraction)s of the equity committed, at most all of it)."
)
SAFETY_ORDERS = {
    "long": ngettext_lazy(
        "After the base order fills, %(count)s safety order rests as a limit order "
        "%(deviations)s below the first fill, costing %(ratios)s times the base order.",
        "After the base order fills, %(count)s safety orders rest as limit orders "
        "%(deviations)s below the first fill, costing %(ratios)s times the base order.",
        "count",
    ),
    "short": ngettext_lazy(
        "After the base order fills, %(count)s safety order rests as a limit order "
        "%(deviations)s above the first fill, costing %(ratios)s times the base order.",
        "After the base order fills, %(count)s safety orders rest as limit orders "
        "%(deviations)s above the first fill, costing %(ratios)s times the base order.",
        "count",
    ),
    "both": ngettext_lazy(
        "After the base order fills, %(count)s safety order rests as a limit order "
        "%(deviations)s from the first fill (below it for a long position, above it for a "
        "short one), costing %(ratios)s times the base order.",
        "After the base order fills, %(count)s safety orders rest as limit orders "
        "%(deviations)s from the first fill (below it for a long position, above it for a "
        "short one), costing %(ratios)s times the base order.",
        "count",
    ),
}
AVERAGE_ENTRY = _(
    "Stop-loss, take-profit and trailing stop are measured from the average entry price, and "
    "move with each safety order filled."
)
WORST_CASE_FRACTION = _(
    "Worst case, every safety order filled: %(percent)s of the equity, %(multiple)s times the "
    "base order."
)
WORST_CASE_QUOTE = _(
    "Worst case, every safety order filled: %(amount)s of the quote currency, %(multiple)s "
    "times the base order."
)
ANCHORED_STOP = {
    "signal_candle": {
        "long": _(
            "Stop-loss at the low of the candle whose close decided the entry, at most "
            "%(max)s below the entry price."
        ),
        "short": _(
            "Stop-loss at the high of the candle whose close decided the entry, at most "
            "%(max)s above the entry price."
        ),
        "both": _(
            "Stop-loss at the candle whose close decided the entry, at most %(max)s from the "
            "entry price: at its low for a long position, at its high for a short one."
        ),
    },
    "swing": {
        "long": _(
            "Stop-loss at the lowest low of the %(bars)s candles up to the one whose close "
            "decided the entry, at most %(max)s below the entry price."
        ),
        "short": _(
            "Stop-loss at the highest high of the %(bars)s candles up to the one whose close "
            "decided the entry, at most %(max)s above the entry price."
        ),
        "both": _(
            "Stop-loss at the swing of the %(bars)s candles up to the one whose close decided "
            "the entry, at most %(max)s from the entry price: at their lowest low for a long "
            "position, at their highest high for a short one."
        ),
    },
}
TOO_WIDE = {
    "skip": _("When it is farther, or on the wrong side of the entry price, the entry is skipped."),
    "clamp": _(
        "When it is farther, or on the wrong side of the entry price, the stop is set %(max)s away."
    ),
    "percent": _(
        "When it is farther, or on the wrong side of the entry price, the stop-loss is "
        "%(percent)s from the entry price."
    ),
}
TAKE_PROFIT_R_ANCHORED = _(
    "Take-profit at %(multiple)s times the distance from the entry price to the stop, on the "
    "other side of the entry price."
)
RISK_PER_TRADE_ANCHORED = _(
    "Each entry risks %(percent)s of the equity: sized so that reaching its stop loses that "
    "much before costs (at most all of the equity)."
)
# What a named entry trigger waits for, as the run page says a signal expired without it.
WAITED_FOR = {
    "pullback": _("a pullback to %(level)s"),
    "confirmation_candle": _("a confirmation candle"),
    "retest": _("a retest of %(level)s"),
}
