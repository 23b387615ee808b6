"""What the "My strategies" pages show of a document: its reading (sentences, indicators),
its lines with their problems, and the line diff between two versions."""

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from strategies import rules
from strategies.indicators import REGISTRY
from strategies.models import StrategyVersion
from strategies.rules import Document, DocumentError, Problem
from strategies.rules.sentences import indicator_label
from strategies.version_notes import note_text

AT_LINE = _("line %(line)s: %(problem)s")
DIFF_CONTEXT = 3


@dataclass(frozen=True)
class IndicatorRow:
    alias: str
    kind: str
    title: str
    label: str
    params: list[tuple[str, Any]]
    timeframe: str | None


@dataclass(frozen=True)
class Reading:
    """A stored document read back: its sentences and indicators, or why it no longer reads
    (a registry change can retire what an old version used)."""

    document: Document | None
    sentences: list[str] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def indicator_rows(document: Document) -> list[IndicatorRow]:
    rows = []
    for alias, indicator in document.indicators.items():
        spec = REGISTRY[indicator.kind]
        params = spec.with_defaults(indicator.params)
        label = indicator_label(spec, params)
        rows.append(
            IndicatorRow(
                alias, spec.kind, str(spec.title), label, list(params.items()), indicator.timeframe
            )
        )
    return rows


def read_document(text: str) -> Reading:
    """The document of a stored version, in the active language."""
    try:
        document = rules.parse(text)
    except DocumentError as error:
        return Reading(None, problems=error.errors)
    return Reading(document, rules.sentences(document), indicator_rows(document))


def problem_text(problem: Problem) -> str:
    """ "line 7: entry.rules[0].op: unknown operator ..." (without "line" when it has none)."""
    return (
        str(AT_LINE % {"line": problem.line, "problem": problem}) if problem.line else str(problem)
    )


@dataclass(frozen=True)
class SourceLine:
    number: int
    text: str
    problems: list[str]


def numbered_lines(text: str, problems: list[Problem]) -> list[SourceLine]:
    """The text's lines, numbered from 1, each with the messages of the problems on it."""
    lines = text.splitlines() or [""]
    messages: dict[int, list[str]] = {}
    for problem in problems:
        if problem.line is not None:
            number = min(max(problem.line, 1), len(lines))
            messages.setdefault(number, []).append(str(problem))
    return [
        SourceLine(number, line, messages.get(number, []))
        for number, line in enumerate(lines, start=1)
    ]


@dataclass(frozen=True)
class DiffRow:
    """One row of a line diff: kind is "same", "added", "removed" or "gap" (skipped lines)."""

    kind: str
    old_number: int | None
    new_number: int | None
    text: str


def _opcode_rows(tag: str, old: list[str], new: list[str], spans: tuple[int, ...]) -> list[DiffRow]:
    i1, i2, j1, j2 = spans
    if tag == "equal":
        return [
            DiffRow("same", i + 1, j + 1, old[i])
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
        ]
    removed = [DiffRow("removed", i + 1, None, old[i]) for i in range(i1, i2)]
    return removed + [DiffRow("added", None, j + 1, new[j]) for j in range(j1, j2)]


def diff_rows(old_text: str, new_text: str) -> list[DiffRow]:
    """The changed lines with 3 lines of context, removed before added; [] when equal."""
    old, new = old_text.splitlines(), new_text.splitlines()
    if old == new:
        return []
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for index, group in enumerate(matcher.get_grouped_opcodes(DIFF_CONTEXT)):
        if index or group[0][1] > 0:
            rows.append(DiffRow("gap", None, None, ""))
        for tag, *spans in group:
            rows.extend(_opcode_rows(tag, old, new, tuple(spans)))
    return rows


@dataclass(frozen=True)
class HistoryRow:
    """A version in a history list, its note in the active language."""

    version: StrategyVersion
    note: str


def history(versions: Iterable[StrategyVersion]) -> list[HistoryRow]:
    return [HistoryRow(version, note_text(version.note)) for version in versions]
