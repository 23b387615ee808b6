"""Writes to the catalog: loading the content files, keeping what staff edited."""

from django.db import transaction

from noonbarbari.content_loading import LoadReport, Outcome, decide, digest
from strategies.content_files import TEXT_KEYS, StrategyContent
from strategies.models import CatalogEntry, CatalogEntryText

ENTRY_FIELDS = ("category", "bias", "timeframes", "skill", "position", "version", "document")


@transaction.atomic
def catalog_content_load(*, contents: list[StrategyContent], force: bool = False) -> LoadReport:
    """Create what the files have and the database lacks; update what staff left alone."""
    report = LoadReport()
    for content in contents:
        entry = _load_entry(content, report, force)
        for language, wanted in content.texts.items():
            _load_text(entry, language, wanted, report, force)
    return report


def _load_entry(content: StrategyContent, report: LoadReport, force: bool) -> CatalogEntry:
    wanted = {key: content.entry[key] for key in ENTRY_FIELDS}
    entry = CatalogEntry.objects.filter(slug=content.entry["slug"]).first()
    if entry is None:
        entry = CatalogEntry(slug=content.entry["slug"])
        outcome = Outcome.CREATED
    else:
        current = {key: getattr(entry, key) for key in ENTRY_FIELDS}
        outcome = decide(
            stored=entry.content_digest, current=digest(current), wanted=digest(wanted), force=force
        )
    if outcome in (Outcome.CREATED, Outcome.UPDATED):
        for key, value in wanted.items():
            setattr(entry, key, value)
        entry.content_digest = digest(wanted)
        entry.save()
    report.add(outcome, f"strategy {entry.slug}")
    return entry


def _load_text(
    entry: CatalogEntry, language: str, wanted: dict[str, str], report: LoadReport, force: bool
) -> None:
    text = CatalogEntryText.objects.filter(entry=entry, language=language).first()
    if text is None:
        text = CatalogEntryText(entry=entry, language=language)
        outcome = Outcome.CREATED
    else:
        current = {key: getattr(text, key) for key in TEXT_KEYS}
        outcome = decide(
            stored=text.content_digest, current=digest(current), wanted=digest(wanted), force=force
        )
    if outcome in (Outcome.CREATED, Outcome.UPDATED):
        for key in TEXT_KEYS:
            setattr(text, key, wanted[key])
        text.content_digest = digest(wanted)
        text.save()
    report.add(outcome, f"strategy {entry.slug} ({language})")
