"""The document's tree as frozen pydantic models: what `validate` returns and the engine reads.

Validators here only check the shape and spell words canonically; what the document means
(known indicators, parameters, directions) is checked in `checks`, on the raw data.
"""

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from strategies.rules import vocabulary as words
from strategies.rules.limits import (
    DEFAULT_SWING_BARS,
    MAX_ALIAS_LENGTH,
    MAX_COOLDOWN_BARS,
    MAX_MAGNITUDE,
    MAX_NAME_LENGTH,
    MAX_R_MULTIPLE,
    MAX_SWING_BARS,
    MAX_WAIT_BARS,
)
from strategies.series import is_timeframe

ALIAS = re.compile(r"^[a-z][a-z0-9_]*$")


class Model(BaseModel):
    model_config = ConfigDict(
        strict=True, extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=False
    )


def _spelling(canonical, error_type: str):
    """A validator reading any accepted spelling as the canonical word, or refusing it."""

    def check(value: object) -> str:
        word = canonical(value)
        if word is None:
            raise PydanticCustomError(error_type, "not a known word", {"value": value})
        return word

    return PlainValidator(check)


def _number(value: object) -> float:
    """A finite int or float (never a bool, never a numeric string); ints stay ints."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("float_type", "not a number")
    if value != value or value in (float("inf"), float("-inf")):
        raise PydanticCustomError("finite_number", "not finite")
    if abs(value) > MAX_MAGNITUDE:
        raise PydanticCustomError(
            "number_too_large", "too large", {"limit": f"{MAX_MAGNITUDE:.0e}"}
        )
    return value


def _alias(value: object) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "not text")
    if len(value) > MAX_ALIAS_LENGTH or not ALIAS.match(value):
        raise PydanticCustomError("alias_format", "bad alias", {"limit": MAX_ALIAS_LENGTH})
    return value


def _timeframe(value: object) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "not text")
    if not is_timeframe(value):
        raise PydanticCustomError("timeframe_format", "bad timeframe", {"value": value})
    return value


def _name(value: object) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "not text")
    if not value.strip():
        raise PydanticCustomError("blank_name", "blank")
    if len(value) > MAX_NAME_LENGTH:
        raise PydanticCustomError("string_too_long", "long", {"max_length": MAX_NAME_LENGTH})
    return value


Operator = Annotated[words.Operator, _spelling(words.canonical_operator, "unknown_operator")]
CombineName = Annotated[words.CombineName, _spelling(words.canonical_combine, "unknown_combine")]
Direction = Annotated[words.Direction, _spelling(words.canonical_direction, "unknown_direction")]
BarField = Annotated[words.BarField, _spelling(words.canonical_bar_field, "unknown_bar_field")]
Number = Annotated[float, PlainValidator(_number)]
Alias = Annotated[str, PlainValidator(_alias)]
Timeframe = Annotated[str, PlainValidator(_timeframe)]
Name = Annotated[str, PlainValidator(_name)]
Fraction = Annotated[float, Field(gt=0, lt=1)]


class BarSide(Model):
    """A field of the current bar: {bar: close}."""

    bar: BarField


class IndicatorSide(Model):
    """An indicator's output: its first output unless `field` names another."""

    indicator: str
    field: str | None = None


class ValueSide(Model):
    """A fixed number: {value: 30}."""

    value: Number


def side_shape(data: object) -> str | None:
    """Which side a raw mapping is, by the key it carries; None when it is none of them."""
    if isinstance(data, dict):
        for key in ("bar", "indicator", "value"):
            if key in data:
                return f"<{key}>"
    if isinstance(data, BarSide | IndicatorSide | ValueSide):
        return f"<{next(iter(type(data).model_fields))}>"
    return None


Side = Annotated[
    Annotated[BarSide, Tag("<bar>")]
    | Annotated[IndicatorSide, Tag("<indicator>")]
    | Annotated[ValueSide, Tag("<value>")],
    Discriminator(side_shape, custom_error_type="side_shape", custom_error_message="side"),
]


class Leaf(Model):
    """A comparison of two sides: {lhs, op, rhs}."""

    lhs: Side
    op: Operator
    rhs: Side
    direction: Direction | None = None


class Combine(Model):
    """Its rules joined by AND or OR."""

    combine: CombineName
    rules: list["Node"] = Field(min_length=1)
    direction: Direction | None = None


class Negation(Model):
    """True where the rule under `not` is false (see the package docstring for NaN)."""

    negated: "Node" = Field(alias="not")
    direction: Direction | None = None


