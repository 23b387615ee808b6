"""YAML through PyYAML's C-backed safe loader, with nothing built until the event stream has
been scanned: anchors, aliases and tags are refused there, before any construction, so an
alias bomb costs one event and !!python/object never reaches a constructor."""

from typing import Any, cast

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from strategies.rules import messages
from strategies.rules.limits import MAX_DEPTH, MAX_NODES
from strategies.rules.problems import DocumentError, Lines, Path, Problem, format_path, lazy_format
from strategies.rules.reading import numbers

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)
STANDARD_TAG = "tag:yaml.org,2002:"


def syntax_problem(error: yaml.YAMLError) -> Problem:
    """Our message for a syntax error (PyYAML's own English text is not shown)."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = None if mark is None else mark.line + 1
    # libyaml stops at 1,000 levels on its own, before our scan sees the 33rd.
    if "nesting depth" in str(getattr(error, "problem", "")):
        return Problem("", lazy_format(messages.TOO_DEEP, limit=MAX_DEPTH), line)
    column = "?" if mark is None else mark.column + 1
    return Problem("", lazy_format(messages.NOT_YAML, column=column), line)


def scan(text: str) -> None:
    """Refuse what must never be constructed, reading events one at a time."""
    depth = nodes = documents = 0
    try:
        event: Any
        for event in yaml.parse(text, Loader=LOADER):
            message = hostile(event)
            documents += isinstance(event, yaml.DocumentStartEvent)
            nodes += isinstance(event, NODE_EVENTS)
            depth += isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent)
            depth -= isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent)
            if message is None and documents > 1:
                message = messages.SEVERAL_DOCUMENTS
            if message is None and depth > MAX_DEPTH:
                message = lazy_format(messages.TOO_DEEP, limit=MAX_DEPTH)
            if message is None and nodes > MAX_NODES:
                message = lazy_format(messages.TOO_MANY_NODES, limit=MAX_NODES)
            if message is not None:
                raise DocumentError([Problem("", message, event.start_mark.line + 1)])
    except yaml.YAMLError as error:
        raise DocumentError([syntax_problem(error)]) from None


def hostile(event: Any) -> Any:
    if isinstance(event, yaml.AliasEvent):
        return lazy_format(messages.ALIAS, name=event.anchor)
    if getattr(event, "anchor", None) is not None:
        return lazy_format(messages.ANCHOR, name=event.anchor)
    tag = getattr(event, "tag", None)
    if tag is not None:
        return lazy_format(messages.TAG, tag=tag.replace(STANDARD_TAG, "!!"))
    return None


def compose(text: str) -> Node | None:
    try:
        return yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError as error:
        raise DocumentError([syntax_problem(error)]) from None


class Builder:
    """Python values from composed nodes, recording each path's line and refusing duplicate
    keys (PyYAML would keep the last one silently). Depth is bounded by the scan."""

    def __init__(self) -> None:
        self.lines: Lines = {}
        self.repeated: Lines = {}  # the line of each key's second appearance
        self.problems: list[Problem] = []
        self.scalars = SafeConstructor()

    def build(self, node: Node, path: Path = ()) -> object:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.scalar(cast(ScalarNode, node), path)

    def scalar(self, node: ScalarNode, path: Path) -> object:
        if numbers.spelled_otherwise(node):
            self.problem(path, lazy_format(messages.NOT_DECIMAL, text=node.value[:40]), node)
            return None
        exponent = numbers.exponent_number(node)
        if exponent is not None:
            return exponent
        try:
            return self.scalars.construct_object(node)
        except (ValueError, yaml.YAMLError):  # an int past Python's digit limit, a bad date
            self.problem(path, messages.INVALID, node)
            return None

    def mapping(self, node: MappingNode, path: Path) -> dict[str, object]:
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(path, messages.KEY_NOT_TEXT, key_node)
                continue
            key, child = key_node.value, (*path, key_node.value)
            if key in result:
                self.repeated.setdefault(child, key_node.start_mark.line + 1)
                self.problem(child, lazy_format(messages.DUPLICATE_KEY, key=key), key_node)
                continue
            self.lines[child] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, child)
        return result

    def problem(self, path: Path, message: Any, node: Node) -> None:
        self.problems.append(Problem(format_path(path), message, node.start_mark.line + 1))


def read_yaml(text: str) -> tuple[object, Lines]:
    """Raw data and the line of each path, or DocumentError."""
    scan(text)
    root = compose(text)
    if root is None:
        return None, {}
    builder = Builder()
    data = builder.build(root)
    if builder.problems:
        raise DocumentError(builder.problems)
    return data, builder.lines


def lines_of(text: str) -> tuple[Lines, Lines] | None:
    """Best effort for JSON: the line of each path and of each repeated key, read as YAML;
    None when the text does not read as YAML."""
    try:
        root = yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    builder = Builder()
    builder.build(root)
    return builder.lines, builder.repeated
