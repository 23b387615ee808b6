"""The grammar's words: canonical operators, combinations, directions and bar fields, and the
spellings seen in the wild that are read as them."""

from typing import Literal

OPERATORS = ("gt", "lt", "gte", "lte", "eq", "crosses_up", "crosses_down")
COMBINES = ("AND", "OR")
DIRECTIONS = ("long", "short")
BAR_FIELDS = ("open", "high", "low", "close", "volume")

Operator = Literal["gt", "lt", "gte", "lte", "eq", "crosses_up", "crosses_down"]
CombineName = Literal["AND", "OR"]
Direction = Literal["long", "short"]
BarField = Literal["open", "high", "low", "close", "volume"]

# Keys are compared after strip() and lower(): "Crosses_Above" reads as crosses_up.
OPERATOR_SPELLINGS: dict[str, str] = {
    **{name: name for name in OPERATORS},
    ">": "gt",
    "greater_than": "gt",
    "above": "gt",
    "<": "lt",
    "less_than": "lt",
    "below": "lt",
    ">=": "gte",
    "ge": "gte",
    "greater_than_or_equal": "gte",
    "greater_or_equal": "gte",
    "<=": "lte",
    "le": "lte",
    "less_than_or_equal": "lte",
    "less_or_equal": "lte",
    "==": "eq",
    "=": "eq",
    "equal": "eq",
    "equals": "eq",
    "crosses_above": "crosses_up",
    "crosses_over": "crosses_up",
    "cross_above": "crosses_up",
    "cross_over": "crosses_up",
    "cross_up": "crosses_up",
    "crosses_below": "crosses_down",
    "crosses_under": "crosses_down",
    "cross_below": "crosses_down",
    "cross_under": "crosses_down",
    "cross_down": "crosses_down",
}


def canonical_operator(spelling: object) -> str | None:
    """The canonical operator for a spelling, or None when it is not one."""
    if not isinstance(spelling, str):
        return None
    return OPERATOR_SPELLINGS.get(spelling.strip().lower())


def canonical_combine(spelling: object) -> str | None:
    """AND or OR, whatever the letter case; None otherwise."""
    if not isinstance(spelling, str):
        return None
    upper = spelling.strip().upper()
    return upper if upper in COMBINES else None


def canonical_direction(spelling: object) -> str | None:
    if not isinstance(spelling, str):
        return None
    lower = spelling.strip().lower()
    return lower if lower in DIRECTIONS else None


def canonical_bar_field(spelling: object) -> str | None:
    if not isinstance(spelling, str):
        return None
    lower = spelling.strip().lower()
    return lower if lower in BAR_FIELDS else None