def node_shape(data: object) -> str | None:
    """Which node a raw mapping is, by the keys it carries; None when it is none of them."""
    if isinstance(data, Combine | Negation | Leaf):
        return {Combine: "<combine>", Negation: "<not>", Leaf: "<leaf>"}[type(data)]
    if not isinstance(data, dict):
        return None
    if "combine" in data or "rules" in data:
        return "<combine>"
    if "not" in data:
        return "<not>"
    if {"lhs", "op", "rhs"} & data.keys():
        return "<leaf>"
    return None


Node = Annotated[
    Annotated[Combine, Tag("<combine>")]
    | Annotated[Negation, Tag("<not>")]
    | Annotated[Leaf, Tag("<leaf>")],
    Discriminator(node_shape, custom_error_type="node_shape", custom_error_message="node"),
]
# Union tags appear in pydantic's error locations; paths shown to users leave them out.
UNION_TAGS = frozenset(
    {"<combine>", "<not>", "<leaf>", "<bar>", "<indicator>", "<value>"}
    | {"<equity_fraction>", "<fixed_quote>", "<risk_per_trade>"}
)


class Indicator(Model):
    """A declared indicator: its kind, its parameters (defaults filled in) and its timeframe
    (None: the run's)."""

    kind: str
    params: dict[str, Any] = Field(default_factory=dict)
    timeframe: Timeframe | None = None

    @model_validator(mode="before")
    @classmethod
    def _gather_params(cls, data: Any) -> Any:
        # The document writes parameters beside kind: {kind: ema, period: 12}.
        if isinstance(data, dict):
            params = {k: v for k, v in data.items() if k not in ("kind", "timeframe")}
            return {**{k: data[k] for k in ("kind", "timeframe") if k in data}, "params": params}
        return data


AnchorPoint = Literal["signal_candle", "swing"]
TooWide = Literal["skip", "clamp", "percent"]


def _word(choices: tuple[str, ...]):
    """A validator accepting exactly one of `choices` (the message lists them)."""

    def check(value: object) -> str:
        if not isinstance(value, str) or value not in choices:
            shown = {"value": value, "choices": ", ".join(choices)}
            raise PydanticCustomError("unknown_choice", "not one of the words", shown)
        return value

    return PlainValidator(check)


class StopAnchor(Model):
    """A stop-loss set on the chart: at the low (a short: the high) of the candle whose close
    decided the entry, or of the `bars` candles ending with it (a swing); at most `max_pct`
    from the entry price, or `too_wide` says what happens (the fill model's point 12)."""

    at: Annotated[AnchorPoint, _word(("signal_candle", "swing"))]
    bars: int | None = Field(default=None, ge=2, le=MAX_SWING_BARS)
    max_pct: Fraction
    too_wide: Annotated[TooWide, _word(("skip", "clamp", "percent"))] = "skip"

    def swing_bars(self) -> int:
        return self.bars or DEFAULT_SWING_BARS

    def bars_read(self) -> int:
        """The candles the anchor reads, ending with the one whose close decided: one for
        the signal candle, a swing's bars."""
        return 1 if self.at == "signal_candle" else self.swing_bars()


class Risk(Model):
    """Exits beside the rules, as fractions of a price (see the package docstring); a target
    may instead be a multiple of the entry-to-stop distance (take_profit_r), and the
    stop-loss may be anchored to the chart (stop_anchor)."""

    stop_loss_pct: Fraction | None = None
    take_profit_pct: Fraction | None = None
    take_profit_r: float | None = Field(default=None, gt=0, le=MAX_R_MULTIPLE)
    trailing_stop_pct: Fraction | None = None
    cooldown_bars: int = Field(default=0, ge=0, le=MAX_COOLDOWN_BARS)
    stop_anchor: StopAnchor | None = None

    def has_stop(self) -> bool:
        """Whether every position has a stop to measure risk from."""
        return bool(self.stop_anchor or self.stop_loss_pct or self.trailing_stop_pct)

    def initial_stop_share(self, anchored: float | None = None) -> float | None:
        """How far below a long's entry (above a short's) its stop starts, as a share of the
        entry price: the nearer of the stop-loss and the trailing stop's first level; None
        without either. With an anchor the stop-loss is the trade's own share, `anchored`
        (None when not known: no fixed share). Risk sizing and R targets measure from it."""
        stop_loss = anchored if self.stop_anchor else self.stop_loss_pct
        if self.stop_anchor and anchored is None:
            return None
        shares = [share for share in (stop_loss, self.trailing_stop_pct) if share]
        return min(shares) if shares else None

    def target_share(self, anchored: float | None = None) -> float | None:
        """The take-profit as a share of the entry price: take_profit_pct, or take_profit_r
        times the initial stop's share (validation makes sure there is one; None with an
        anchor whose share is not known)."""
        if self.take_profit_r is None:
            return self.take_profit_pct
        stop = self.initial_stop_share(anchored)
        return None if stop is None else self.take_profit_r * stop


