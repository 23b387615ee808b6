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
from strategies.engine.waits import waited_entries
from strategies.indicators import get as indicator_spec
from strategies.rules.document import Document, Rule
from strategies.rules.model import (
    BarSide,
    Combine,
    Indicator,
    IndicatorSide,
    Leaf,
    Negation,
    ValueSide,
)
from strategies.series import Candles

Operand = np.ndarray | float


@dataclass(frozen=True)
class Signals:
    """Boolean arrays, one value per bar: where each decision is taken at the bar's close.
    With an entry trigger, `expired_*` flag the closes where an entry signal's wait ended
    without its trigger (None without one)."""

    enter_long: np.ndarray
    enter_short: np.ndarray
    exit_long: np.ndarray
    exit_short: np.ndarray
    expired_long: np.ndarray | None = None
    expired_short: np.ndarray | None = None


@dataclass(frozen=True)
class Truth:
    """Where a rule is known true and known false; elsewhere it is unknown."""

    true: np.ndarray
    false: np.ndarray


# Rules are evaluated this many bars at a time: a window's arrays stay in the processor's
# cache while every leaf and combination reads them, so five million bars cost five times one
# million (whole-length temporaries went to memory and back for each operation).
WINDOW = 65_536


def decide(
    document: Document,
    candles: Candles,
    *,
    store: "IndicatorStore | None" = None,
    start: int = 0,
) -> Signals:
    """Signals for every bar of `candles` (the run's timeframe), for each direction; bars
    before `start` are left without any (a backtest's warm-up: they only feed indicators).
    `store`: indicator values already computed over a longer history these candles begin."""
    inputs = Inputs(document, candles, store)
    entry, exit_ = document.entry_branches(), document.exit_branches()
    rules = {
        "enter_long": entry["long"],
        "enter_short": entry["short"],
        "exit_long": exit_["long"],
        "exit_short": exit_["short"],
    }
    bars = len(candles)
    fired = {name: np.zeros(bars, dtype=bool) for name in rules}
    trigger = document.entry_trigger
    # Only the directions that enter wait for their trigger.
    waiting = [] if trigger is None else [side for side in entry if entry[side] is not None]
    triggers = document.trigger_branches()
    for side in waiting:
        rules[f"trigger_{side}"] = triggers[side]
        fired[f"trigger_{side}"] = np.zeros(bars, dtype=bool)
    for first in range(start, bars, WINDOW):
        window = slice(first, min(first + WINDOW, bars))
        for name, rule in rules.items():
            if rule is not None:
                fired[name][window] = evaluate(rule, inputs, window).true
    if trigger is None:
        return Signals(**fired)
    expired = {side: np.zeros(bars, dtype=bool) for side in entry}
    for side in waiting:
        held, exits = fired.pop(f"trigger_{side}"), fired[f"exit_{side}"]
        fired[f"enter_{side}"], expired[side] = waited_entries(
            fired[f"enter_{side}"], held, exits, trigger.max_wait_bars
        )
    return Signals(**fired, expired_long=expired["long"], expired_short=expired["short"])


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


class Inputs:
    """Bar fields and indicator outputs on the run's bars, each computed once when first read
    (from `store` when one is given)."""

    def __init__(
        self, document: Document, candles: Candles, store: "IndicatorStore | None" = None
    ) -> None:
        self.document, self.candles = document, candles
        self._outputs: dict[str, dict[str, np.ndarray]] = {}
        self._frames: dict[str, tuple[Candles, np.ndarray]] = {}
        if store is not None:
            store.check_prefix(candles)
        self.store = store

    def indicator(self, alias: str, output: str | None) -> np.ndarray:
        if alias not in self._outputs:
            self._outputs[alias] = self._compute(alias)
        declared = self.document.indicators[alias]
        return self._outputs[alias][output or indicator_spec(declared.kind).outputs[0]]

    def _compute(self, alias: str) -> dict[str, np.ndarray]:
        declared = self.document.indicators[alias]
        if self.store is not None:
            return self.store.outputs(declared, len(self.candles))
        return self.computed(declared)

    def computed(self, declared: Indicator) -> dict[str, np.ndarray]:
        """The indicator's outputs over these candles, laid on their bars."""
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


