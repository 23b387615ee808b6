"""What a refused document reports: problems with their path, line and translated message."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from strategies.i18n import Promise, lazy, pgettext_lazy
from strategies.rules.messages import AT_LINE

Path = tuple[str | int, ...]

# The translator decides the decimal mark: "0.5" in English, "0,5" in French.
DECIMAL_MARK = pgettext_lazy("decimal mark in numbers", ".")


def format_path(path: Path) -> str:
    """("entry", "rules", 0, "rhs") -> "entry.rules[0].rhs"; the root is ""."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def plain_number(number: float | Decimal) -> str:
    """12 -> "12", 1.0 -> "1", 0.035 -> "0.035", 1e-05 -> "0.00001": no exponent, no float noise."""
    exact = Decimal(repr(number)) if isinstance(number, float) else Decimal(number)
    text = format(exact.normalize(), "f")
    return text.replace(".", str(DECIMAL_MARK))


def _render(template: Any, params: Mapping[str, Any]) -> str:
    return str(template) % {key: _as_text(value) for key, value in params.items()}


def _as_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    return plain_number(value)


_render_lazy: Any = lazy(_render, str)


def lazy_format(template: Any, **params: Any) -> Promise:
    """A message rendered in the language active when it is displayed, not when it is made."""
    return _render_lazy(template, params)


@dataclass(frozen=True)
class Problem:
    """One reason a document is refused: `path` in the style entry.rules[0].op ("" for the
    document itself), the 1-based `line` when it came from text, and a translatable message."""

    path: str
    message: Promise | str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else str(self.message)


class DocumentError(ValueError):
    """The document is refused; `errors` holds every problem found, in document order."""

    def __init__(self, errors: Sequence[Problem]) -> None:
        self.errors = list(errors)
        super().__init__(self.errors)

    def __str__(self) -> str:
        return "\n".join(
            str(AT_LINE % {"line": problem.line, "problem": problem})
            if problem.line
            else str(problem)
            for problem in self.errors
        )


# A problem before it is placed in the text: its path as a tuple, and its message.
Finding = tuple[Path, Promise | str]
Lines = dict[Path, int]


def line_of(path: Path, lines: Lines | None) -> int | None:
    """The line of the path, or of its nearest ancestor in the text (a missing key has none)."""
    if lines is None:
        return None
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def locate(findings: Sequence[Finding], lines: Lines | None) -> list[Problem]:
    """Findings as problems, in the order of the text when there is one."""
    problems = [
        Problem(format_path(path), message, line_of(path, lines)) for path, message in findings
    ]
    if lines is not None:
        problems.sort(key=lambda problem: problem.line or 0)
    return problems