TRIGGER_KINDS = ("rule", "pullback", "confirmation_candle", "retest")
TriggerKind = Literal["rule", "pullback", "confirmation_candle", "retest"]
# The kinds that wait for the price to come to a level.
LEVEL_KINDS = ("pullback", "retest")


class EntryTrigger(Model):
    """After an entry rule fires, the entry waits up to `max_wait_bars` closes for its
    trigger, otherwise the signal expires: `rule` (any rule), or a named kind: a pullback to
    `level` (a long: a low at or under it), a confirmation candle (a long: a close above its
    open) or a retest of `level` (a long: a low at or under it and a close above it); a
    short's mirrored."""

    kind: Annotated[TriggerKind, _word(TRIGGER_KINDS)] = "rule"
    rule: "Node | None" = None
    level: Side | None = None
    max_wait_bars: int = Field(ge=1, le=MAX_WAIT_BARS)

    def condition(self) -> "Node | None":
        """The rule the wait checks at each close: `rule`, or the named kind's, with a long
        and a short alternative (None when the kind's part is missing: validation says so)."""
        if self.kind == "rule":
            return self.rule
        long_: Leaf | Combine
        short: Leaf | Combine
        if self.kind == "confirmation_candle":
            sides = (_bar("close"), _bar("open"))
            long_, short = _leaf(*sides, "gt", "long"), _leaf(*sides, "lt", "short")
        elif self.level is None:
            return None
        elif self.kind == "pullback":
            long_ = _leaf(_bar("low"), self.level, "lte", "long")
            short = _leaf(_bar("high"), self.level, "gte", "short")
        else:  # a retest: back to the level, and closed on the entry's side of it
            long_ = _all_of(
                [_leaf(_bar("low"), self.level, "lte"), _leaf(_bar("close"), self.level, "gt")],
                "long",
            )
            short = _all_of(
                [_leaf(_bar("high"), self.level, "gte"), _leaf(_bar("close"), self.level, "lt")],
                "short",
            )
        return Combine.model_construct(combine="OR", rules=[long_, short], direction=None)


def _bar(field: str) -> BarSide:
    return BarSide.model_construct(bar=field)


def _leaf(lhs, rhs, op: str, direction: str | None = None) -> Leaf:
    return Leaf.model_construct(lhs=lhs, op=op, rhs=rhs, direction=direction)


def _all_of(rules: list, direction: str) -> Combine:
    return Combine.model_construct(combine="AND", rules=rules, direction=direction)


class EquityFraction(Model):
    kind: Literal["equity_fraction"] = "equity_fraction"
    fraction: float = Field(default=1.0, gt=0, le=1)


class FixedQuote(Model):
    kind: Literal["fixed_quote"]
    amount: float = Field(gt=0, le=MAX_MAGNITUDE)


class RiskPerTrade(Model):
    """Sized so that the stop costs `risk_pct` of the equity: an equity fraction of risk_pct
    divided by the initial stop's share, at most all of it (the fill model's point 2)."""

    kind: Literal["risk_per_trade"]
    risk_pct: Fraction

    def equity_fraction(self, risk: Risk, anchored: float | None = None) -> float:
        stop = risk.initial_stop_share(anchored)
        if stop is None:  # validation refuses it; a document built by hand commits nothing
            return 0.0
        return min(self.risk_pct / stop, 1.0)


SIZING_KINDS = ("equity_fraction", "fixed_quote", "risk_per_trade")


def sizing_shape(data: object) -> str | None:
    if isinstance(data, EquityFraction | FixedQuote | RiskPerTrade):
        return f"<{data.kind}>"
    if isinstance(data, dict) and data.get("kind") in SIZING_KINDS:
        return f"<{data['kind']}>"
    return None


Sizing = Annotated[
    Annotated[EquityFraction, Tag("<equity_fraction>")]
    | Annotated[FixedQuote, Tag("<fixed_quote>")]
    | Annotated[RiskPerTrade, Tag("<risk_per_trade>")],
    Discriminator(sizing_shape, custom_error_type="unknown_sizing", custom_error_message="s"),
]
