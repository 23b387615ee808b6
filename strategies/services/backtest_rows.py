"""A running backtest's row: what its task writes as it goes (stage, progress, the failure
that ends it), each write refused once someone cancelled it."""

import contextlib
import logging
import time

from django.conf import settings
from django.utils import timezone

from strategies.models import Backtest, BacktestStatus
from strategies.models.backtests import ACTIVE
from strategies.services import backtest_errors as errors

logger = logging.getLogger(__name__)

PROGRESS_EVERY_S = 1.0


class Cancelled(Exception):
    """The backtest was cancelled (or finished elsewhere) while it ran."""


def advance(backtest: Backtest, **fields) -> None:
    """Write to a backtest still running, or raise Cancelled (someone stopped it)."""
    if not Backtest.objects.filter(pk=backtest.pk, status__in=ACTIVE).update(**fields):
        raise Cancelled()
    for name, value in fields.items():
        setattr(backtest, name, value)


def fail(backtest: Backtest, code: str, **params: object) -> None:
    shown = {
        "exchange": backtest.market_label,
        "symbol": backtest.symbol,
        "timeframe": backtest.timeframe,
    }
    with contextlib.suppress(Cancelled):
        advance(
            backtest,
            status=BacktestStatus.FAILED,
            error_code=code,
            error_params=shown | params,
            finished_at=timezone.now(),
        )


class ProgressWriter:
    """candles_fill's progress, written to the row at most once a second (and at the end);
    raises Cancelled as soon as the backtest was cancelled."""

    def __init__(self, backtest: Backtest) -> None:
        self.backtest, self.written_at = backtest, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.written_at < PROGRESS_EVERY_S:
            return
        self.written_at = now
        advance(self.backtest, progress_done=done, progress_total=total)


def time_limit_reached(backtest: Backtest) -> None:
    row = Backtest.objects.filter(pk=backtest.pk).values("progress_done", "progress_total").get()
    kept = 100 * row["progress_done"] // max(row["progress_total"], 1)
    timeout = settings.Q_CLUSTER["ALT_CLUSTERS"][settings.LONG_TASKS]["timeout"]
    logger.warning(
        "Backtest %s: past the %s s time limit, %s %% fetched", backtest.pk, timeout, kept
    )
    fail(backtest, errors.TIME_LIMIT, minutes=-(-timeout // 60), kept=kept)  # rounded up
