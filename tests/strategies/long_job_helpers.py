"""Helpers for the line of long work: the tasks waiting in the long cluster's queue, run by
hand one at a time, as its worker would run them."""

import math
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string
from django_q.models import OrmQ

from exchanges.models import Exchange
from strategies.models import Backtest, CatalogEntry
from strategies.services.backtests import backtest_run, backtest_start
from strategies.services.candle_fills import candle_fill_turn
from strategies.services.long_jobs import Turn
from tests.strategies.backtest_run_helpers import day_ms, days_ago


def long_tasks() -> list[dict]:
    """The tasks waiting in the long cluster's queue (the ORM broker's rows), oldest first."""
    return [row.task for row in OrmQ.objects.filter(key=settings.LONG_TASKS).order_by("pk")]


def run_next_long_task() -> dict:
    """Take the oldest waiting task off the queue and run it, as a worker would."""
    row = OrmQ.objects.filter(key=settings.LONG_TASKS).order_by("pk").first()
    assert row is not None, "no long task is waiting"
    task = row.task
    row.delete()
    import_string(task["func"])(*task["args"])
    return task


def run_long_tasks(commit, limit: int = 1000) -> int:
    """Run waiting tasks until none is left, each in a transaction of its own whose tasks
    `commit` sends once it commits; how many ran."""
    ran = 0
    while OrmQ.objects.filter(key=settings.LONG_TASKS).exists():
        assert ran < limit, "the long tasks never end"
        commit(run_next_long_task)
        ran += 1
    return ran


def backtest_to_its_end(backtest_id: int) -> None:
    """The backtest's turns and its candle fill's, run here one after another, as workers
    would run them (without the line)."""
    while backtest_run(backtest_id=backtest_id) is Turn.WAIT:
        fill_id = Backtest.objects.values_list("fill", flat=True).get(pk=backtest_id)
        while candle_fill_turn(fill_id, math.inf) is Turn.AGAIN:
            pass


def kraken_backtest(owner, *, days: int = 3, symbol: str = "BTC/USD", timeframe: str = "1h"):
    """A backtest of ema-crossover on the sandbox's Kraken, over the `days` before today."""
    return backtest_start(
        owner=owner,
        source=CatalogEntry.objects.get(slug="ema-crossover"),
        exchange=Exchange.objects.get(slug="kraken"),
        symbol=symbol,
        timeframe=timeframe,
        start_ms=day_ms(days_ago(days)),
        end_ms=day_ms(days_ago(0)),
        capital=Decimal("10000"),
        fee=0.004,
    )
