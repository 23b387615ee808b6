"""The indicators page's content, read from the registry: nothing here is written per kind.

Every function returns text in the active language, so it is called while a request's
language is active (the page is then cached per language).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from strategies.indicators import REGISTRY, IndicatorSpec, Param
from strategies.rules.problems import plain_number
from strategies.rules.sentences import indicator_label
from strategies.series import timeframe_ms, timeframe_of

# Bar lengths a calendar indicator's warm-up is shown for (its warm-up depends on them).
SAMPLE_TIMEFRAMES = ("15m", "1h", "4h", "1d")

PARAM_KINDS = {int: _("whole number"), float: _("number"), str: _("text")}
RANGE_BETWEEN = _("%(minimum)s to %(maximum)s")
RANGE_AT_LEAST = _("at least %(minimum)s")
RANGE_AT_MOST = _("at most %(maximum)s")
RANGE_CHOICES = _("one of: %(choices)s")
STATE_WORD = _("%(value)s: %(word)s")
WARMUP_ON = _("%(timeframe)s bars: %(count)s")
MAX_TIMEFRAME = _("For timeframes up to %(timeframe)s: longer ones are refused.")


@dataclass(frozen=True)
class ParamRow:
    name: str
    kind: str
    default: str
    range: str
    help: str


@dataclass(frozen=True)
class OutputRow:
    name: str
    is_default: bool
    states: list[str]
    sparse: bool


@dataclass(frozen=True)
class WarmupLine:
    """The warm-up of some outputs (all of them when `outputs` is empty): one figure, or one
    per sample timeframe when it depends on the bar length."""

    outputs: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class IndicatorDoc:
    kind: str
    title: str
    description: str
    definition: str
    params: list[ParamRow]
    outputs: list[OutputRow]
    warmup: list[WarmupLine]
    constraints: list[str]
    limit: str
    declaration: str
    reading: str


def indicator_docs() -> list[IndicatorDoc]:
    """Every registered indicator, in registration order (families stay together)."""
    return [indicator_doc(spec) for spec in REGISTRY.values()]


def indicator_doc(spec: IndicatorSpec) -> IndicatorDoc:
    defaults = spec.with_defaults({})
    return IndicatorDoc(
        kind=spec.kind,
        title=str(spec.title),
        description=str(spec.description),
        definition=str(spec.definition),
        params=[param_row(param) for param in spec.params],
        outputs=[output_row(spec, name) for name in spec.outputs],
        warmup=warmup_lines(spec),
        constraints=[str(constraint.message) for constraint in spec.constraints],
        limit=str(MAX_TIMEFRAME % {"timeframe": timeframe_of(spec.max_bar_ms)})
        if spec.max_bar_ms
        else "",
        declaration=declaration(spec.kind, defaults),
        reading=indicator_label(spec, defaults),
    )


def shown(value: Any) -> str:
    """A parameter's value as a reader writes it: numbers without float noise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return plain_number(value)


def written(value: Any) -> str:
    """A value as a document writes it (a dot for decimals, whatever the page's language)."""
    return yaml.safe_dump(value, default_flow_style=True).removesuffix("\n...\n").strip()


def param_row(param: Param) -> ParamRow:
    return ParamRow(
        name=param.name,
        kind=str(PARAM_KINDS.get(param.kind, param.kind.__name__)),
        default=written(param.default),
        range=param_range(param),
        help=str(param.help),
    )


def param_range(param: Param) -> str:
    if param.choices:
        return str(RANGE_CHOICES % {"choices": ", ".join(param.choices)})
    bounds = {"minimum": shown(param.minimum), "maximum": shown(param.maximum)}
    if param.minimum is not None and param.maximum is not None:
        return str(RANGE_BETWEEN % bounds)
    if param.minimum is not None:
        return str(RANGE_AT_LEAST % bounds)
    if param.maximum is not None:
        return str(RANGE_AT_MOST % bounds)
    return ""


def output_row(spec: IndicatorSpec, name: str) -> OutputRow:
    words = spec.states.get(name, {})
    return OutputRow(
        name=name,
        is_default=name == spec.outputs[0],
        states=[
            str(STATE_WORD % {"value": shown(value), "word": word})
            for value, word in sorted(words.items(), reverse=True)
        ],
        sparse=name in spec.sparse_outputs,
    )


def sample_timeframes(spec: IndicatorSpec) -> list[str]:
    return [
        timeframe
        for timeframe in SAMPLE_TIMEFRAMES
        if spec.max_bar_ms is None or timeframe_ms(timeframe) <= spec.max_bar_ms
    ]


def warmup_lines(spec: IndicatorSpec) -> list[WarmupLine]:
    """Outputs grouped by their warm-up with the default parameters, the slowest group last."""
    timeframes = sample_timeframes(spec)
    groups: dict[tuple[int, ...], list[str]] = {}
    for output in spec.outputs:
        figures = tuple(spec.warmup_of(output, {}, timeframe_ms(tf)) for tf in timeframes)
        groups.setdefault(figures, []).append(output)
    lines = []
    for figures, outputs in sorted(groups.items(), key=lambda group: max(group[0])):
        shown_outputs = tuple(outputs) if len(groups) > 1 else ()
        lines.append(WarmupLine(shown_outputs, warmup_text(figures, timeframes)))
    return lines


def warmup_text(figures: tuple[int, ...], timeframes: Iterable[str]) -> str:
    if len(set(figures)) == 1:
        return bars_text(figures[0])
    return "; ".join(
        str(WARMUP_ON % {"timeframe": tf, "count": count})
        for tf, count in zip(timeframes, figures, strict=True)
    )


def bars_text(count: int) -> str:
    if count == 0:
        return str(_("none: there is a value from the first bar"))
    return ngettext(
        "%(count)s bar with the default parameters: the first value is on bar %(first)s",
        "%(count)s bars with the default parameters: the first value is on bar %(first)s",
        count,
    ) % {"count": count, "first": count + 1}


def declaration(kind: str, params: dict[str, Any]) -> str:
    """How a document declares it with its defaults: `ema: {kind: ema, period: 20}`."""
    return yaml.safe_dump(
        {kind: {"kind": kind, **params}}, default_flow_style=None, sort_keys=False, width=200
    ).strip()
