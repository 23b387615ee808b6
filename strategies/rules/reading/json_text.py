"""JSON through the standard library, after a bracket scan that bounds its depth (the decoder
recurses) and size; lines are found by reading the same text as YAML, when it can."""

import json
import re
from typing import Any

from strategies.rules import messages
from strategies.rules.limits import MAX_DEPTH, MAX_NODES
from strategies.rules.problems import DocumentError, Lines, Path, Problem, format_path, lazy_format
from strategies.rules.reading.yaml_text import lines_of

# Strings are skipped whole so that brackets inside them do not count. Python's decoder also
# reads NaN, Infinity and -Infinity, which JSON does not have: they are found here too.
STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},:]|-?Infinity|NaN')
NOT_NUMBERS = ("NaN", "Infinity", "-Infinity")


def scan(text: str) -> None:
    """Refuse JSON deeper than MAX_DEPTH or larger than MAX_NODES (keys counted), roughly:
    each opening bracket, comma and colon starts a node. Refuse NaN and Infinity."""
    depth, nodes = 0, 1
    for match in STRUCTURE.finditer(text):
        piece = match.group()
        if piece in NOT_NUMBERS:
            raise _refusal(text, match.start(), lazy_format(messages.NOT_DECIMAL, text=piece))
        if piece in "[{":
            depth += 1
        elif piece in "]}":
            depth -= 1
        nodes += piece in "[{,:"
        if depth > MAX_DEPTH:
            raise _refusal(text, match.start(), lazy_format(messages.TOO_DEEP, limit=MAX_DEPTH))
        if nodes > MAX_NODES:
            raise _refusal(
                text, match.start(), lazy_format(messages.TOO_MANY_NODES, limit=MAX_NODES)
            )


def _refusal(text: str, offset: int, message: Any) -> DocumentError:
    return DocumentError([Problem("", message, text.count("\n", 0, offset) + 1)])


def decode(text: str) -> tuple[object, list[tuple[dict, str]]]:
    """The data, and the (mapping, key) pairs that appeared twice in a mapping."""
    twice: list[tuple[dict, str]] = []

    def mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                twice.append((result, key))
            else:
                result[key] = value
        return result

    return json.loads(text, object_pairs_hook=mapping), twice


def duplicate_problems(
    data: object, twice: list[tuple[dict, str]], repeated: Lines
) -> list[Problem]:
    """Each duplicate key at its path (found by walking the data: the decoder gives no paths)."""
    wanted = {
        id(mapping): [key for owner, key in twice if owner is mapping] for mapping, _ in twice
    }
    problems: list[Problem] = []
    pending: list[tuple[object, Path]] = [(data, ())]
    while pending and wanted:
        value, path = pending.pop()
        if isinstance(value, dict):
            for key in wanted.pop(id(value), []):
                message = lazy_format(messages.DUPLICATE_KEY, key=key)
                line = repeated.get((*path, key))
                problems.append(Problem(format_path((*path, key)), message, line))
            pending.extend((member, (*path, key)) for key, member in value.items())
        elif isinstance(value, list):
            pending.extend((member, (*path, index)) for index, member in enumerate(value))
    return problems


def read_json(text: str) -> tuple[object, Lines | None]:
    """Raw data and, when the text also reads as YAML, the line of each path."""
    scan(text)
    data, twice = decode(text)
    lines, repeated = lines_of(text) or (None, {})
    if twice:
        raise DocumentError(duplicate_problems(data, twice, repeated))
    return data, lines
