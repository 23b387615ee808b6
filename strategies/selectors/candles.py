"""Reads of a user's own imported candles: another user's series are never found."""

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import User
from strategies.models import CandleSeries


def imported_series_of(user: User) -> QuerySet[CandleSeries]:
    """The user's imported series by symbol then timeframe, each with `bars` (the bars held,
    counted from the chunks: one query for the list)."""
    return (
        CandleSeries.objects.filter(owner=user, exchange__isnull=True)
        .annotate(bars=Coalesce(Sum("chunks__count"), 0))
        .order_by("symbol", "timeframe")
    )
