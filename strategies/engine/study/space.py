"""The parameters a study varies: which of a document's numbers, over which values, under which
constraints, and the document each combination gives.

A dimension names a number by its path: "<alias>.<parameter>" for an indicator's parameter
("ema_fast.period"), "risk.<field>" for a stop, a target, a trailing stop or the cooldown. Its
values run from a low to a high bound by a step, inside the range the indicator registry (or
the risk's own rules) allows, so every combination is a document the validator would accept;
a combination that breaks a constraint (the user's "ema_fast.period < ema_slow.period", or an
indicator's own, MACD's fast below its slow) is not tried. Errors are codes with their values:
the pages word them.
"""

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from strategies.indicators import get as indicator_spec
from strategies.rules.document import Document
from strategies.rules.limits import MAX_COOLDOWN_BARS, MAX_R_MULTIPLE

# A grid larger than this is a mistake (a step too small), not a study.
MAX_COMBINATIONS = 100_000
# The risk's numbers a study may vary: (integer, lowest, highest), bounds inclusive; the
# fractions are open at 0 and 1 in the documents, so their bounds stay inside.
RISK_FIELDS = {
    "stop_loss_pct": (False, 0.0001, 0.9999),
    "take_profit_pct": (False, 0.0001, 0.9999),
    "take_profit_r": (False, 0.0001, MAX_R_MULTIPLE),
    "trailing_stop_pct": (False, 0.0001, 0.9999),
    "cooldown_bars": (True, 0, MAX_COOLDOWN_BARS),
}
COMPARISONS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}

Parameters = Mapping[str, float]


class SpaceError(ValueError):
    """A dimension or constraint that cannot be searched: `code` and its `values`."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code, values)
        self.code, self.values = code, values


@dataclass(frozen=True)
class Dimension:
    path: str
    values: tuple[float, ...]

    @property
    def low(self) -> float:
        return self.values[0]

    @property
    def high(self) -> float:
        return self.values[-1]

    def scaled(self, value: float) -> float:
        """`value`'s place in the range searched, 0 at the low bound and 1 at the high one."""
        return (value - self.low) / (self.high - self.low) if self.high > self.low else 0.0


@dataclass(frozen=True)
class Constraint:
    """`left` `comparison` `right`, two paths: "ema_fast.period < ema_slow.period"."""

    left: str
    comparison: str
    right: str

    def holds(self, parameters: Parameters) -> bool:
        return bool(COMPARISONS[self.comparison](parameters[self.left], parameters[self.right]))


def dimension(document: Document, path: str, low: float, high: float, step: float) -> Dimension:
    """The values of `path` from `low` to `high` by `step` (both bounds included when the step
    reaches them), checked against what the document may hold there."""
    integer, lowest, highest = _allowed(document, path)
    if not all(math.isfinite(x) for x in (low, high, step)) or step <= 0 or high < low:
        raise SpaceError("bad_range", path=path, low=low, high=high, step=step)
    if integer and not all(float(x).is_integer() for x in (low, high, step)):
        raise SpaceError("not_integer", path=path)
    if low < lowest or high > highest:
        raise SpaceError("out_of_range", path=path, lowest=lowest, highest=highest)
    # Decimal steps: 0.1 added ten times is 1.0 here, not 0.9999999999999999.
    first, last, by = (Decimal(repr(float(x))) for x in (low, high, step))
    count = int((last - first) / by) + 1
    if count > MAX_COMBINATIONS:
        raise SpaceError("too_many", count=count, most=MAX_COMBINATIONS)
    values = tuple(float(first + by * index) for index in range(count))
    return Dimension(path, tuple(int(v) for v in values) if integer else values)


def constraint(text: str, dimensions: Sequence[Dimension]) -> Constraint:
    """A constraint written "a < b" (or <=, >, >=) between two of the dimensions' paths."""
    parts = text.split()
    paths = {d.path for d in dimensions}
    if len(parts) != 3 or parts[1] not in COMPARISONS:
        raise SpaceError("bad_constraint", text=text)
    if parts[0] not in paths or parts[2] not in paths:
        raise SpaceError("constraint_unknown_path", text=text)
    return Constraint(parts[0], parts[1], parts[2])


