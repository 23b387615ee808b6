"""Reads of runs with their owner's visibility: another user's run is a 404."""

from django.db.models import Count, Max, Min
from django.shortcuts import get_object_or_404

from accounts.models import User
from exchanges.selectors import keys_owned
from strategies.models import Backtest, RunBar, StrategyRun, Study

LATEST = 50


def runs_of(user: User):
    return StrategyRun.objects.owned_by(user).select_related("exchange")


def run_of(user: User, run_id: int) -> StrategyRun:
    return get_object_or_404(runs_of(user), pk=run_id)


def run_activity(run: StrategyRun) -> dict:
    """What the run's page lists: the latest orders (with their fills), decisions and trades."""
    return {
        "orders": list(run.orders.prefetch_related("fills")[:LATEST]),
        "decisions": list(run.decisions.select_related("order")[:LATEST]),
        "trades": list(run.trades.all()[:LATEST]),
        "catch_up": latest_catch_up(run),
    }


def latest_catch_up(run: StrategyRun) -> dict | None:
    """The bars the run's latest catch-up evaluated late (after a pause), and when: {"first",
    "last": bar opens (ms), "count", "at": when they were evaluated}; None if none was."""
    # `IS NOT NULL` as the partial index states it (an exclude() reads every bar of the run);
    # one query: the bars grouped by when they were caught up, the latest group.
    latest = (
        RunBar.objects.filter(run=run, caught_up_at__isnull=False)
        .values("caught_up_at")
        .annotate(first=Min("bar_ms"), last=Max("bar_ms"), count=Count("pk"))
        .order_by("-caught_up_at")
        .first()
    )
    if latest is None:
        return None
    return {
        "first": latest["first"],
        "last": latest["last"],
        "count": latest["count"],
        "at": latest["caught_up_at"],
    }


def backtest_to_repeat(user: User, backtest_id: str | None) -> Backtest | None:
    """The user's backtest a "paper run from it" link names, or None."""
    if not backtest_id or not backtest_id.isdigit():
        return None
    return Backtest.objects.owned_by(user).filter(pk=int(backtest_id)).first()


def study_to_repeat(user: User, study_id: str | None) -> Study | None:
    """The user's study a "paper run of what it chose" link names, or None."""
    if not study_id or not study_id.isdigit():
        return None
    return Study.objects.filter(owner=user, pk=int(study_id)).select_related("exchange").first()


def run_equity(run: StrategyRun) -> list[tuple[int, float]]:
    """(bar open ms, equity at its close) for every bar ticked."""
    return list(RunBar.objects.filter(run=run).values_list("bar_ms", "equity"))


def keys_for(user: User, exchange) -> list:
    """The user's keys on the exchange a run trades on."""
    return list(keys_owned(user).filter(exchange=exchange).order_by("label"))


def run_deals(run: StrategyRun) -> list[tuple[float, float]]:
    """(amount, average entry price) of each of the run's trades and of its open position:
    what a scale-in's deals held."""
    deals = list(run.trades.values_list("size", "entry_price"))
    if run.position:
        deals.append((run.position["size"], run.position["entry_price"]))
    return deals
