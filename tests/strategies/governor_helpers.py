"""Live runs as the governor reads them: rows with an owner, a key, an equity, what they hold
and the mark price, moved by hand the way ticks move them."""

from types import SimpleNamespace

from strategies.models import RunMode, StrategyRun
from tests.strategies.run_helpers import paper_run
from tests.strategies.test_runs_stop import PROTECTED
from tests.strategies.test_runs_ticks import hand_candles


def live_row(owner, key, capital: float, symbol: str = "BTC/USD") -> StrategyRun:
    run = paper_run(owner, PROTECTED, hand_candles(), start=1, capital=capital, symbol=symbol)
    StrategyRun.objects.filter(pk=run.pk).update(mode=RunMode.LIVE, key=key)
    run.refresh_from_db()
    return run


def moved(run: StrategyRun, equity: float, held: float = 0.0, mark: float | None = None):
    """What a tick records at a close: the equity, what the run holds and the mark price."""
    StrategyRun.objects.filter(pk=run.pk).update(equity=equity, held=held, mark_price=mark)


def clock(at):
    """A stand-in for django.utils.timezone inside the governor, at a fixed moment."""
    return SimpleNamespace(now=lambda: at)