def grid(
    document: Document, dimensions: Sequence[Dimension], constraints: Sequence[Constraint] = ()
) -> list[dict[str, float]]:
    """Every combination of the dimensions' values that the constraints and the indicators'
    own rules allow, in the order of the dimensions (the last varies fastest)."""
    total = 1
    for each in dimensions:
        total *= len(each.values)
    if total > MAX_COMBINATIONS:
        raise SpaceError("too_many", count=total, most=MAX_COMBINATIONS)
    paths = [d.path for d in dimensions]
    if len(set(paths)) < len(paths):
        raise SpaceError("same_path_twice")
    kept = []
    for values in itertools.product(*(d.values for d in dimensions)):
        parameters = dict(zip(paths, values, strict=True))
        if all(c.holds(parameters) for c in constraints) and _indicators_agree(
            document, parameters
        ):
            kept.append(parameters)
    if not kept:  # constraints no combination meets ("a < a"): nothing to search
        raise SpaceError("nothing_to_try")
    return kept


def combination_key(parameters: Parameters) -> tuple:
    """A combination as a dictionary key: the same values at the same paths, the same key."""
    return tuple(sorted(parameters.items()))


def seeded_sample(combinations: Sequence[Parameters], size: int, seed: int) -> list[Parameters]:
    """`size` of the combinations drawn without replacement, in an order `seed` fixes."""
    order = np.random.default_rng(seed).permutation(len(combinations))
    return [combinations[index] for index in order[:size]]


def with_parameters(document: Document, parameters: Parameters) -> Document:
    """The document with these values at these paths (checked by `dimension`: no validation
    again, which would cost a trial more than its backtest), integers kept integers."""
    indicators = dict(document.indicators)
    risk: dict[str, float | int] = {}
    for path, value in parameters.items():
        owner, name = path.split(".", 1)
        # Values read back from JSON or a form may be 8.0 where the indicator slices by 8.
        value = int(value) if _allowed(document, path)[0] else float(value)
        if owner == "risk" and owner not in document.indicators:
            risk[name] = value
        else:
            declared = indicators[owner]
            indicators[owner] = declared.model_copy(
                update={"params": {**declared.params, name: value}}
            )
    update: dict[str, object] = {"indicators": indicators}
    if risk:
        update["risk"] = document.risk.model_copy(update=risk)
    return document.model_copy(update=update)


def _second_target(document: Document, name: str) -> bool:
    """Whether varying `name` would give the document a target it cannot have (one in R
    beside a percent target or without a stop, or a percent one beside a target in R), or a
    stop-loss percentage an anchor never reads (only too_wide: percent falls back to it)."""
    risk = document.risk
    if name == "take_profit_r":
        return risk.take_profit_pct is not None or not risk.has_stop()
    anchor = risk.stop_anchor
    if name == "stop_loss_pct" and anchor is not None and anchor.too_wide != "percent":
        return True
    return name == "take_profit_pct" and risk.take_profit_r is not None


def _allowed(document: Document, path: str) -> tuple[bool, float, float]:
    """(integer, lowest, highest) for the number at `path`."""
    owner, _dot, name = path.partition(".")
    if owner == "risk" and owner not in document.indicators:
        if name not in RISK_FIELDS or _second_target(document, name):
            raise SpaceError("unknown_path", path=path)
        return RISK_FIELDS[name]
    declared = document.indicators.get(owner)
    if declared is None:
        raise SpaceError("unknown_path", path=path)
    param = indicator_spec(declared.kind).param_index.get(name)
    if param is None or param.kind not in (int, float):
        raise SpaceError("unknown_path", path=path)
    lowest = param.minimum if param.minimum is not None else float("-inf")
    highest = param.maximum if param.maximum is not None else float("inf")
    return param.kind is int, lowest, highest


def _indicators_agree(document: Document, parameters: Parameters) -> bool:
    """Whether every indicator's own cross-parameter rules hold with these values."""
    changed: dict[str, dict[str, float]] = {}
    for path, value in parameters.items():
        owner, name = path.split(".", 1)
        if owner in document.indicators:
            changed.setdefault(owner, {})[name] = value
    for alias, values in changed.items():
        declared = document.indicators[alias]
        spec = indicator_spec(declared.kind)
        if spec.broken_constraints({**declared.params, **values}):
            return False
    return True
