"""Reads of the catalog: visibility, the English fallback, and what a strategy page shows."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Max,
    Prefetch,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)

from exchanges.models import Exchange
from exchanges.selectors import exchanges_available
from noonbarbari.language_fallback import Section, fallback_languages, first_filled
from noonbarbari.page_cache import content_version
from noonbarbari.strategy_catalog import StrategyMention
from strategies.indicators import get as indicator_spec
from strategies.models import Bias, CatalogEntry, CatalogEntryText, StrategyVersion
from strategies.rules import Document, DocumentError, parse, sentences

logger = logging.getLogger(__name__)

TEXT_FIELDS = CatalogEntryText.TEXT_FIELDS


@dataclass(frozen=True)
class CatalogCard:
    entry: CatalogEntry
    title: Section
    summary: Section


def _texts(entry: CatalogEntry, language: str) -> dict[str, Section]:
    """Every text field of a prefetched entry in `language`, each falling back to English."""
    by_language = {text.language: text for text in entry.texts.all()}
    candidates = [by_language[code] for code in fallback_languages(language) if code in by_language]
    return {
        name: first_filled(((t.language, getattr(t, name).strip()) for t in candidates), language)
        for name in TEXT_FIELDS
    }


def titles_first_in(language: str) -> QuerySet[CatalogEntryText]:
    """Non-blank catalog titles in `language`, then in the fallback language, that order."""
    return (
        CatalogEntryText.objects.filter(language__in=fallback_languages(language))
        .exclude(title="")
        .order_by(Case(When(language=language, then=Value(0)), default=Value(1)))
        .only("entry_id", "language", "title")
    )


def suggested_timeframes(row) -> tuple[list[str], bool]:
    """The timeframes the catalog suggests for a backtest's or a run's strategy, and whether
    they are those of the catalog strategy a user's copy came from; ([], False) for a strategy
    of the user's own."""
    if row.catalog_entry_id is not None:
        entries = CatalogEntry.objects.filter(pk=row.catalog_entry_id)
        return entries.values_list("timeframes", flat=True).first() or [], False
    if row.strategy_version_id is not None:
        versions = StrategyVersion.objects.filter(pk=row.strategy_version_id)
        found = versions.values_list("strategy__copied_from__timeframes", flat=True).first()
        return found or [], True
    return [], False


def shown_titles(rows: Iterable, language: str) -> dict[int, str]:
    """Each backtest's or run's title as pages show it (rows with catalog_entry_id and
    strategy_name): a catalog strategy's title in `language` (its document names it by its
    slug), else the name its document gives; one query."""
    rows = list(rows)
    entries = {row.catalog_entry_id for row in rows if row.catalog_entry_id is not None}
    found: dict[int, str] = {}
    for text in titles_first_in(language).filter(entry_id__in=entries):
        found.setdefault(text.entry_id, text.title)
    return {row.pk: found.get(row.catalog_entry_id or 0, row.strategy_name) for row in rows}


def _texts_prefetch(language: str) -> Prefetch:
    """An entry's texts in `language` and the fallback language (nothing else is read)."""
    wanted = CatalogEntryText.objects.filter(language__in=fallback_languages(language))
    return Prefetch("texts", queryset=wanted)


def _with_texts(entries, language: str):
    return entries.prefetch_related(_texts_prefetch(language))


def catalog_list(
    *, user, language: str, category: str = "", bias: str = "", timeframe: str = "", skill: str = ""
) -> list[CatalogCard]:
    """The entries `user` may see, filtered, as library cards (two queries whatever the count)."""
    entries = CatalogEntry.objects.visible_to(user)
    if category:
        entries = entries.filter(category=category)
    if bias:
        entries = entries.filter(bias=bias)
    if skill:
        entries = entries.filter(skill=skill)
    cards = []
    for entry in _with_texts(entries, language):
        # JSON containment differs between SQLite and PostgreSQL; the list is short.
        if timeframe and timeframe not in entry.timeframes:
            continue
        texts = _texts(entry, language)
        cards.append(CatalogCard(entry=entry, title=texts["title"], summary=texts["summary"]))
    return cards


def catalog_get(*, slug: str, user) -> CatalogEntry:
    """The entry, if `user` may see it (raises CatalogEntry.DoesNotExist)."""
    return CatalogEntry.objects.visible_to(user).get(slug=slug)


@dataclass(frozen=True)
class IndicatorRow:
    alias: str
    kind: str
    title: Any
    timeframe: str | None
    params: dict[str, Any]


@dataclass(frozen=True)
class VenueFit:
    exchange: Exchange
    round_trip_fee: Decimal  # percent: the taker fee on both legs of a market-order round trip
    can_short: bool


@dataclass
class CatalogPage:
    entry: CatalogEntry
    language: str
    texts: dict[str, Section]
    # None when the stored document no longer validates (a staff edit kept by load_strategies
    # across a stricter grammar): the page says so instead of failing.
    document: Document | None
    sentences: list[str]
    indicators: list[IndicatorRow] = field(default_factory=list)
    venues: list[VenueFit] = field(default_factory=list)


def catalog_page(entry: CatalogEntry, language: str) -> CatalogPage:
    """What the strategy page shows, in `language` (texts fall back to English)."""
    prefetch_related_objects([entry], _texts_prefetch(language))
    try:
        document = parse(entry.document)
    except DocumentError:
        logger.error("Catalog strategy %s: its stored document no longer validates", entry.slug)
        return CatalogPage(entry, language, _texts(entry, language), None, [])
    return CatalogPage(
        entry=entry,
        language=language,
        texts=_texts(entry, language),
        document=document,
        sentences=sentences(document),
        indicators=[
            IndicatorRow(
                alias=alias,
                kind=declared.kind,
                title=indicator_spec(declared.kind).title,
                timeframe=declared.timeframe,
                params=indicator_spec(declared.kind).with_defaults(declared.params),
            )
            for alias, declared in document.indicators.items()
        ],
        venues=_venues(entry),
    )


def _venues(entry: CatalogEntry) -> list[VenueFit]:
    """Published venues that can trade it: any for long-only, futures for short branches."""
    venues = exchanges_available()
    if entry.bias == Bias.LONG_SHORT:
        venues = venues.filter(futures_trading=True)
    return [
        VenueFit(
            exchange=venue,
            round_trip_fee=2 * venue.spot_taker_fee,
            can_short=venue.futures_trading,
        )
        for venue in venues
    ]


def catalog_version() -> str:
    """Changes whenever any catalog page may change: edits, (un)publishing, deletions, and
    the guides (strategy pages list the exchanges whose guide is published)."""
    state = CatalogEntry.objects.aggregate(count=Count("pk"), last=Max("updated_at"))
    last = state["last"].timestamp() if state["last"] else 0
    return f"{state['count']}.{last}.{content_version('guides')}"


def catalog_in_sitemap() -> list[CatalogEntry]:
    return list(CatalogEntry.objects.published())


class GuideStrategies:
    """What guides show of the strategies they name (registered with guides: see apps.py)."""

    def links(self, slugs: list[str], language: str) -> list[StrategyMention]:
        entries = {
            entry.slug: entry
            for entry in _with_texts(
                CatalogEntry.objects.published().filter(slug__in=slugs), language
            )
        }
        return [
            StrategyMention(
                title=_texts(entries[slug], language)["title"].value or slug,
                url=entries[slug].get_absolute_url(language),
            )
            for slug in slugs
            if slug in entries
        ]

    def version(self) -> str:
        return content_version("strategies")
