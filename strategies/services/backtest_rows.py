"""A running backtest's row: what its task writes as it goes (its stage, the failure that
ends it), each write refused once someone cancelled it. Its progress is its fill's."""

import contextlib
import logging

from django.utils import timezone

from strategies.models import Backtest, BacktestStatus, CandleFill
from strategies.models.backtests import ACTIVE
from strategies.selectors.long_job_line import time_limit_minutes, time_limit_s
from strategies.services import backtest_errors as errors

logger = logging.getLogger(__name__)


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


def time_limit_reached(backtest: Backtest) -> None:
    """The backtest's turn went past the long cluster's limit: failed, saying how much of its
    candles its fill had fetched (all of them when it needed no fill)."""
    fill = CandleFill.objects.filter(pk=backtest.fill_id).first() if backtest.fill_id else None
    kept = 100 if fill is None else fill.percent
    logger.warning(
        "Backtest %s: past the %s s time limit, %s %% fetched", backtest.pk, time_limit_s(), kept
    )
    fail(backtest, errors.TIME_LIMIT, minutes=time_limit_minutes(), kept=kept)
