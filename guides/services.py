"""Writes to guides: loading the versioned content, publishing."""

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from exchanges.clients import UnknownExchange, required_credentials
from exchanges.models import Exchange
from guides.content_files import (
    ITEM_KIND_ORDER,
    TEXT_KEYS,
    ContentError,
    ExchangeContent,
    digest,
)
from guides.models import Guide, GuideItem, GuideTranslation
from noonbarbari.page_cache import content_changed


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


def _decide(*, stored: str, current: str, wanted: str, force: bool) -> Outcome:
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


@transaction.atomic
def guide_content_load(*, contents: list[ExchangeContent], force: bool = False) -> LoadReport:
    """Create what the content files have and the database lacks; update what staff left alone."""
    report = LoadReport()
    loaded = [(content, *_load_exchange(content, report, force)) for content in contents]
    for content, exchange, outcome in loaded:
        if outcome in (Outcome.CREATED, Outcome.UPDATED):
            _link_sister(exchange, content.sister)
    for content, exchange, _outcome in loaded:
        guide = _load_guide(exchange, content, report, force)
        for language, snapshot in content.translations.items():
            _load_translation(guide, language, snapshot, report, force)
    return report


def _exchange_snapshot(exchange: Exchange) -> dict[str, Any]:
    snapshot = {name: getattr(exchange, name) for name in _EXCHANGE_FACTS}
    snapshot["credentials"] = list(exchange.credentials)
    snapshot["sister"] = exchange.sister.slug if exchange.sister else None
    return snapshot


_EXCHANGE_FACTS = (
    "slug",
    "name",
    "ccxt_id",
    "region",
    "spot_trading",
    "futures_trading",
    "spot_maker_fee",
    "spot_taker_fee",
    "ccxt_support",
    "account_2fa",
    "ip_whitelist",
    "ip_whitelist_max",
    "website_url",
    "api_keys_url",
    "support_url",
    "fees_url",
)


def _load_exchange(
    content: ExchangeContent, report: LoadReport, force: bool
) -> tuple[Exchange, Outcome]:
    """Create or update the venue's facts; its sister is linked once every venue exists."""
    try:
        credentials = list(required_credentials(content.facts["ccxt_id"]))
    except UnknownExchange as error:
        raise ContentError(f"{content.folder}: {error}") from None
    wanted = {**content.facts, "credentials": credentials, "sister": content.sister}
    exchange = Exchange.objects.select_related("sister").filter(slug=content.facts["slug"]).first()
    if exchange is None:
        exchange = Exchange(**content.facts, credentials=credentials)
        outcome = Outcome.CREATED
    else:
        outcome = _decide(
            stored=exchange.content_digest,
            current=digest(_exchange_snapshot(exchange)),
            wanted=digest(wanted),
            force=force,
        )
        if outcome is Outcome.UPDATED:
            for key, value in content.facts.items():
                setattr(exchange, key, value)
            exchange.credentials = credentials
    if outcome in (Outcome.CREATED, Outcome.UPDATED):
        exchange.content_digest = digest(wanted)
        exchange.save()
    report.add(outcome, f"exchange {exchange.slug}")
    return exchange, outcome


def _link_sister(exchange: Exchange, sister_slug: str | None) -> None:
    sister = Exchange.objects.filter(slug=sister_slug).first() if sister_slug else None
    if exchange.sister_id != (sister.pk if sister else None):
        exchange.sister = sister
        exchange.save(update_fields=["sister"])


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
        outcome = _decide(
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
        outcome = _decide(
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
