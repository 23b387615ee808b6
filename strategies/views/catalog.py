from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from noonbarbari.page_cache import cache_for_visitors, content_version
from strategies.forms.catalog import CatalogFilterForm
from strategies.models import CatalogEntry
from strategies.selectors import catalog as selectors


@require_safe
@cache_for_visitors("strategies")
def library(request: HttpRequest) -> HttpResponse:
    form = CatalogFilterForm(request.GET or None)
    cards = selectors.catalog_list(user=request.user, language=get_language(), **form.filters())
    return render(request, "strategies/catalog/index.html", {"form": form, "cards": cards})


@require_safe
@cache_for_visitors("strategies")
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        entry = selectors.catalog_get(slug=slug, user=request.user)
    except CatalogEntry.DoesNotExist:
        raise Http404 from None
    language = get_language()
    context = {
        "entry": entry,
        # Built only when the cached fragment misses.
        "page": SimpleLazyObject(lambda: selectors.catalog_page(entry, language)),
        # Exchanges listed on the page come and go with their guides: their version counts.
        "cache_key": f"{entry.pk}.{entry.updated_at.timestamp()}.{language}."
        + content_version("guides"),
    }
    return render(request, "strategies/catalog/detail.html", context)
