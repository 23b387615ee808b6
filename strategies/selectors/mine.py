"""Reads of a user's own strategies: another user's strategy is never found (a 404)."""

from django.db.models import Max, Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation

from accounts.models import User
from strategies.models import CatalogEntry, Strategy, StrategyVersion
from strategies.selectors.catalog import titles_first_in


def strategies_of(user: User) -> QuerySet[Strategy]:
    """The user's strategies, most recently changed first, each with `latest_number` and its
    catalog entry's titles (`copied_from.titles`, the active language's first)."""
    titles = Prefetch(
        "copied_from__texts",
        queryset=titles_first_in(translation.get_language()),
        to_attr="titles",
    )
    return (
        Strategy.objects.owned_by(user)
        .select_related("copied_from")
        .prefetch_related(titles)
        .annotate(latest_number=Max("versions__number"))
    )


def strategy_of(user: User, strategy_id: int) -> Strategy:
    """The user's strategy of that id, or Http404 (whoever else owns it)."""
    return get_object_or_404(strategies_of(user), pk=strategy_id)


def versions_of(strategy: Strategy) -> QuerySet[StrategyVersion]:
    """The strategy's versions, newest first, without their documents (a history list)."""
    return strategy.versions.defer("document")


def version_of(strategy: Strategy, number: int) -> StrategyVersion:
    """One version of the strategy by its number, or Http404."""
    return get_object_or_404(strategy.versions.all(), number=number)


def latest_version(strategy: Strategy) -> StrategyVersion:
    """The strategy's current version (every strategy has one from its creation)."""
    version = strategy.versions.order_by("-number").first()
    if version is None:
        raise Http404("strategy without a version")
    return version


def catalog_entry_to_copy(slug: str) -> CatalogEntry:
    """A published catalog entry, or Http404: drafts are not copied."""
    return get_object_or_404(CatalogEntry.objects.published(), slug=slug)


def catalog_title(entry: CatalogEntry, language: str) -> str:
    """The entry's title in `language`, else in English, else its slug."""
    text = titles_first_in(language).filter(entry=entry).first()
    return text.title if text is not None else entry.slug
