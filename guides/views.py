from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from guides import selectors
from guides.forms import GuideFilterForm
from guides.models import Guide
from noonbarbari import strategy_catalog
from noonbarbari.page_cache import cache_for_visitors


@require_safe
@cache_for_visitors("guides")
def guide_index(request: HttpRequest) -> HttpResponse:
    form = GuideFilterForm(request.GET or None)
    cards = selectors.guide_list(user=request.user, language=get_language(), **form.filters())
    return render(request, "guides/index.html", {"form": form, "cards": cards})


@require_safe
def live_exchanges(request: HttpRequest) -> HttpResponse:
    """Which exchanges trade live, spot and/or derivatives, and what rests at the exchange:
    generated from the trading table (exchanges.trading), public."""
    rows = selectors.live_venue_rows(request.user)
    return render(request, "guides/live_exchanges.html", {"rows": rows})


@require_safe
@cache_for_visitors(selectors.GUIDE_PAGES)
def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        guide = selectors.guide_get(slug=slug, user=request.user)
    except Guide.DoesNotExist:
        raise Http404 from None
    language = get_language()
    context = {
        "guide": guide,
        "exchange": guide.exchange,
        # Built only when the cached fragments miss: a warm page costs one query.
        "page": SimpleLazyObject(lambda: selectors.guide_page(guide, language)),
        "strategies": SimpleLazyObject(
            lambda: strategy_catalog.strategy_mentions(guide.strategy_slugs, language)
        ),
        "egress_ips": settings.NOONBARBARI_EGRESS_IPS,
        # The suggested strategies' titles and pages are the catalog's: its version is part of
        # the key too.
        "cache_key": ".".join(
            (
                str(guide.pk),
                str(guide.updated_at.timestamp()),
                language,
                strategy_catalog.strategy_mentions_version(),
            )
        ),
    }
    return render(request, "guides/detail.html", context)
