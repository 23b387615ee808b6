"""The rule grammar page's tables, read from the grammar's own definitions.

The keys come from the document model, the spellings from the vocabulary's tables, the
operators' readings from the sentence templates and the limits from `limits`: a test checks
that every key described here is a key of the model, and the other way round.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from strategies.rules import vocabulary, wording
from strategies.rules.document import Document
from strategies.rules.limits import (
    MAX_ALIAS_LENGTH,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NAME_LENGTH,
    MAX_NODES,
    MAX_SAFETY_ORDERS,
    MAX_WAIT_BARS,
)

# What each top-level key holds; the keys and whether they are required come from Document.
KEY_TEXTS = {
    "name": _("The strategy's name, at most %(length)s characters."),
    "long_only": _(
        "true (the default) or false. While it is true, a rule that sets direction: short is "
        "refused."
    ),
    "stop_and_reverse": _(
        "false (the default) or true. When true, while a position is open, the other "
        "direction's entry closes it and opens the new one at the same open. It needs an entry "
        "in each direction."
    ),
    "indicators": _(
        "The indicators the rules read, each under a name of your choice (its alias): "
        "{alias: {kind, parameters..., timeframe}}."
    ),
    "entry": _("The rule that opens a position."),
    "entry_trigger": _(
        "Optional: {rule, max_wait_bars}. After the entry rule fires, the entry waits up to "
        "max_wait_bars closes (1 to %(wait)s) for this rule to hold (a pullback, a confirmation "
        "candle, a retest) and is decided at that close; otherwise the signal expires."
    ),
    "exit": _(
        "The rule that closes it. It may be left out when risk sets a stop-loss, a "
        "take-profit or a trailing stop."
    ),
    "risk": _(
        "Stop-loss (in percent, or anchored to a candle or a swing), take-profit (in percent "
        "or in R), trailing stop and cooldown: see the risk page."
    ),
    "sizing": _(
        "How much each entry commits: equity_fraction (the default, all of it), fixed_quote "
        "or risk_per_trade. With safety_orders, the base order's."
    ),
    "safety_orders": _(
        "Optional: {count, deviation_pct, step_scale, size_ratio, volume_scale}. Up to "
        "%(rungs)s limit orders rest against the position once the entry filled, and the "
        "levels are measured from the average entry: see the risk page."
    ),
}

# The operator's condition on bar i, for a left side a and a right side b.
OPERATOR_DEFINITIONS = {
    "gt": "a[i] > b[i]",
    "lt": "a[i] < b[i]",
    "gte": "a[i] ≥ b[i]",
    "lte": "a[i] ≤ b[i]",
    "eq": "a[i] = b[i]",
    "crosses_up": "a[i-1] < b[i-1] ∧ a[i] > b[i]",
    "crosses_down": "a[i-1] > b[i-1] ∧ a[i] < b[i]",
}


@dataclass(frozen=True)
class KeyRow:
    key: str
    required: bool
    text: str


@dataclass(frozen=True)
class OperatorRow:
    name: str
    reading: str
    definition: str
    spellings: list[str]


LIMITS = {"length": MAX_NAME_LENGTH, "wait": MAX_WAIT_BARS, "rungs": MAX_SAFETY_ORDERS}


def key_rows() -> list[KeyRow]:
    """The document's top-level keys, in the model's order."""
    return [
        KeyRow(name, field.is_required(), str(KEY_TEXTS[name]) % LIMITS)
        for name, field in Document.model_fields.items()
    ]


def operator_rows() -> list[OperatorRow]:
    """Each operator: how a sentence reads it, its condition and its other spellings."""
    sides = {"lhs": "A", "rhs": "B"}
    return [
        OperatorRow(
            name=name,
            reading=str(wording.COMPARISONS[name, False]) % sides,
            definition=OPERATOR_DEFINITIONS[name],
            spellings=spellings_of(name),
        )
        for name in vocabulary.OPERATORS
    ]


def spellings_of(operator: str) -> list[str]:
    """The other spellings read as `operator`, in the vocabulary's order."""
    return [
        spelling
        for spelling, canonical in vocabulary.OPERATOR_SPELLINGS.items()
        if canonical == operator and spelling != operator
    ]


def bar_fields() -> list[tuple[str, str]]:
    """Each bar field and how a sentence names it."""
    return [(name, str(wording.BAR_FIELDS[name])) for name in vocabulary.BAR_FIELDS]


def limits() -> list[str]:
    return [
        str(_("At most %(count)s KB of text.") % {"count": MAX_BYTES // 1024}),
        str(
            _("At most %(count)s levels of nesting, the document itself being the first.")
            % {"count": MAX_DEPTH}
        ),
        str(_("At most %(count)s keys and values in all.") % {"count": MAX_NODES}),
        str(_("Names of indicators: at most %(count)s characters.") % {"count": MAX_ALIAS_LENGTH}),
        str(_("The strategy's name: at most %(count)s characters.") % {"count": MAX_NAME_LENGTH}),
    ]


def words() -> dict[str, object]:
    """The grammar's other words the page's prose names."""
    return {
        "bar_fields": bar_fields(),
        "alias_length": MAX_ALIAS_LENGTH,
    }


@dataclass(frozen=True)
class CrossCase:
    """Two bars of a left side a and a right side b, and whether crosses_up fires on the second."""

    before: tuple[float, float]
    now: tuple[float, float]
    fires: bool
    reason: str


# Hand-written cases; a test runs each through the engine, so the table cannot drift from it.
CROSS_CASES = (
    ((9, 10), (11, 10), True, _("a goes from below b to above it")),
    ((10, 10), (11, 10), False, _("a was equal to b on the previous bar, not below it")),
    ((9, 10), (10, 10), False, _("a only reaches b: equal is not above")),
    ((11, 10), (12, 10), False, _("a was already above b: the cross happened earlier")),
)


def cross_cases() -> list[CrossCase]:
    return [
        CrossCase(before, now, fires, str(reason)) for before, now, fires, reason in CROSS_CASES
    ]


# A 1h run reading a 4h indicator: (the 1h bar's open hour, the open hour of the 4h bar it
# sees). Hand-written; a test checks them against the engine's alignment.
TIMELINE = ((3, 0), (4, 0), (6, 0), (7, 4), (8, 4))


@dataclass(frozen=True)
class TimelineRow:
    base: str
    seen: str


def hours(start: int, length: int) -> str:
    return f"{start:02d}:00-{(start + length) % 24:02d}:00"


def timeline() -> list[TimelineRow]:
    return [TimelineRow(hours(base, 1), hours(seen, 4)) for base, seen in TIMELINE]
