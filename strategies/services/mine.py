"""Writes on a user's own strategies. Every change of a document is a new version; history
is never rewritten (a restore is a new version too).

Documents are stored in the canonical form (`strategies.rules.dump`). The document's `name`
key is not tied to the strategy's name: a user renames a strategy without touching its
document, and a document keeps whatever name validates (a copy keeps the catalog's slug).
"""

import re
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import translation

from accounts.models import User
from strategies import rules, version_notes
from strategies.indicators import get as indicator_spec
from strategies.models import CatalogEntry, Strategy, StrategyVersion
from strategies.rules import Document, DocumentError, Problem
from strategies.selectors.mine import catalog_title

NAME_MAX_LENGTH = Strategy._meta.get_field("name").max_length or 80
# Two users copying the same entry at once can both see a name free; a few retries settle it.
NAME_ATTEMPTS = 5

BLANK_DOCUMENT = """\
name: my-strategy
long_only: true
indicators:
  rsi: {kind: rsi, period: 14}
entry: {lhs: {indicator: rsi}, op: crosses_up, rhs: {value: 30}}
exit: {lhs: {indicator: rsi}, op: crosses_down, rhs: {value: 70}}
risk: {stop_loss_pct: 0.05}
"""

DocumentSource = str | Mapping[str, object] | Document


class StrategyNameTaken(ValueError):
    """The owner already has a strategy of that name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def blank_document() -> str:
    """The small valid example a new strategy starts from, in canonical form."""
    return rules.dump(rules.parse(BLANK_DOCUMENT))


def document_checked(source: DocumentSource) -> Document:
    """The validated document of text, data or a Document, or DocumentError listing every
    problem (the indicators' cross-parameter rules included)."""
    if isinstance(source, str):
        document = rules.parse(source)
    elif isinstance(source, Document):
        # Built by code (a study's numbers): read back as its text, so it meets every rule
        # a typed document meets, those across keys included.
        document = rules.parse(rules.dump(source))
    else:
        document = rules.validate(dict(source))
    problems = _broken_constraints(document, source if isinstance(source, str) else None)
    if problems:
        raise DocumentError(problems)
    return document


def _broken_constraints(document: Document, text: str | None) -> list[Problem]:
    # The grammar checks each parameter's range; rules across parameters (MACD's fast period
    # below its slow one) live in the registry, so they are checked here too.
    return [
        Problem(f"indicators.{alias}", message, _alias_line(text, alias))
        for alias, indicator in document.indicators.items()
        for message in indicator_spec(indicator.kind).broken_constraints(indicator.params)
    ]


def _alias_line(text: str | None, alias: str) -> int | None:
    """The line declaring an indicator alias in YAML text: the first indented `alias:` key
    after the top-level `indicators:` key (None when it cannot be told, as in JSON)."""
    if text is None:
        return None
    declaration = re.compile(rf"^\s+{re.escape(alias)}\s*:")
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line[:1].isspace() and line.strip():
            inside = line.startswith("indicators:")
        elif inside and declaration.match(line):
            return number
    return None


def _new_strategy(*, owner: User, name: str, copied_from: CatalogEntry | None = None) -> Strategy:
    try:
        with transaction.atomic():
            return Strategy.objects.create(owner=owner, name=name, copied_from=copied_from)
    except IntegrityError as clash:
        raise StrategyNameTaken(name) from clash


def _first_version(strategy: Strategy, document: Document, note: str) -> StrategyVersion:
    return StrategyVersion.objects.create(
        strategy=strategy, number=1, document=rules.dump(document), note=note
    )


@transaction.atomic
def strategy_create(*, owner: User, name: str, document: DocumentSource) -> Strategy:
    """A new strategy with its version 1; DocumentError or StrategyNameTaken, nothing saved."""
    checked = document_checked(document)
    strategy = _new_strategy(owner=owner, name=name)
    _first_version(strategy, checked, version_notes.stored_note(version_notes.CREATED))
    return strategy


def free_name(*, owner: User, base: str) -> str:
    """`base`, or "base (2)", "base (3)"... : the first name the owner does not use yet."""
    taken = set(Strategy.objects.owned_by(owner).values_list("name", flat=True))
    name, number = base[:NAME_MAX_LENGTH], 2
    while name in taken:
        suffix = f" ({number})"
        name, number = f"{base[: NAME_MAX_LENGTH - len(suffix)]}{suffix}", number + 1
    return name


@transaction.atomic
def strategy_copy_from_catalog(
    *, owner: User, entry: CatalogEntry, language: str | None = None
) -> Strategy:
    """The entry's document as a new strategy of the owner, named after its title in
    `language` (the active one by default), made unique; version 1 says where it came from."""
    checked = document_checked(entry.document)
    base = catalog_title(entry, language or translation.get_language())
    note = version_notes.stored_note(version_notes.COPIED, slug=entry.slug, version=entry.version)
    for _attempt in range(NAME_ATTEMPTS):
        try:
            strategy = _new_strategy(
                owner=owner, name=free_name(owner=owner, base=base), copied_from=entry
            )
        except StrategyNameTaken:
            continue
        _first_version(strategy, checked, note)
        return strategy
    raise StrategyNameTaken(base)


@transaction.atomic
def strategy_version_save(
    *, strategy: Strategy, document: DocumentSource, note: str
) -> StrategyVersion | None:
    """A new version (previous number + 1) holding the document's canonical form, or None
    when it equals the latest version's; DocumentError, nothing saved, when it is invalid."""
    text = rules.dump(document_checked(document))
    # The row lock serialises concurrent saves of one strategy (on SQLite the IMMEDIATE
    # transaction does); the unique (strategy, number) constraint backs it up.
    locked = Strategy.objects.select_for_update().get(pk=strategy.pk)
    latest = locked.versions.order_by("-number").first()
    if latest is not None and latest.document == text:
        return None
    version = StrategyVersion.objects.create(
        strategy=locked, number=(latest.number if latest else 0) + 1, document=text, note=note
    )
    locked.save(update_fields=["updated_at"])
    strategy.updated_at = locked.updated_at
    return version


@transaction.atomic
def strategy_version_restore(*, strategy: Strategy, number: int) -> StrategyVersion | None:
    """A new version whose document is version `number`'s (None when it is the latest's);
    StrategyVersion.DoesNotExist when the strategy has no such version."""
    old = strategy.versions.get(number=number)
    note = version_notes.stored_note(version_notes.RESTORED, number=number)
    return strategy_version_save(strategy=strategy, document=old.document, note=note)


@transaction.atomic
def strategy_rename(*, strategy: Strategy, name: str) -> Strategy:
    """The strategy under its new name; StrategyNameTaken when the owner already uses it."""
    if name == strategy.name:
        return strategy
    previous, strategy.name = strategy.name, name
    try:
        with transaction.atomic():
            strategy.save(update_fields=["name", "updated_at"])
    except IntegrityError as clash:
        strategy.name = previous
        raise StrategyNameTaken(name) from clash
    return strategy


@transaction.atomic
def strategy_delete(*, strategy: Strategy) -> None:
    """The strategy and all its versions, gone."""
    strategy.delete()
