"""validate: raw data (from YAML, JSON or Python) in, a canonical `Document` out, or every
problem at once."""

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from strategies.indicators import REGISTRY
from strategies.rules import messages
from strategies.rules.checks import meaning_findings
from strategies.rules.document import Document
from strategies.rules.model import (
    LEVEL_KINDS,
    UNION_TAGS,
    BarSide,
    EquityFraction,
    Indicator,
    Risk,
    RiskPerTrade,
)
from strategies.rules.problems import (
    DocumentError,
    Finding,
    Lines,
    Path,
    lazy_format,
    locate,
    plain_number,
)
from strategies.rules.structure import structure_findings
from strategies.series import is_timeframe


def validate(data: object, *, base_timeframe: str | None = None) -> Document:
    """The document as canonical data, or DocumentError listing every problem (line None)."""
    return validate_located(data, base_timeframe=base_timeframe, lines=None)


def validate_located(data: object, *, base_timeframe: str | None, lines: Lines | None) -> Document:
    """`validate`, placing each problem on its line when the data came from text."""
    if base_timeframe is not None and not is_timeframe(base_timeframe):
        raise ValueError(f"not a timeframe: {base_timeframe!r}")
    findings = structure_findings(data)
    if findings or not isinstance(data, dict):  # structure_findings refuses any other root
        raise DocumentError(locate(findings, lines))
    document, findings = shape(data)
    findings += meaning_findings(data, base_timeframe)
    if document is not None:
        findings += whole_findings(document)
    if findings or document is None:
        raise DocumentError(locate(findings, lines))
    return with_defaults(document)


def shape(data: Mapping[str, Any]) -> tuple[Document | None, list[Finding]]:
    try:
        return Document.model_validate(data), []
    except ValidationError as error:
        return None, [shape_finding(detail) for detail in error.errors(include_url=False)]


def whole_findings(document: Document) -> list[Finding]:
    """What only the whole, well-shaped document shows: a reversal needs both directions, an
    R target and risk sizing need a stop to measure from, a target is set once."""
    findings: list[Finding] = []
    if document.stop_and_reverse and None in document.entry_branches().values():
        findings.append((("stop_and_reverse",), messages.REVERSAL_ONE_DIRECTION))
    findings += trigger_findings(document)
    if document.entry_trigger is not None and document.entry_trigger.condition() is not None:
        triggers = document.trigger_branches()
        for side, rule in document.entry_branches().items():
            if rule is not None and triggers[side] is None:  # its signals could only expire
                message = lazy_format(messages.TRIGGER_WITHOUT_SIDE, direction=side)
                findings.append((("entry_trigger", "rule"), message))
    risk, stopped = document.risk, document.risk.has_stop()
    if risk.take_profit_r is not None and risk.take_profit_pct is not None:
        findings.append((("risk", "take_profit_r"), messages.TARGET_TWICE))
    elif risk.take_profit_r is not None and not stopped:
        findings.append((("risk", "take_profit_r"), messages.R_TARGET_WITHOUT_STOP))
    elif widest_target(risk) >= 1 and document.entry_branches()["short"] is not None:
        findings.append((("risk", "take_profit_r"), lazy_format(messages.R_TARGET_BELOW_ZERO)))
    if isinstance(document.sizing, RiskPerTrade) and not stopped:
        findings.append((("sizing", "kind"), messages.RISK_SIZING_WITHOUT_STOP))
    return findings + anchor_findings(document) + ladder_findings(document)


def trigger_findings(document: Document) -> list[Finding]:
    """A rule trigger has its rule; a named one is built from its kind, with the level a
    pullback or a retest needs."""
    trigger = document.entry_trigger
    if trigger is None:
        return []
    findings: list[Finding] = []
    if trigger.kind == "rule" and trigger.rule is None:
        findings.append((("entry_trigger", "rule"), messages.REQUIRED))
    elif trigger.kind != "rule" and trigger.rule is not None:
        message = lazy_format(messages.TRIGGER_RULE_WITH_KIND, kind=trigger.kind)
        findings.append((("entry_trigger", "rule"), message))
    if trigger.kind in LEVEL_KINDS and trigger.level is None:
        findings.append((("entry_trigger", "level"), messages.REQUIRED))
    elif trigger.kind in LEVEL_KINDS and isinstance(trigger.level, BarSide):
        findings.append((("entry_trigger", "level"), messages.TRIGGER_LEVEL_BAR))
    elif trigger.kind not in LEVEL_KINDS and trigger.level is not None:
        findings.append((("entry_trigger", "level"), messages.TRIGGER_LEVEL_UNUSED))
    return findings


