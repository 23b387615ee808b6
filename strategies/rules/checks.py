"""What the document means, checked on the raw data so that these problems are reported
together with the shape problems: indicators and their parameters, references, directions.

Anything of the wrong shape is skipped here: the pydantic tree reports it.
"""

import difflib
import math
from collections.abc import Mapping
from typing import Any

from strategies.indicators import REGISTRY, IndicatorSpec, Param
from strategies.rules import messages
from strategies.rules.limits import MAX_MAGNITUDE
from strategies.rules.problems import Finding, Path, lazy_format
from strategies.rules.rule_checks import Context, rule_findings, side_findings
from strategies.series import is_timeframe, timeframe_ms, timeframe_of

OWN_KEYS = ("kind", "timeframe")


def meaning_findings(data: Mapping[str, Any], base_timeframe: str | None) -> list[Finding]:
    findings: list[Finding] = []
    indicators = _declared(data.get("indicators", {}), base_timeframe, findings)
    long_only = data.get("long_only", True)
    context = Context(indicators, long_only if isinstance(long_only, bool) else None)
    for section in ("entry", "exit"):
        if data.get(section) is not None:
            findings += rule_findings(data[section], (section,), context)
    trigger = data.get("entry_trigger")
    if isinstance(trigger, dict) and trigger.get("rule") is not None:
        findings += rule_findings(trigger["rule"], ("entry_trigger", "rule"), context)
    if isinstance(trigger, dict):
        findings += side_findings(trigger.get("level"), ("entry_trigger", "level"), context)
    if data.get("exit") is None and not _has_risk_exit(data.get("risk")):
        findings.append((("exit",), messages.NO_WAY_OUT))
    return findings


def _has_risk_exit(risk: object) -> bool:
    if risk is not None and not isinstance(risk, dict):
        return True  # malformed: the shape problem is the one to fix first
    keys = ("stop_loss_pct", "take_profit_pct", "take_profit_r", "trailing_stop_pct", "stop_anchor")
    return any((risk or {}).get(key) is not None for key in keys)


def _declared(
    raw: object, base_timeframe: str | None, findings: list[Finding]
) -> dict[str, IndicatorSpec | None] | None:
    if not isinstance(raw, dict):
        return None
    specs: dict[str, IndicatorSpec | None] = {}
    for alias, declaration in raw.items():
        path: Path = ("indicators", alias)
        specs[alias] = None
        if isinstance(declaration, dict) and isinstance(declaration.get("kind"), str):
            specs[alias] = REGISTRY.get(declaration["kind"])
            findings += indicator_findings(path, declaration, specs[alias], base_timeframe)
    return specs


def indicator_findings(
    path: Path, declaration: dict, spec: IndicatorSpec | None, base_timeframe: str | None
) -> list[Finding]:
    """The kind exists, every parameter is one of its own and in range, the parameters agree
    with each other, and the timeframe can be built from the run's."""
    if spec is None:
        return [((*path, "kind"), unknown_kind(declaration["kind"]))]
    findings: list[Finding] = []
    for name, value in declaration.items():
        if name in OWN_KEYS:
            continue
        param = spec.param_index.get(name)
        if param is None:
            findings.append(((*path, name), _unknown_param(spec)))
        else:
            findings += [((*path, name), message) for message in param_problems(param, value)]
    if not findings:
        params = {k: v for k, v in declaration.items() if k not in OWN_KEYS}
        findings += [(path, message) for message in spec.broken_constraints(params)]
    findings += _timeframe_findings(path, declaration.get("timeframe"), spec, base_timeframe)
    return findings


def _timeframe_findings(
    path: Path, timeframe: object, spec: IndicatorSpec, base_timeframe: str | None
) -> list[Finding]:
    where = (*path, "timeframe")
    if below_base(timeframe, base_timeframe):
        return [
            (
                where,
                lazy_format(
                    messages.TIMEFRAME_BELOW_BASE, timeframe=timeframe, base=base_timeframe
                ),
            )
        ]
    if not_a_multiple(timeframe, base_timeframe):
        return [
            (
                where,
                lazy_format(
                    messages.TIMEFRAME_NOT_MULTIPLE, timeframe=timeframe, base=base_timeframe
                ),
            )
        ]
    own = timeframe if isinstance(timeframe, str) and is_timeframe(timeframe) else base_timeframe
    if own is not None and spec.max_bar_ms is not None and timeframe_ms(own) > spec.max_bar_ms:
        place = where if own == timeframe else path
        longest = timeframe_of(spec.max_bar_ms)
        message = lazy_format(
            messages.TIMEFRAME_TOO_LONG, kind=spec.kind, longest=longest, timeframe=own
        )
        return [(place, message)]
    return []


def not_a_multiple(timeframe: object, base_timeframe: str | None) -> bool:
    """A valid timeframe whose bars cannot be built from whole bars of the run's."""
    if base_timeframe is None or not isinstance(timeframe, str) or not is_timeframe(timeframe):
        return False
    return timeframe_ms(timeframe) % timeframe_ms(base_timeframe) != 0


def below_base(timeframe: object, base_timeframe: str | None) -> bool:
    """A valid timeframe shorter than the run's (unknown base: never)."""
    if base_timeframe is None or not isinstance(timeframe, str) or not is_timeframe(timeframe):
        return False
    return timeframe_ms(timeframe) < timeframe_ms(base_timeframe)


def unknown_kind(kind: str) -> Any:
    """The kinds spelled closest to `kind` ("emaa", "EMA": ema), else every kind; both say
    where the kinds are described, as the unknown operator's message lists the operators."""
    lower = kind.lower()
    close = [lower] if lower in REGISTRY else difflib.get_close_matches(lower, REGISTRY, n=3)
    if close:
        return lazy_format(messages.UNKNOWN_KIND_CLOSE, kind=kind, close=", ".join(close))
    return lazy_format(messages.UNKNOWN_KIND, kind=kind, kinds=", ".join(REGISTRY))


def _unknown_param(spec: IndicatorSpec) -> Any:
    if not spec.params:
        return lazy_format(messages.NO_PARAMS, kind=spec.kind)
    names = ", ".join(param.name for param in spec.params)
    return lazy_format(messages.UNKNOWN_PARAM, kind=spec.kind, names=names)


def param_problems(param: Param, value: object) -> list[Any]:
    """Why `value` does not fit the parameter (empty when it does)."""
    if param.kind is str:
        if not isinstance(value, str):
            return [messages.NOT_TEXT]
        if param.choices and value not in param.choices:
            return [lazy_format(messages.PARAM_CHOICE, choices=", ".join(param.choices))]
        return []
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [messages.NOT_WHOLE_NUMBER if param.kind is int else messages.NOT_NUMBER]
    if param.kind is int and not isinstance(value, int):
        return [messages.NOT_WHOLE_NUMBER]
    if abs(value) > MAX_MAGNITUDE:  # before float(): an integer of 400 digits overflows it
        return [lazy_format(messages.NUMBER_TOO_LARGE, limit=f"{MAX_MAGNITUDE:.0e}")]
    if not math.isfinite(value):
        return [messages.NOT_FINITE]
    if param.minimum is not None and value < param.minimum:
        return [lazy_format(messages.AT_LEAST, ge=param.minimum)]
    if param.maximum is not None and value > param.maximum:
        return [lazy_format(messages.AT_MOST, le=param.maximum)]
    return []
