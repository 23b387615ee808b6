"""dump: a document as its canonical YAML text, the one form that is stored and shown.

Keys come in a fixed order; conditions, sides, indicators, risk and sizing are written on one
line each (flow style), groups as blocks, as in the issue's example. parse(dump(d)) == d.
"""

from typing import Any

import yaml

from strategies.rules.document import Document, Rule
from strategies.rules.model import BarSide, Combine, Indicator, IndicatorSide, Negation


class Flow(dict):
    """A mapping written on one line."""


class Block(dict):
    """A mapping written as an indented block, keys in insertion order."""


class Dumper(yaml.SafeDumper):
    """The pure-Python emitter: it lets list items be indented under their key, as people
    write them (the C emitter cannot)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


Dumper.add_representer(
    Flow, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, True)
)
Dumper.add_representer(
    Block, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, False)
)


def dump(document: Document) -> str:
    """The canonical YAML text of a validated document."""
    tree = Block(name=document.name, long_only=document.long_only)
    if document.stop_and_reverse:  # written only when set: the texts stored before stay as they are
        tree["stop_and_reverse"] = True
    tree["indicators"] = Block(
        (alias, indicator_tree(indicator)) for alias, indicator in document.indicators.items()
    )
    tree["entry"] = rule_tree(document.entry)
    if document.entry_trigger is not None:  # written only when set, as stop_and_reverse
        trigger = document.entry_trigger
        if trigger.kind == "rule" and trigger.rule is not None:
            tree["entry_trigger"] = Block(
                max_wait_bars=trigger.max_wait_bars, rule=rule_tree(trigger.rule)
            )
        else:  # a named kind: written as it is read, never as the rule it stands for
            named = Block(kind=trigger.kind)
            if trigger.level is not None:
                named["level"] = side_tree(trigger.level)
            named["max_wait_bars"] = trigger.max_wait_bars
            tree["entry_trigger"] = named
    if document.exit is not None:
        tree["exit"] = rule_tree(document.exit)
    risk = document.risk.model_dump()
    for key in ("take_profit_r", "stop_anchor"):  # written only when set: texts stored before stay
        if risk[key] is None:
            del risk[key]
    if document.risk.stop_anchor is not None:
        risk["stop_anchor"] = Flow(document.risk.stop_anchor.model_dump(exclude_none=True))
    # On one line, unless an anchor makes it too long to read there.
    tree["risk"] = Block(risk) if document.risk.stop_anchor is not None else Flow(risk)
    tree["sizing"] = Flow(document.sizing.model_dump())
    if document.safety_orders is not None:  # written only when set, as stop_and_reverse
        tree["safety_orders"] = Flow(document.safety_orders.model_dump())
    text: str = yaml.dump(
        tree, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=120, indent=2
    )
    return text


def indicator_tree(indicator: Indicator) -> Flow:
    tree = Flow(kind=indicator.kind, **indicator.params)
    if indicator.timeframe is not None:
        tree["timeframe"] = indicator.timeframe
    return tree


def rule_tree(rule: Rule) -> dict[str, Any]:
    direction = {"direction": rule.direction} if rule.direction else {}
    if isinstance(rule, Combine):
        return Block(combine=rule.combine, **direction, rules=[rule_tree(r) for r in rule.rules])
    if isinstance(rule, Negation):
        return Block({"not": rule_tree(rule.negated), **direction})
    return Flow(lhs=side_tree(rule.lhs), op=rule.op, rhs=side_tree(rule.rhs), **direction)


def side_tree(side: BarSide | IndicatorSide | Any) -> Flow:
    if isinstance(side, BarSide):
        return Flow(bar=side.bar)
    if isinstance(side, IndicatorSide):
        return Flow(indicator=side.indicator, **({"field": side.field} if side.field else {}))
    return Flow(value=side.value)