class IndicatorStore:
    """Indicator outputs over one candle history, each computed once whatever the documents
    and periods that read it: a parameter search's trials share every indicator whose
    parameters they share, and a walk-forward's folds read theirs from one computation.
    Candles that begin the history (the same first bar, fewer after it) read the first bars
    of each output: what those candles alone would give, recursive indicators included, as
    no indicator looks ahead (the property tests check it)."""

    def __init__(self, candles: Candles) -> None:
        self.candles = candles
        self._inputs: Inputs | None = None
        self._outputs: dict[tuple, dict[str, np.ndarray]] = {}

    def check_prefix(self, candles: Candles) -> None:
        """Refuses candles that do not begin this history (values would belong to other bars)."""
        count = len(candles)
        # Every time, not the ends only (another history with a gap elsewhere has the same
        # first and last times), and the same prices: a slice of this history, not another
        # market's candles at the same times. Microseconds next to a trial.
        same = (
            candles.timeframe == self.candles.timeframe
            and count <= len(self.candles)
            and np.array_equal(candles.time, self.candles.time[:count])
            and (count == 0 or np.may_share_memory(candles.close, self.candles.close))
        )
        if not same:
            raise ValueError("the candles do not begin the store's history")

    def outputs(self, declared: Indicator, bars: int) -> dict[str, np.ndarray]:
        """The declared indicator's outputs on the history's first `bars` bars (views)."""
        params = indicator_spec(declared.kind).with_defaults(declared.params)
        key = (declared.kind, tuple(sorted(params.items())), declared.timeframe)
        if key not in self._outputs:
            if self._inputs is None:  # the higher timeframes' bars, built once too
                self._inputs = Inputs(Document.model_construct(indicators={}), self.candles)
            self._outputs[key] = self._inputs.computed(declared)
        return {name: _read_only(values[:bars]) for name, values in self._outputs[key].items()}


def _read_only(values: np.ndarray) -> np.ndarray:
    """A view no caller can write through: every trial shares the array behind it."""
    view = values.view()
    view.flags.writeable = False
    return view


def evaluate(rule: Rule, inputs: Inputs, window: slice | None = None) -> Truth:
    """Where the rule is true and where it is false, bar by bar (over `window`'s bars, by
    default all)."""
    window = window or slice(0, len(inputs.candles))
    if isinstance(rule, Leaf):
        return _leaf(rule, inputs, window)
    if isinstance(rule, Negation):
        inner = evaluate(rule.negated, inputs, window)
        return Truth(true=inner.false, false=inner.true)
    return _combine(rule, inputs, window)


def _combine(rule: Combine, inputs: Inputs, window: slice) -> Truth:
    members = [evaluate(member, inputs, window) for member in rule.rules]
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


_COMPARE = {
    "gt": np.greater,
    "lt": np.less,
    "gte": np.greater_equal,
    "lte": np.less_equal,
    "eq": np.equal,
}


def _leaf(leaf: Leaf, inputs: Inputs, window: slice) -> Truth:
    a, b = _operand(leaf.lhs, inputs), _operand(leaf.rhs, inputs)
    start, stop = window.start, window.stop
    bars = stop - start
    known = _known(bars, _part(a, start, stop), _part(b, start, stop))
    with np.errstate(invalid="ignore"):
        if leaf.op in _COMPARE:
            holds = _COMPARE[leaf.op](_part(a, start, stop), _part(b, start, stop))
            holds = np.broadcast_to(holds, (bars,))
        else:
            # A crossing compares each bar with the previous one, which must be known too;
            # the first bar of all has none.
            first = 1 if start == 0 else 0
            then = (_part(a, start + first - 1, stop - 1), _part(b, start + first - 1, stop - 1))
            now = (_part(a, start + first, stop), _part(b, start + first, stop))
            holds = np.zeros(bars, dtype=bool)
            if leaf.op == "crosses_up":
                np.logical_and(then[0] < then[1], now[0] > now[1], out=holds[first:])
            else:
                np.logical_and(then[0] > then[1], now[0] < now[1], out=holds[first:])
            known[first:] &= _known(bars - first, *then)
            known[:first] &= not any(isinstance(side, np.ndarray) for side in (a, b))
    return Truth(true=holds & known, false=~holds & known)


def _part(operand: Operand, start: int, stop: int) -> Operand:
    """An array operand's bars start..stop-1 (a view); a number as it is."""
    return operand if isinstance(operand, float) else operand[start:stop]


def _known(bars: int, *operands: Operand) -> np.ndarray:
    known = np.ones(bars, dtype=bool)
    for operand in operands:
        if isinstance(operand, np.ndarray):
            known &= ~np.isnan(operand)
    return known
