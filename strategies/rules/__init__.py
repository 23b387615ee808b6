"""The strategy document grammar: parse, validate, canonical form and sentences (pure core).

Public API
    parse(text: str | bytes, *, base_timeframe: str | None = None) -> Document
        YAML or JSON text (JSON when it opens with { or [), at most 64 KB.
    validate(data: object, *, base_timeframe: str | None = None) -> Document
        The same checks on data already loaded (a dict); problems carry no line.
    DocumentError(ValueError) with .errors: list[Problem]
        Problem(path: str, message: lazy str, line: int | None); every problem at once.
    dump(document: Document) -> str
        The canonical YAML text: stable key order, parameters' defaults written out,
        parse(dump(d)) == d.
    sentences(document: Document) -> list[str]
        The strategy as whole sentences in the active language, in order (a UI numbers them).
    Document.entry_branches() / Document.exit_branches() -> {"long": rule | None, "short": ...}
    base_timeframe, when given, refuses an indicator timeframe shorter than the run's.

The document (YAML; JSON is the same structure)
    name: text; long_only: bool (default true); stop_and_reverse: bool (default false);
    indicators: {alias: {kind, <params>, timeframe?}}; entry: rule; entry_trigger: {rule,
    max_wait_bars: 1 to 1000} (optional; see Semantics); exit: rule (optional when
    risk has a stop or a target);
    risk: {stop_loss_pct, take_profit_pct, trailing_stop_pct: fractions in (0, 1) or null,
    take_profit_r: a number in (0, 100] or null (a target in R, instead of take_profit_pct; it
    needs a stop), cooldown_bars: int >= 0 (default 0)}; sizing: {kind: equity_fraction,
    fraction in (0, 1], default 1}, {kind: fixed_quote, amount > 0} or {kind: risk_per_trade,
    risk_pct in (0, 1)} (sized so that the initial stop loses risk_pct of the equity; it needs
    a stop).
    An alias is a lowercase identifier of at most 40 characters; kind and parameters come from
    strategies.indicators; timeframe is ccxt's spelling (15m, 4h, 1d).
    Numbers are written in decimal (20, -3, 0.5, 1e-3), between -1e15 and 1e15: YAML 1.1's
    other spellings (1:20, 0x14, 017, 0b101, 1_000, .inf, .nan) and JSON's NaN and Infinity
    are refused, never read as another number.

Rules
    A rule is a condition {lhs, op, rhs}, a group {combine: AND|OR, rules: [rule, ...]} or a
    negation {not: rule}; any of them may carry `direction: long|short`.
    A side is {bar: open|high|low|close|volume}, {indicator: alias} (its first output),
    {indicator: alias, field: output} or {value: number}; two fixed values are refused.
    Operators: gt lt gte lte eq crosses_up crosses_down (spellings such as >, crosses_above,
    crosses_under, greater_than are read as these; AND/OR in any case).

Semantics (implemented by the engine, stated here)
    Each condition is evaluated on every closed bar i of the run's timeframe.
    crosses_up fires only on the bar where it happens: a[i-1] < b[i-1] and a[i] > b[i], both
    strict; crosses_down mirrors it. Equal values on either bar are not a cross.
    A condition with a NaN input (an indicator still warming up) is false. Precisely, NaN makes
    a condition unknown: `not` keeps it unknown, AND is false if any member is false, OR is
    true if any member is true, otherwise unknown; a signal fires only where the rule is true.
    So nothing fires from a `not` during warm-up.
    Risk prices are fractions of the entry fill price: a long's stop-loss sits at
    entry x (1 - stop_loss_pct) and its take-profit at entry x (1 + take_profit_pct), a short's
    mirrored; the trailing stop follows the best price since entry (the highest high for a
    long, the lowest low for a short) at trailing_stop_pct behind it. cooldown_bars: bars to
    wait after a position closes before the next entry. Sizing: equity_fraction of the
    account's equity at entry, or a fixed amount of the quote currency.

    entry_trigger: an entry rule firing at close i (its direction's exit rule not firing)
    starts a wait; the entry is decided at the first close i+1..i+max_wait_bars where the
    trigger's rule holds and the exit rule does not, and that close starts no new wait; the
    signal expires at close i+max_wait_bars without it, or earlier where the exit rule fires.
    A new entry signal while one waits replaces it. The trigger's alternatives take
    directions as exits do; each direction that enters needs one.

Directions
    A direction applies to its rule's whole subtree. It may be set on the top rule or on an
    alternative of it: a member of an untagged OR at the top (recursively, through untagged
    ORs). Below a tagged rule, a rule may repeat the same direction but not contradict it;
    anywhere else (inside AND or not, without a tagged ancestor) a direction is refused.
    Entry alternatives without a direction enter long; exit alternatives without a direction
    close either side. long_only (default true) refuses any short direction.
    stop_and_reverse: true lets the other direction's entry leave a held position and enter at
    the same open (the fill model's point 10); it needs an entry in each direction.
    Document.entry_branches() gives each direction's alternatives joined by OR.
"""

import functools

from strategies.rules.document import Document
from strategies.rules.dump import dump
from strategies.rules.problems import DocumentError, Problem
from strategies.rules.reading import read_text
from strategies.rules.sentences import sentences
from strategies.rules.validation import validate, validate_located


def parse(text: str | bytes, *, base_timeframe: str | None = None) -> Document:
    """The document written in `text`, or DocumentError with every problem and its line."""
    data, lines = read_text(text)
    return validate_located(data, base_timeframe=base_timeframe, lines=lines)


@functools.lru_cache(maxsize=1024)
def parsed(text: str, base_timeframe: str | None = None) -> Document:
    """`parse`, remembered: a worker ticking runs reads each distinct document once, not at
    every bar of every run (a Document is frozen, so sharing it is safe). A refused document
    is not remembered: it raises each time."""
    return parse(text, base_timeframe=base_timeframe)


__all__ = [
    "Document",
    "DocumentError",
    "Problem",
    "dump",
    "parse",
    "parsed",
    "sentences",
    "validate",
]
