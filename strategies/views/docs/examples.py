"""The example documents the pages show, each shown with what the grammar makes of it.

An example's sentences and a refusal's problems are computed when the page is rendered,
never written down, so an example and its reading cannot disagree.
"""

from dataclasses import dataclass
from textwrap import dedent

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from strategies.rules import DocumentError, parse, sentences


@dataclass(frozen=True)
class Example:
    slug: str
    title: Promise | str
    text: str
    base_timeframe: str | None = None


@dataclass(frozen=True)
class ShownExample:
    slug: str
    title: str
    text: str
    sentences: list[str]


@dataclass(frozen=True)
class ShownProblem:
    path: str
    line: int | None
    message: str


@dataclass(frozen=True)
class ShownRefusal:
    slug: str
    title: str
    text: str
    base_timeframe: str | None
    problems: list[ShownProblem]


def example(slug: str, title: Promise | str, text: str, base: str | None = None) -> Example:
    return Example(slug, title, dedent(text).strip() + "\n", base)


FIRST = example(
    "first",
    _("A first strategy: two moving averages"),
    """
    name: EMA crossover
    indicators:
      fast: {kind: ema, period: 12}
      slow: {kind: ema, period: 26}
    entry:
      lhs: {indicator: fast}
      op: crosses_up
      rhs: {indicator: slow}
    exit:
      lhs: {indicator: fast}
      op: crosses_down
      rhs: {indicator: slow}
    risk:
      stop_loss_pct: 0.03
    """,
)

SIDES = example(
    "sides",
    _("Every kind of side: bar fields, outputs, fixed values and states"),
    """
    name: Oversold in an uptrend
    indicators:
      rsi: {kind: rsi, period: 14}
      trend: {kind: trend, period: 50}
      bands: {kind: bollinger, period: 20, stddev: 2}
    entry:
      combine: AND
      rules:
        - {lhs: {indicator: trend}, op: eq, rhs: {value: 1}}
        - {lhs: {indicator: rsi}, op: lt, rhs: {value: 30}}
        - {lhs: {bar: close}, op: lte, rhs: {indicator: bands, field: lower}}
    exit:
      lhs: {bar: close}
      op: gte
      rhs: {indicator: bands, field: mid}
    risk:
      stop_loss_pct: 0.04
    """,
)

GROUPS = example(
    "groups",
    _("Groups inside groups, a negation and other spellings"),
    """
    name: Strong trend, two triggers
    indicators:
      adx: {kind: adx, period: 14}
      ema: {kind: ema, period: 50}
      macd: {kind: macd, fast: 12, slow: 26, signal: 9}
    entry:
      combine: and
      rules:
        - {lhs: {indicator: adx}, op: ">", rhs: {value: 25}}
        - combine: or
          rules:
            - {lhs: {bar: close}, op: crosses_above, rhs: {indicator: ema}}
            - {lhs: {indicator: macd}, op: crosses_above, rhs: {indicator: macd, field: signal}}
    exit:
      not: {lhs: {bar: close}, op: gt, rhs: {indicator: ema}}
    """,
)

DIRECTIONS = example(
    "directions",
    _("Long and short in one strategy"),
    """
    name: EMA crossover, both ways
    long_only: false
    indicators:
      fast: {kind: ema, period: 12}
      slow: {kind: ema, period: 26}
    entry:
      combine: OR
      rules:
        - {direction: long, lhs: {indicator: fast}, op: crosses_up, rhs: {indicator: slow}}
        - {direction: short, lhs: {indicator: fast}, op: crosses_down, rhs: {indicator: slow}}
    exit:
      combine: OR
      rules:
        - {direction: long, lhs: {indicator: fast}, op: crosses_down, rhs: {indicator: slow}}
        - {direction: short, lhs: {indicator: fast}, op: crosses_up, rhs: {indicator: slow}}
    risk:
      stop_loss_pct: 0.03
    """,
)

TIMEFRAMES = example(
    "timeframes",
    _("A 4-hour trend filter on a 1-hour run"),
    """
    name: 4h trend, 1h trigger
    indicators:
      trend_4h: {kind: trend, period: 50, timeframe: 4h}
      ema: {kind: ema, period: 20}
    entry:
      combine: AND
      rules:
        - {lhs: {indicator: trend_4h}, op: eq, rhs: {value: 1}}
        - {lhs: {bar: close}, op: crosses_up, rhs: {indicator: ema}}
    exit:
      lhs: {bar: close}
      op: crosses_down
      rhs: {indicator: ema}
    """,
    "1h",
)

RISK = example(
    "risk",
    _("Exits by risk only, with a fixed amount per entry"),
    """
    name: RSI rebound
    indicators:
      rsi: {kind: rsi, period: 14}
    entry: {lhs: {indicator: rsi}, op: crosses_up, rhs: {value: 30}}
    risk:
      stop_loss_pct: 0.03
      take_profit_pct: 0.06
      trailing_stop_pct: 0.05
      cooldown_bars: 4
    sizing: {kind: fixed_quote, amount: 250}
    """,
)

EXAMPLES = (FIRST, SIDES, GROUPS, DIRECTIONS, TIMEFRAMES, RISK)

BROKEN = example(
    "broken",
    _("A document with five mistakes"),
    """
    name: Broken on purpose
    indicators:
      fast: {kind: ema, period: 0}
    entry:
      combine: AND
      rules:
        - {lhs: {indicator: fast}, op: crosses, rhs: {indicator: slow}}
        - {lhs: {bar: close}, op: gt, rhs: {indicator: fast}, direction: short}
    """,
)

TOO_SHORT = example(
    "too_short",
    _("An indicator on 15-minute candles in a 1-hour run"),
    """
    name: Too fine
    indicators:
      fast: {kind: ema, period: 12, timeframe: 15m}
    entry: {lhs: {bar: close}, op: gt, rhs: {indicator: fast}}
    risk: {stop_loss_pct: 0.03}
    """,
    "1h",
)

REFUSALS = (BROKEN, TOO_SHORT)


def shown(example: Example) -> ShownExample:
    """The example with its sentences in the active language (it must be valid)."""
    document = parse(example.text, base_timeframe=example.base_timeframe)
    return ShownExample(example.slug, str(example.title), example.text, sentences(document))


def refused(example: Example) -> ShownRefusal:
    """The example with the problems it is refused for (it must be refused)."""
    try:
        parse(example.text, base_timeframe=example.base_timeframe)
    except DocumentError as error:
        problems = [ShownProblem(p.path, p.line, str(p.message)) for p in error.errors]
    else:
        raise ValueError(f"the example {example.slug!r} should be refused")
    return ShownRefusal(
        example.slug, str(example.title), example.text, example.base_timeframe, problems
    )
