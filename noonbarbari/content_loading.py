"""Versioned content files loaded into rows that staff may edit (guides, exchange facts, the
strategy catalog): one rule for when a file may overwrite a row.

Each row keeps the digest of the content last loaded into it. A row whose content moved
away from that digest was edited in the admin, and a load keeps it unless forced.
"""

import hashlib
import json
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT = "kept"  # edited in the admin since the last load, and the file changed too


@dataclass
class LoadReport:
    rows: dict[Outcome, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, outcome: Outcome, name: str) -> None:
        self.rows[outcome].append(name)

    def count(self, outcome: Outcome) -> int:
        return len(self.rows[outcome])


def decide(*, stored: str, current: str, wanted: str, force: bool) -> Outcome:
    """Whether a row should take the file's content.

    `stored` is the digest of the content last loaded into the row, `current` the row's
    content now, `wanted` the file's. A row whose content moved away from `stored` was
    edited in the admin: it is only overwritten when forced.
    """
    if current == wanted:
        return Outcome.UNCHANGED
    if force or current == stored:
        return Outcome.UPDATED
    return Outcome.KEPT


def digest(snapshot: dict[str, Any]) -> str:
    """A stable fingerprint of a snapshot; line endings and outer blanks do not count."""
    return hashlib.sha256(
        json.dumps(_normalise(snapshot), sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    return value


class ContentError(ValueError):
    """A content file that cannot be loaded; the message names the file and the problem."""


def load_toml(path: Path) -> dict[str, Any]:
    """A content file's TOML, or ContentError naming the file."""
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{path}: {error}") from error


def check_keys(
    path: Path, raw: dict[str, Any], required: set[str], optional: set[str], where: str = ""
) -> None:
    missing = required - raw.keys()
    unknown = raw.keys() - required - optional
    if missing:
        raise ContentError(f"{path}: {where}missing {', '.join(sorted(missing))}")
    if unknown:
        hint = (
            " (in TOML, keys written after a [[table]] belong to it: put top-level keys first)"
            if where
            else ""
        )
        raise ContentError(f"{path}: {where}unknown {', '.join(sorted(unknown))}{hint}")


class LoadContentCommand(BaseCommand):
    """A management command that loads a content folder into the database, keeping staff edits
    unless forced, and names the rows it kept. Subclasses set what is loaded."""

    content_name: str  # "Guides", "Strategies": how the summary line starts
    default_dir: Path

    def load(self, *, content_dir: Path, force: bool) -> LoadReport:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite rows edited in the admin with the files' content.",
        )
        parser.add_argument(
            "--content-dir", type=Path, default=self.default_dir, help="Content folder."
        )

    def handle(
        self, *args: object, force: bool, content_dir: Path, verbosity: int, **options: object
    ) -> None:
        try:
            report = self.load(content_dir=content_dir, force=force)
        except ContentError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{report.count(outcome)} {outcome}" for outcome in Outcome)
        if verbosity:
            self.stdout.write(f"{self.content_name} loaded: {counts}.")
        for name in report.rows[Outcome.KEPT]:
            self.stdout.write(
                self.style.WARNING(
                    f"Kept {name}: edited in the admin since the last load. "
                    f"Run {self._name()} --force to replace it with the file's content."
                )
            )

    def _name(self) -> str:
        return type(self).__module__.rsplit(".", 1)[-1]
