"""The validated document and the branches the engine evaluates for each direction."""

from pydantic import Field

from strategies.rules.ladder import SafetyOrders
from strategies.rules.model import (
    Alias,
    Combine,
    EntryTrigger,
    EquityFraction,
    Indicator,
    Leaf,
    Model,
    Name,
    Negation,
    Node,
    Risk,
    Sizing,
)

Rule = Combine | Negation | Leaf
Branches = dict[str, Rule | None]


class Document(Model):
    """A valid strategy in canonical form: built by `validate` or `parse`, never by hand."""

    name: Name
    long_only: bool = True
    stop_and_reverse: bool = False
    indicators: dict[Alias, Indicator] = Field(default_factory=dict)
    entry: Node
    entry_trigger: EntryTrigger | None = None
    exit: Node | None = None
    risk: Risk = Field(default_factory=Risk)
    sizing: Sizing = Field(default_factory=EquityFraction)
    safety_orders: SafetyOrders | None = None

    def entry_branches(self) -> Branches:
        """{"long": rule or None, "short": rule or None}: untagged alternatives enter long."""
        return branches(self.entry, untagged=("long",))

    def trigger_branches(self) -> Branches:
        """{"long": ..., "short": ...}: the entry trigger's alternatives for each direction
        (untagged ones serve both); both None without a trigger."""
        return branches(
            None if self.entry_trigger is None else self.entry_trigger.condition(),
            untagged=("long", "short"),
        )

    def deciding_branches(self) -> Branches:
        """The rules whose truth at a close decides an entry there: the trigger's when the
        document has one (the entry rule fired closes before), else the entry's."""
        return self.trigger_branches() if self.entry_trigger else self.entry_branches()

    def exit_branches(self) -> Branches:
        """{"long": ..., "short": ...}: untagged alternatives close either side."""
        return branches(self.exit, untagged=("long", "short"))


def alternatives(rule: Rule) -> list[Rule]:
    """The rule's alternatives: the members of untagged ORs from the top, flattened."""
    if isinstance(rule, Combine) and rule.combine == "OR" and rule.direction is None:
        return [alternative for member in rule.rules for alternative in alternatives(member)]
    return [rule]


def branches(rule: Rule | None, *, untagged: tuple[str, ...]) -> Branches:
    """Each direction's alternatives joined by OR (the alternative itself when alone)."""
    found: dict[str, list[Rule]] = {"long": [], "short": []}
    for alternative in alternatives(rule) if rule is not None else []:
        for direction in (alternative.direction,) if alternative.direction else untagged:
            found[direction].append(alternative)
    return {direction: any_of(rules) for direction, rules in found.items()}


def any_of(rules: list[Rule]) -> Rule | None:
    if len(rules) <= 1:
        return rules[0] if rules else None
    return Combine.model_construct(combine="OR", rules=rules, direction=None)
