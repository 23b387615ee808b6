"""Bounds checked on the raw structure before anything walks it recursively."""

from strategies.rules import messages
from strategies.rules.limits import MAX_DEPTH, MAX_NODES
from strategies.rules.problems import Finding, lazy_format


def structure_findings(data: object) -> list[Finding]:
    """The root must be a mapping, at most MAX_DEPTH deep and MAX_NODES large (keys counted).

    Iterative on purpose: a thousand nested lists (or a list holding itself) must not
    overflow the stack here.
    """
    if data is None:
        return [((), messages.EMPTY)]
    if not isinstance(data, dict):
        return [((), messages.ROOT_NOT_MAPPING)]
    pending: list[tuple[object, int]] = [(data, 1)]
    seen = 0
    while pending:
        value, depth = pending.pop()
        seen += 1 + (len(value) if isinstance(value, dict) else 0)
        if seen > MAX_NODES:
            return [((), lazy_format(messages.TOO_MANY_NODES, limit=MAX_NODES))]
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                return [((), lazy_format(messages.TOO_DEEP, limit=MAX_DEPTH))]
            members = value.values() if isinstance(value, dict) else value
            pending.extend((member, depth + 1) for member in members)
    return []
