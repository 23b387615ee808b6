"""Writes to guides: loading the versioned content, publishing."""

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from exchanges.clients import UnknownExchange
from exchanges.models import Exchange
from exchanges.services import exchange_facts_load, exchange_sister_link
from guides.content_files import (
    ITEM_KIND_ORDER,
    TEXT_KEYS,
    ContentError,
    ExchangeContent,
)
from guides.models import Guide, GuideItem, GuideTranslation
from noonbarbari.content_loading import LoadReport, Outcome, decide, digest
from noonbarbari.page_cache import content_changed


@transaction.atomic
def guide_content_load(*, contents: list[ExchangeContent], force: bool = False) -> LoadReport:
    """Create what the content files have and the database lacks; update what staff left alone."""
    report = LoadReport()
    loaded = [(content, *_load_exchange(content, report, force)) for content in contents]
    for content, exchange, outcome in loaded:
        if outcome in (Outcome.CREATED, Outcome.UPDATED):
            exchange_sister_link(exchange=exchange, sister_slug=content.sister)
    for content, exchange, _outcome in loaded:
        guide = _load_guide(exchange, content, report, force)
        for language, snapshot in content.translations.items():
            _load_translation(guide, language, snapshot, report, force)
    return report


def _load_exchange(
    content: ExchangeContent, report: LoadReport, force: bool
) -> tuple[Exchange, Outcome]:
    try:
        exchange, outcome = exchange_facts_load(
            facts=content.facts, sister=content.sister, force=force
        )
    except UnknownExchange as error:
        raise ContentError(f"{content.folder}: {error}") from None
    report.add(outcome, f"exchange {exchange.slug}")
    return exchange, outcome


def _load_guide(
    exchange: Exchange, content: ExchangeContent, report: LoadReport, force: bool
) -> Guide:
    wanted = content.guide
    name = f"guide {exchange.slug}"
    guide = Guide.objects.filter(exchange=exchange).first()
    if guide is None:
        guide = Guide(exchange=exchange, **wanted)
        outcome = Outcome.CREATED
    else:
        current = {key: getattr(guide, key) for key in wanted}
        outcome = decide(
            stored=guide.content_digest, current=digest(current), wanted=digest(wanted), force=force
        )
        if outcome is Outcome.UPDATED:
            for key, value in wanted.items():
                setattr(guide, key, value)
    if outcome in (Outcome.CREATED, Outcome.UPDATED):
        guide.content_digest = digest(wanted)
        guide.save()
    report.add(outcome, name)
    return guide


def _translation_snapshot(translation: GuideTranslation) -> dict[str, Any]:
    snapshot: dict[str, Any] = {key: getattr(translation, key) for key in TEXT_KEYS}
    items = sorted(
        translation.items.all(),
        key=lambda item: (ITEM_KIND_ORDER.index(item.kind), item.position, item.pk),
    )
    snapshot["items"] = [
        {
            "kind": item.kind,
            "label": item.label,
            "level": item.level,
            "anchor": item.anchor,
            "text": item.text,
            "fix": item.fix,
        }
        for item in items
    ]
    return snapshot


def _load_translation(
    guide: Guide, language: str, wanted: dict[str, Any], report: LoadReport, force: bool
) -> None:
    name = f"guide {guide.exchange.slug} ({language})"
    translation = (
        GuideTranslation.objects.prefetch_related("items")
        .filter(guide=guide, language=language)
        .first()
    )
    if translation is None:
        translation = GuideTranslation(guide=guide, language=language)
        outcome = Outcome.CREATED
    else:
        outcome = decide(
            stored=translation.content_digest,
            current=digest(_translation_snapshot(translation)),
            wanted=digest(wanted),
            force=force,
        )
    if outcome in (Outcome.CREATED, Outcome.UPDATED):
        for key in TEXT_KEYS:
            setattr(translation, key, wanted[key])
        translation.content_digest = digest(wanted)
        translation.save()
        translation.items.all().delete()
        positions: dict[str, int] = defaultdict(int)
        items = []
        for item in wanted["items"]:
            positions[item["kind"]] += 10
            items.append(
                GuideItem(translation=translation, position=positions[item["kind"]], **item)
            )
        GuideItem.objects.bulk_create(items)
    report.add(outcome, name)


def guides_set_published(*, guides: QuerySet[Guide], published: bool) -> int:
    """Publish or unpublish; a bulk update sends no signal, so the pages are told here."""
    changed = guides.update(published=published, updated_at=timezone.now())
    content_changed("guides")
    return changed
