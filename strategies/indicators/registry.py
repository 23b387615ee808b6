"""Each indicator declares its parameters, outputs, warm-up and a one-line description.

Validation of strategy documents, the parameter forms and the docs pages are generated from
this table, so none of them can drift from the functions.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from strategies.i18n import Promise
from strategies.series import Candles

Params = Mapping[str, Any]
Outputs = dict[str, np.ndarray]


@dataclass(frozen=True)
class Param:
    """One parameter: `kind` is int, float or str; bounds are inclusive."""

    name: str
    kind: type
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: Promise | str = ""


@dataclass(frozen=True)
class IndicatorSpec:
    kind: str
    title: Promise | str  # "Exponential moving average"
    description: Promise | str  # one line, in the user's language
    params: tuple[Param, ...]
    outputs: tuple[str, ...]  # the first is what {indicator: alias} reads
    # Bars before the first defined value (NaN before it), for these parameters and the bar
    # length in milliseconds (calendar-based indicators such as prior-period levels need it).
    warmup: Callable[[Params, int], int]
    compute: Callable[[Candles, Params], Outputs]
    # How a sentence names it: "EMA %(period)s" -> "EMA 12".
    label: Promise | str = ""
    definition: Promise | str = ""  # the docs page's formula, in words
    # Words for the values of discrete outputs, for sentences and docs:
    # {"value": {1: _("up"), -1: _("down"), 0: _("flat")}}.
    states: Mapping[str, Mapping[float, Promise | str]] = field(default_factory=dict)
    param_index: Mapping[str, Param] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "param_index", {p.name: p for p in self.params})

    def with_defaults(self, params: Params) -> dict[str, Any]:
        return {p.name: params.get(p.name, p.default) for p in self.params}


REGISTRY: dict[str, IndicatorSpec] = {}


def register(spec: IndicatorSpec) -> IndicatorSpec:
    if spec.kind in REGISTRY:
        raise ValueError(f"indicator {spec.kind!r} registered twice")
    REGISTRY[spec.kind] = spec
    return spec


def get(kind: str) -> IndicatorSpec:
    return REGISTRY[kind]


def period(name: str = "period", default: int = 14, *, help: Promise | str = "") -> Param:
    """The usual lookback parameter: a whole number of bars, 1 to 5,000."""
    return Param(name, int, default, minimum=1, maximum=5000, help=help)
