"""Why a rule fired at a bar: which of its conditions held there, for a run's decision log.

A condition is named by its path in the rule (member indices through the `all`/`any` groups);
a negation is one condition. The log stores paths, and pages word them in the reader's
language with strategies.rules.sentences.
"""

from strategies.engine.decide import Inputs, evaluate
from strategies.rules.document import Document, Rule
from strategies.rules.model import Combine
from strategies.series import Candles

Path = list[int]


def conditions_held(document: Document, candles: Candles, rule: Rule, bar: int) -> list[Path]:
    """The paths of `rule`'s conditions that were true at `bar` of `candles` (the same bars
    the decision pass saw)."""
    inputs = Inputs(document, candles)
    held: list[Path] = []

    def walk(node: Rule, path: Path) -> None:
        if isinstance(node, Combine):
            for index, member in enumerate(node.rules):
                walk(member, [*path, index])
        elif evaluate(node, inputs, slice(bar, bar + 1)).true[0]:
            held.append(path)

    walk(rule, [])
    return held


def condition_at(rule: Rule, path: Path) -> Rule | None:
    """The condition at `path` in `rule`; None when the path does not lead to one."""
    node = rule
    for index in path:
        if not isinstance(node, Combine) or not 0 <= index < len(node.rules):
            return None
        node = node.rules[index]
    return None if isinstance(node, Combine) else node
