"""Each indicator declares its parameters, outputs, warm-up and a one-line description.

Validation of strategy documents, the parameter forms and the docs pages are generated from
this table, so none of them can drift from the functions.

The contract every `compute` keeps (tests/strategies/test_indicators_properties.py checks it
for every registered indicator):

- One float64 array per declared output, as long as the candles.
- No look-ahead: the value at bar i depends on bars 0..i only.
- Undefined is NaN, never 0: a rule leaf reading NaN is false. Discrete outputs (states such
  as +1/-1/0) are NaN during warm-up too.
- `warmup_of(output, ...)` is the exact count of leading NaN bars of that output, and from
  there a dense output is finite. Outputs listed in `sparse_outputs` report the latest event
  (a swing, an open gap): they may stay NaN after warm-up until there is one. For calendar
  indicators the first defined bar depends on where the series starts: warm-up is then the
  worst case (a series that starts one bar after a period boundary), exact for that start.

Warm-up says when a value exists, not when it stops depending on where the history starts:
recursive indicators (EMAs, Wilder smoothing in RSI, ATR and ADX, SuperTrend, Trend Magic)
only meet a chart's values a few periods later, so load more history than the warm-up when
values should match what a charting site shows.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from strategies.i18n import Promise
from strategies.series import Candles

Params = Mapping[str, Any]
Outputs = dict[str, np.ndarray]
Warmup = Callable[[Params, int], int]


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
class Constraint:
    """A rule across parameters (MACD's fast period below its slow one): `holds` or `message`."""

    holds: Callable[[Params], bool]
    message: Promise | str


@dataclass(frozen=True)
class IndicatorSpec:
    kind: str
    title: Promise | str  # "Exponential moving average"
    description: Promise | str  # one line, in the user's language
    params: tuple[Param, ...]
    outputs: tuple[str, ...]  # the first is what {indicator: alias} reads
    # Bars before every output is defined (NaN before it), for these parameters and the bar
    # length in milliseconds (calendar-based indicators such as prior-period levels need it).
    warmup: Warmup
    compute: Callable[[Candles, Params], Outputs]
    # How a sentence names it: "EMA %(period)s" -> "EMA 12".
    label: Promise | str = ""
    definition: Promise | str = ""  # the docs page's formula, in words
    # Words for the values of discrete outputs, for sentences and docs:
    # {"value": {1: _("up"), -1: _("down"), 0: _("flat")}}.
    states: Mapping[str, Mapping[float, Promise | str]] = field(default_factory=dict)
    # How sentences name an output other than the first: {"upper": _("upper band")}.
    output_labels: Mapping[str, Promise | str] = field(default_factory=dict)
    # How a report's price chart draws the outputs: over the candles (levels in the price's
    # units: averages, bands, stops) or in a pane under them (oscillators, volumes). Outputs
    # in neither (states, zones) are not drawn.
    price_outputs: tuple[str, ...] = ()
    pane_outputs: tuple[str, ...] = ()
    # Outputs that report the latest event and may stay NaN after warm-up until one happens.
    sparse_outputs: tuple[str, ...] = ()
    # Outputs defined before `warmup` (MACD's line before its signal): their own warm-up.
    output_warmups: Mapping[str, Warmup] = field(default_factory=dict)
    constraints: tuple[Constraint, ...] = ()
    # The longest bar it makes sense on (a previous day's levels on weekly bars do not):
    # strategy documents on a longer timeframe are refused.
    max_bar_ms: int | None = None
    param_index: Mapping[str, Param] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "param_index", {p.name: p for p in self.params})
        named = {
            *self.sparse_outputs,
            *self.output_warmups,
            *self.price_outputs,
            *self.pane_outputs,
        }
        unknown = named - set(self.outputs)
        if unknown:
            raise ValueError(f"{self.kind}: no such outputs {sorted(unknown)}")

    def with_defaults(self, params: Params) -> dict[str, Any]:
        return {p.name: params.get(p.name, p.default) for p in self.params}

    def warmup_of(self, output: str, params: Params, bar_ms: int) -> int:
        """Leading NaN bars of one output (the indicator's warm-up unless it is ready sooner)."""
        if output not in self.outputs:
            raise KeyError(output)
        own = self.output_warmups.get(output, self.warmup)
        return own(self.with_defaults(params), bar_ms)

    def broken_constraints(self, params: Params) -> list[Promise | str]:
        """Messages of the cross-parameter rules these (in-range) parameters break."""
        full = self.with_defaults(params)
        return [c.message for c in self.constraints if not c.holds(full)]


REGISTRY: dict[str, IndicatorSpec] = {}


def register(spec: IndicatorSpec) -> IndicatorSpec:
    if spec.kind in REGISTRY:
        raise ValueError(f"indicator {spec.kind!r} registered twice")
    REGISTRY[spec.kind] = spec
    return spec


def get(kind: str) -> IndicatorSpec:
    return REGISTRY[kind]


def full_window(params: Params, bar_ms: int) -> int:
    """The warm-up of a value over the last `period` bars: the first full window."""
    return int(params["period"]) - 1


def period(
    name: str = "period", default: int = 14, *, minimum: int = 1, help: Promise | str = ""
) -> Param:
    """The usual lookback parameter: a whole number of bars, `minimum` (1) to 5,000."""
    return Param(name, int, default, minimum=minimum, maximum=5000, help=help)


def multiplier(
    name: str = "multiplier", default: float = 3.0, *, help: Promise | str = ""
) -> Param:
    """A positive factor applied to a volatility measure (ATR, standard deviation): 0.1 to 20."""
    return Param(name, float, default, minimum=0.1, maximum=20.0, help=help)
