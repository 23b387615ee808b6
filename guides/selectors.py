"""Reads of guides, with visibility rules and the English fallback, section by section."""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q

from exchanges import trading
from exchanges.models import Region
from guides.models import LIST_SECTIONS, Guide, GuideItem, GuideTranslation
from noonbarbari import strategy_catalog
from noonbarbari.language_fallback import (
    FALLBACK_LANGUAGE,
    Section,
    fallback_languages,
    first_filled,
)
from noonbarbari.page_cache import content_version

TEXT_SECTIONS = GuideTranslation.TEXT_FIELDS
LIST_SECTION_KINDS = {name: model.KIND for name, model in LIST_SECTIONS.items()}


@dataclass
class GuidePage:
    guide: Guide
    language: str
    sections: dict[str, Section] = field(default_factory=dict)

    @property
    def fallback_sections(self) -> list[str]:
        return [name for name, section in self.sections.items() if section and section.fallback]


def guide_get(*, slug: str, user) -> Guide:
    """The guide for an exchange slug, if `user` may see it (raises Guide.DoesNotExist)."""
    return (
        Guide.objects.visible_to(user)
        .select_related("exchange", "exchange__sister")
        .get(exchange__slug=slug)
    )


def guide_page(guide: Guide, language: str) -> GuidePage:
    """Every section of `guide` in `language`, each falling back to English when blank."""
    languages = fallback_languages(language)
    translations = {
        t.language: t
        for t in GuideTranslation.objects.filter(guide=guide, language__in=languages)
        .prefetch_related("items")
        .order_by()
    }
    return _page(guide, language, translations)


def _page(guide: Guide, language: str, translations: dict[str, GuideTranslation]) -> GuidePage:
    page = GuidePage(guide=guide, language=language)
    candidates = [
        translations[code] for code in fallback_languages(language) if code in translations
    ]
    for name in TEXT_SECTIONS:
        page.sections[name] = first_filled(
            ((t.language, getattr(t, name).strip()) for t in candidates), language
        )
    for name, kind in LIST_SECTION_KINDS.items():
        page.sections[name] = first_filled(
            (
                (t.language, sorted((i for i in t.items.all() if i.kind == kind), key=_order))
                for t in candidates
            ),
            language,
        )
    return page


def _order(item: GuideItem) -> tuple[int, int]:
    return (item.position, item.pk or 0)


# A venue's region is the widest set of customers it serves: one open to US customers serves
# the rest of the world too, a global one serves the EU. Filtering on a region lists every venue
# that serves its customers.
REGIONS_SERVING: dict[str, list[str]] = {
    Region.EU: [Region.EU, Region.GLOBAL, Region.US_FRIENDLY],
    Region.GLOBAL: [Region.GLOBAL, Region.US_FRIENDLY],
    Region.US_FRIENDLY: [Region.US_FRIENDLY],
}


@dataclass(frozen=True)
class GuideCard:
    guide: Guide
    title: Section
    tagline: Section


def guide_list(
    *,
    user,
    language: str,
    region: str = "",
    spot: bool = False,
    futures: bool = False,
    query: str = "",
) -> list[GuideCard]:
    """The guides `user` may see, filtered, as index cards (two queries whatever the count)."""
    languages = fallback_languages(language)
    guides = Guide.objects.visible_to(user).select_related("exchange")
    if region:
        guides = guides.filter(exchange__region__in=REGIONS_SERVING.get(region, [region]))
    if spot:
        guides = guides.filter(exchange__spot_trading=True)
    if futures:
        guides = guides.filter(exchange__futures_trading=True)
    if query:
        matching = GuideTranslation.objects.filter(language__in=languages).filter(
            Q(title__icontains=query) | Q(tagline__icontains=query)
        )
        guides = guides.filter(
            Q(exchange__name__icontains=query)
            | Q(exchange__ccxt_id__icontains=query)
            | Q(pk__in=matching.values("guide_id"))
        )
    guides = guides.prefetch_related(
        Prefetch("translations", queryset=GuideTranslation.objects.filter(language__in=languages))
    )
    cards = []
    for guide in guides:
        translations = {t.language: t for t in guide.translations.all()}
        candidates = [translations[code] for code in languages if code in translations]
        cards.append(
            GuideCard(
                guide=guide,
                title=first_filled(((t.language, t.title) for t in candidates), language),
                tagline=first_filled(((t.language, t.tagline) for t in candidates), language),
            )
        )
    return cards


def guides_version() -> str:
    """Changes whenever any guide's page may change: edits, (un)publishing, deletions."""
    state = Guide.objects.aggregate(count=Count("pk"), last=Max("updated_at"))
    last = state["last"].timestamp() if state["last"] else 0
    return f"{state['count']}.{last}"


# The page cache's name for a guide's own page, which also names the catalog strategies it
# suggests: its version follows the guides' and the catalog's ("strategies", the strategies
# app's source, which we may not import), so a renamed strategy shows at once.
GUIDE_PAGES = "guide-pages"
GUIDE_PAGES_DEPEND_ON = ("guides", "strategies")


def guide_pages_version() -> str:
    return f"{content_version('guides')}|{strategy_catalog.strategy_mentions_version()}"


def guides_in_sitemap() -> list[Guide]:
    return list(Guide.objects.published().select_related("exchange"))


def missing_sections(translation: GuideTranslation) -> list[str]:
    """Sections blank in `translation` that the English text has: shown as fallbacks."""
    if translation.language == FALLBACK_LANGUAGE:
        return []
    english = (
        GuideTranslation.objects.filter(guide_id=translation.guide_id, language=FALLBACK_LANGUAGE)
        .prefetch_related("items")
        .first()
    )
    if english is None:
        return []
    page = _page(
        translation.guide,
        translation.language,
        {translation.language: translation, FALLBACK_LANGUAGE: english},
    )
    return page.fallback_sections


@dataclass(frozen=True)
class LiveVenueRow:
    """One exchange as the public exchanges page lists it, from the trading table."""

    guide: Guide
    spot_live: bool
    derivatives_live: bool
    stop_rests: bool
    target_rests: bool  # beside the stop, on the markets that trade live
    reduce_only: bool


def live_venue_rows(user) -> list[LiveVenueRow]:
    """Every guide the user may see, in the guides' order, with what its exchange trades live
    (exchanges.trading: nothing where the exchange is not verified)."""
    rows = []
    for guide in Guide.objects.visible_to(user).select_related("exchange").order_by("position"):
        venue = trading.venue_of(guide.exchange.ccxt_id) or trading.UNVERIFIED
        rows.append(
            LiveVenueRow(
                guide=guide,
                spot_live=venue.spot_live,
                derivatives_live=venue.derivatives_live,
                stop_rests=venue.stop_rests and (venue.spot_live or venue.derivatives_live),
                target_rests=venue.oco
                or (venue.derivatives_live and venue.target_rests_on_derivatives),
                reduce_only=venue.derivatives_live and venue.reduce_only,
            )
        )
    return rows