def widest_target(risk: Risk) -> float:
    """The farthest a target may be from the entry, as a share of its price: an R target
    measured from an anchored stop may be as far as the anchor's widest stop allows."""
    anchor = risk.stop_anchor
    if anchor is None or risk.take_profit_r is None:
        return risk.target_share() or 0.0
    widest = max(anchor.max_pct, risk.stop_loss_pct or 0.0)
    return risk.take_profit_r * (risk.initial_stop_share(widest) or 0.0)


def anchor_findings(document: Document) -> list[Finding]:
    """An anchored stop's fallback is a percentage that must be there, and is the only use
    of stop_loss_pct beside it; a number of bars is a swing's; a ladder has no anchor."""
    risk = document.risk
    anchor = risk.stop_anchor
    if anchor is None:
        return []
    findings: list[Finding] = []
    if anchor.too_wide == "percent" and risk.stop_loss_pct is None:
        findings.append(
            (("risk", "stop_anchor", "too_wide"), messages.ANCHOR_FALLBACK_WITHOUT_STOP)
        )
    elif anchor.too_wide != "percent" and risk.stop_loss_pct is not None:
        findings.append((("risk", "stop_loss_pct"), messages.ANCHOR_AND_STOP_LOSS))
    if anchor.at != "swing" and anchor.bars is not None:
        findings.append((("risk", "stop_anchor", "bars"), messages.ANCHOR_BARS_WITHOUT_SWING))
    if document.safety_orders is not None:
        findings.append((("risk", "stop_anchor"), messages.ANCHOR_WITH_LADDER))
    return findings


def ladder_findings(document: Document) -> list[Finding]:
    """A ladder's rungs stay above zero, and its worst case within the equity; risk sizing
    cannot size a position whose size depends on how many safety orders fill."""
    ladder = document.safety_orders
    if ladder is None:
        return []
    findings: list[Finding] = []
    if ladder.deviations()[-1] >= 1:
        findings.append(
            (("safety_orders", "deviation_pct"), lazy_format(messages.SAFETY_BELOW_ZERO))
        )
    if isinstance(document.sizing, RiskPerTrade):
        findings.append((("sizing", "kind"), messages.SAFETY_WITH_RISK_SIZING))
    elif isinstance(document.sizing, EquityFraction):
        committed = document.sizing.fraction * ladder.worst_case_multiple()
        if committed > 1 + 1e-9:
            shown = plain_number(round(committed * 100, 2))
            message = lazy_format(messages.SAFETY_OVER_EQUITY, percent=shown)
            findings.append((("sizing", "fraction"), message))
    return findings


def shape_finding(detail: ErrorDetails) -> Finding:
    """One of pydantic's errors as our path and our message."""
    path = user_path(detail["loc"])
    kind, context = detail["type"], detail.get("ctx") or {}
    if kind == "unknown_sizing":
        return sizing_finding(path, detail["input"])
    template = messages.PYDANTIC_MESSAGES.get(kind, messages.INVALID)
    return path, lazy_format(template, **context) if context else template


def sizing_finding(path: Path, given: object) -> Finding:
    if not isinstance(given, dict):
        return path, messages.NOT_MAPPING
    if "kind" not in given:
        return (*path, "kind"), messages.REQUIRED
    return (*path, "kind"), lazy_format(messages.UNKNOWN_SIZING, value=given["kind"])


def user_path(loc: tuple[str | int, ...]) -> Path:
    """Pydantic's location without union tags and key markers: entry.rules[0].op."""
    kept = []
    for position, part in enumerate(loc):
        # A user's key can look like a tag only where keys are free: the last part (an
        # unknown key) and an indicator's alias.
        free = position == len(loc) - 1 or (position == 1 and loc[0] == "indicators")
        if part == "[key]" or (part in UNION_TAGS and not free):
            continue
        kept.append(part)
    return tuple(kept)


def with_defaults(document: Document) -> Document:
    """Every parameter written out, floats as floats: the form that is stored and shown."""
    indicators = {
        alias: canonical_indicator(indicator) for alias, indicator in document.indicators.items()
    }
    return document.model_copy(update={"indicators": indicators})


def canonical_indicator(indicator: Indicator) -> Indicator:
    spec = REGISTRY[indicator.kind]
    params = spec.with_defaults(indicator.params)
    for param in spec.params:
        if param.kind is float:
            params[param.name] = float(params[param.name])
    return indicator.model_copy(update={"params": params})
