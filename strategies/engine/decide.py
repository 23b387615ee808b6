"""The decision pass: a strategy document and closed candles in, entry and exit signals out.

Pure and vectorised: backtests, paper ticks and live ticks call this same function. Each rule
is evaluated on every bar in three values (true, false, unknown), as strategies.rules states:
a condition with a NaN input (warm-up) is unknown, `not` keeps it unknown, AND is false when a
member is false, OR is true when a member is true, and a signal fires only where its rule is
true.
"""

from dataclasses import dataclass

import numpy as np

from strategies.engine.timeframes import aggregate_visible, align
from strategies.indicators import get as indicator_spec
from strategies.rules.document import Document, Rule
from strategies.rules.model import BarSide, Combine, IndicatorSide, Leaf, Negation, ValueSide
from strategies.series import Candles

Operand = np.ndarray | float


@dataclass(frozen=True)
class Signals:
    """Boolean arrays, one value per bar: where each decision is taken at the bar's close."""

    enter_long: np.ndarray
    enter_short: np.ndarray
    exit_long: np.ndarray
    exit_short: np.ndarray


@dataclass(frozen=True)
class Truth:
    """Where a rule is known true and known false; elsewhere it is unknown."""

    true: np.ndarray
    false: np.ndarray


def decide(document: Document, candles: Candles) -> Signals:
    """Signals for every bar of `candles` (the run's timeframe), for each direction."""
    inputs = Inputs(document, candles)
    entry, exit_ = document.entry_branches(), document.exit_branches()
    return Signals(
        enter_long=_fires(entry["long"], inputs),
        enter_short=_fires(entry["short"], inputs),
        exit_long=_fires(exit_["long"], inputs),
        exit_short=_fires(exit_["short"], inputs),
    )


def indicator_values(document: Document, candles: Candles) -> dict[str, np.ndarray]:
    """Every indicator output as the rules see it on the run's bars ("alias.output"): higher
    timeframes already laid on the bars that may see them. Charts and decision logs show these;
    the no-look-ahead property checks them."""
    inputs = Inputs(document, candles)
    return {
        f"{alias}.{output}": inputs.indicator(alias, output)
        for alias, declared in document.indicators.items()
        for output in indicator_spec(declared.kind).outputs
    }


def _fires(rule: Rule | None, inputs: "Inputs") -> np.ndarray:
    if rule is None:
        return np.zeros(len(inputs.candles), dtype=bool)
    return evaluate(rule, inputs).true


class Inputs:
    """Bar fields and indicator outputs on the run's bars, each computed once when first read."""

    def __init__(self, document: Document, candles: Candles) -> None:
        self.document, self.candles = document, candles
        self._outputs: dict[str, dict[str, np.ndarray]] = {}
        self._frames: dict[str, tuple[Candles, np.ndarray]] = {}

    def indicator(self, alias: str, output: str | None) -> np.ndarray:
        if alias not in self._outputs:
            self._outputs[alias] = self._compute(alias)
        declared = self.document.indicators[alias]
        return self._outputs[alias][output or indicator_spec(declared.kind).outputs[0]]

    def _compute(self, alias: str) -> dict[str, np.ndarray]:
        declared = self.document.indicators[alias]
        spec = indicator_spec(declared.kind)
        params = spec.with_defaults(declared.params)
        timeframe = declared.timeframe
        if timeframe is None or timeframe == self.candles.timeframe:
            return spec.compute(self.candles, params)
        frame, index = self._frame(timeframe)
        return {name: align(values, index) for name, values in spec.compute(frame, params).items()}

    def _frame(self, timeframe: str) -> tuple[Candles, np.ndarray]:
        if timeframe not in self._frames:
            self._frames[timeframe] = aggregate_visible(self.candles, timeframe)
        return self._frames[timeframe]


def evaluate(rule: Rule, inputs: Inputs) -> Truth:
    """Where the rule is true and where it is false, bar by bar."""
    if isinstance(rule, Leaf):
        return _leaf(rule, inputs)
    if isinstance(rule, Negation):
        inner = evaluate(rule.negated, inputs)
        return Truth(true=inner.false, false=inner.true)
    return _combine(rule, inputs)


def _combine(rule: Combine, inputs: Inputs) -> Truth:
    members = [evaluate(member, inputs) for member in rule.rules]
    trues = np.logical_and if rule.combine == "AND" else np.logical_or
    falses = np.logical_or if rule.combine == "AND" else np.logical_and
    return Truth(
        true=trues.reduce([m.true for m in members]),
        false=falses.reduce([m.false for m in members]),
    )


def _operand(side: BarSide | IndicatorSide | ValueSide, inputs: Inputs) -> Operand:
    if isinstance(side, ValueSide):
        return float(side.value)
    if isinstance(side, BarSide):
        return inputs.candles.field(side.bar)
    return inputs.indicator(side.indicator, side.field)


def _previous(operand: Operand) -> Operand:
    if isinstance(operand, float):
        return operand
    shifted = np.empty_like(operand, dtype=np.float64)
    shifted[:1] = np.nan
    shifted[1:] = operand[:-1]
    return shifted


_COMPARE = {
    "gt": np.greater,
    "lt": np.less,
    "gte": np.greater_equal,
    "lte": np.less_equal,
    "eq": np.equal,
}


def _leaf(leaf: Leaf, inputs: Inputs) -> Truth:
    a, b = _operand(leaf.lhs, inputs), _operand(leaf.rhs, inputs)
    bars = len(inputs.candles)
    known = _known(bars, a, b)
    with np.errstate(invalid="ignore"):
        if leaf.op in _COMPARE:
            holds = _COMPARE[leaf.op](a, b)
        else:
            a0, b0 = _previous(a), _previous(b)
            known &= _known(bars, a0, b0)
            below_then_above = (a0 < b0) & (a > b)
            above_then_below = (a0 > b0) & (a < b)
            holds = below_then_above if leaf.op == "crosses_up" else above_then_below
    holds = np.broadcast_to(holds, (bars,))
    return Truth(true=holds & known, false=~holds & known)


def _known(bars: int, *operands: Operand) -> np.ndarray:
    known = np.ones(bars, dtype=bool)
    for operand in operands:
        if isinstance(operand, np.ndarray):
            known &= ~np.isnan(operand)
    return known
