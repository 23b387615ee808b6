"""Reads of backtests and of what the backtest form offers: another user's backtest is never
found (a 404), and a user picks only published catalog strategies or their own."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from exchanges.models import Exchange
from exchanges.selectors import exchanges_available
from strategies.models import (
    Backtest,
    CandleSeries,
    CatalogEntry,
    Strategy,
    StrategyVersion,
)
from strategies.selectors.catalog import titles_first_in

CATALOG_PREFIX, MINE_PREFIX = "catalog:", "mine:"
# The report's heavy columns (a year of hourly candles is a megabyte of JSON to decode): a
# history list never reads them, the report only when its kept rendering is missing.
RESULT_FIELDS = (
    "document",
    "trades",
    "open_trades",
    "equity",
    "hold",
    "prices",
    "indicators",
    "provenance",
    "monthly",
    "weekly",
)


def backtests_of(user: User, *, strategy: str = "", status: str = "") -> QuerySet[Backtest]:
    """The user's backtests, newest first, with their exchange (no report columns); filtered
    by a part of the strategy's name and by status when given."""
    found = Backtest.objects.owned_by(user).select_related("exchange").defer(*RESULT_FIELDS)
    if strategy:
        found = found.filter(strategy_name__icontains=strategy)
    if status:
        found = found.filter(status=status)
    return found


def backtest_of(user: User, backtest_id: int, *, report: bool = True) -> Backtest:
    """The user's backtest of that id, or Http404. `report=False`: its large columns are
    read only if used (one query each), for the pages that keep their report rendered and
    the progress the browser polls."""
    found = Backtest.objects.owned_by(user).select_related(
        "exchange", "fill", "catalog_entry", "strategy_version__strategy"
    )
    if not report:
        found = found.defer(*RESULT_FIELDS)
    return get_object_or_404(found, pk=backtest_id)


def exchanges_offered() -> QuerySet[Exchange]:
    """The exchanges of the published guides, in the guides' order."""
    return exchanges_available()


def _first_title(entry: CatalogEntry) -> str:
    titles = getattr(entry, "titles", [])
    return titles[0].title if titles else entry.slug


def strategy_choices(user: User, language: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices: the published catalog (titles in `language`), then the user's own."""
    titles = Prefetch("texts", queryset=titles_first_in(language), to_attr="titles")
    entries = CatalogEntry.objects.published().prefetch_related(titles).order_by("position")
    catalog = [(CATALOG_PREFIX + e.slug, _first_title(e)) for e in entries]
    mine = [
        (f"{MINE_PREFIX}{s.pk}", s.name)
        for s in Strategy.objects.owned_by(user).order_by("name").only("pk", "name")
    ]
    groups = [(str(_("Strategy library")), catalog)]
    if mine:
        groups.append((str(_("My strategies")), mine))
    return groups


def strategy_source(user: User, value: str) -> CatalogEntry | StrategyVersion:
    """The catalog entry or the latest version of the user's strategy a choice names; Http404
    for anything else (another user's strategy, a draft)."""
    if value.startswith(CATALOG_PREFIX):
        slug = value.removeprefix(CATALOG_PREFIX)
        return get_object_or_404(CatalogEntry.objects.published(), slug=slug)
    if value.startswith(MINE_PREFIX) and value.removeprefix(MINE_PREFIX).isdigit():
        strategy_id = int(value.removeprefix(MINE_PREFIX))
        version = (
            StrategyVersion.objects.filter(strategy__owner=user, strategy_id=strategy_id)
            .select_related("strategy")
            .order_by("-number")
            .first()
        )
        if version is not None:
            return version
    raise Http404("no such strategy")


def data_held(exchange_slug: str, symbol: str, timeframe: str) -> tuple[Exchange, list] | None:
    """The shared candle ranges already held for a market offered to backtests, as
    [start, end) ms pairs; None when the exchange is not one of those offered."""
    exchange = exchanges_offered().filter(slug=exchange_slug).first()
    if exchange is None:
        return None
    series = CandleSeries.objects.filter(
        exchange=exchange, owner=None, symbol=symbol, timeframe=timeframe
    ).first()
    return exchange, (series.coverage if series else [])
