"""Checks on the rule tree: references to indicators, comparisons that can never be true,
and where directions may be set (see the package docstring for the direction rules)."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from strategies.indicators import IndicatorSpec
from strategies.rules import messages
from strategies.rules.model import node_shape, side_shape
from strategies.rules.problems import Finding, Path, lazy_format
from strategies.rules.vocabulary import canonical_combine, canonical_direction


@dataclass(frozen=True)
class Context:
    """What a rule is checked against: the declared indicators (alias -> spec, None when the
    kind is unknown; the whole table None when it is malformed), long_only (None: malformed),
    the direction set above the rule, and whether the rule is an alternative of the top."""

    indicators: Mapping[str, IndicatorSpec | None] | None
    long_only: bool | None
    inherited: str | None = None
    alternative: bool = True


def rule_findings(rule: object, path: Path, context: Context) -> list[Finding]:
    """Every problem of meaning in the rule and below it (depth is bounded beforehand)."""
    shape = node_shape(rule)
    if shape is None or not isinstance(rule, dict):
        return []
    direction = canonical_direction(rule.get("direction"))
    findings = direction_findings(direction, (*path, "direction"), context)
    below = replace(context, inherited=direction or context.inherited, alternative=False)
    if shape == "<combine>" and isinstance(rule.get("rules"), list):
        is_or = canonical_combine(rule.get("combine")) == "OR"
        below = replace(below, alternative=context.alternative and is_or and not below.inherited)
        for index, member in enumerate(rule["rules"]):
            findings += rule_findings(member, (*path, "rules", index), below)
    elif shape == "<not>":
        findings += rule_findings(rule["not"], (*path, "not"), below)
    elif shape == "<leaf>":
        findings += leaf_findings(rule, path, context)
    return findings


def direction_findings(direction: str | None, path: Path, context: Context) -> list[Finding]:
    if direction is None:
        return []
    if direction == "short" and context.long_only is True:
        return [(path, messages.SHORT_WHEN_LONG_ONLY)]
    if context.inherited and direction != context.inherited:
        return [(path, lazy_format(messages.CONTRADICTS, direction=context.inherited))]
    if not context.inherited and not context.alternative:
        return [(path, messages.MISPLACED_DIRECTION)]
    return []


def leaf_findings(leaf: dict, path: Path, context: Context) -> list[Finding]:
    findings: list[Finding] = []
    for name in ("lhs", "rhs"):
        findings += side_findings(leaf.get(name), (*path, name), context)
    lhs, rhs = leaf.get("lhs"), leaf.get("rhs")
    if side_shape(lhs) == side_shape(rhs) == "<value>":
        findings.append((path, messages.BOTH_CONSTANT))
    elif lhs is not None and lhs == rhs:
        findings.append((path, messages.SAME_SIDES))
    return findings


def side_findings(side: Any, path: Path, context: Context) -> list[Finding]:
    """An indicator side names a declared alias, and one of its kind's outputs."""
    if side_shape(side) != "<indicator>" or context.indicators is None:
        return []
    alias = side["indicator"]
    if not isinstance(alias, str):
        return []
    if alias not in context.indicators:
        return [((*path, "indicator"), lazy_format(messages.UNKNOWN_INDICATOR, alias=alias))]
    spec, field = context.indicators[alias], side.get("field")
    if spec is None or not isinstance(field, str) or field in spec.outputs:
        return []
    names = ", ".join(spec.outputs)
    message = lazy_format(messages.UNKNOWN_OUTPUT, field=field, kind=spec.kind, names=names)
    return [((*path, "field"), message)]
