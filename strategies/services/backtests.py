"""Backtest runs: started by the web tier (everything a user can get wrong refused first, with
a sentence), run as long work (strategies/services/long_jobs.py: in the line, users in turn)
with the id only, cancelled by their owner.

backtest_start(*, owner, source, exchange, symbol, timeframe, start_ms, end_ms, capital, fee,
               slippage_bps, max_volume_share, tie) -> Backtest   or StartRefused
backtest_run(*, backtest_id) -> Turn
        one turn: candles missing, it asks a candle fill for them and waits (WAIT: the fill
        puts it back in the line when they are held); else it simulates and stores its
        report (DONE). Idempotent: a finished backtest is left alone, a retried one replaces
        its partial results
backtest_cancel(*, backtest)     stops it at its next check; the fill it waited on stops too
                                 when nobody else waits for it (what it fetched is kept)
backtest_lost(backtest_id)       its workers kept being lost: it ends as failed
backtests_settle(*, owner)       a backtest left out of the line ends as failed
"""

import logging
import time
from datetime import timedelta
from decimal import Decimal

import ccxt
import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.exceptions import TimeoutException

from accounts.models import User
from exchanges.models import Exchange
from strategies import rules
from strategies.candles.funding import funding_fill, funding_per_bar
from strategies.candles.ranges import missing
from strategies.candles.store import candles_read, series_for
from strategies.engine import FillModel, Market, ShortsNotAllowed, history_bars
from strategies.engine import backtest as simulate_backtest
from strategies.models import (
    Backtest,
    BacktestStatus,
    CandleFillStatus,
    CandleSeries,
    CatalogEntry,
    LongJob,
    LongJobKind,
    StrategyVersion,
)
from strategies.models.backtests import ACTIVE
from strategies.series import timeframe_ms, utc_text
from strategies.services import backtest_errors as errors
from strategies.services.backtest_markets import MarketUnknown
from strategies.services.backtest_report import report_store
from strategies.services.backtest_rows import Cancelled, advance, fail, time_limit_reached
from strategies.services.candle_fills import candle_fill_forsake, candle_fill_request
from strategies.services.long_jobs import Turn, long_job_drop, long_job_queue
from strategies.services.measured_rates import rate_record
from strategies.services.start_checks import (
    StartRefused,
    checked_document,
    checked_ladder,
    checked_market,
    checked_shorts,
    fee_and_source,
    fill_model,
    source_name,
)

logger = logging.getLogger(__name__)

MAX_ACTIVE = 2
MAX_BARS = 1_000_000
# A backtest neither in the line nor waiting on a fill is left behind (its row ended in a
# way nothing put it back): past this, it ends as failed.
ORPHAN_AFTER = timedelta(minutes=10)

Source = CatalogEntry | StrategyVersion

TOO_MANY = _(
    "You already have %(count)d backtests queued or running: wait for one to finish, or "
    "cancel one, before starting another."
)
CAPITAL = _("The starting capital must be more than zero.")
EMPTY = _("The period is empty: its end must come after its start.")
FUTURE = _("The period starts in the future: no candle has closed in it yet.")
TOO_LONG = _(
    "This period holds %(bars)s %(timeframe)s candles, more than the %(limit)s one backtest "
    "may use: shorten it or pick a longer timeframe."
)
NO_DATA_SOURCE = _("Choose the candles: an exchange's market, or candles you imported.")
OWN_TIMEFRAME = _("Your candles are %(timeframe)s bars: choose %(timeframe)s.")
OUTSIDE_OWN = _("Your candles do not reach this period: they hold %(ranges)s (UTC).")


def backtests_settle(*, owner: User) -> None:
    """End as failed the owner's backtests that nothing will run any more: neither in the line
    (where a lost worker's turn is handed out again) nor waiting on a fill still fetching."""
    in_line = LongJob.objects.filter(kind=LongJobKind.BACKTEST).values("target_id")
    Backtest.objects.owned_by(owner).active().filter(
        created_at__lt=timezone.now() - ORPHAN_AFTER
    ).exclude(pk__in=in_line).exclude(fill__status=CandleFillStatus.ACTIVE).update(
        status=BacktestStatus.FAILED,
        error_code=errors.INTERRUPTED,
        error_params={},
        finished_at=timezone.now(),
    )


def backtest_start(
    *,
    owner: User,
    source: Source,
    exchange: Exchange | None,
    symbol: str,
    timeframe: str,
    start_ms: int,
    end_ms: int,
    capital: Decimal,
    fee: float | None,
    slippage_bps: float = 0.0,
    max_volume_share: float = 0.1,
    tie: str = "stop_first",
    series: CandleSeries | None = None,
    allows_shorts: bool = False,
) -> Backtest:
    """Check the request (StartRefused naming the field at fault), then queue it. The
    candles are an exchange's market, or `series`, the owner's own imported candles. `fee`
    None: the account's own tier, or the exchange's entry tier (start_checks.fee_and_source)."""
    fee, fee_source = fee_and_source(owner, exchange if series is None else None, fee)
    model = fill_model(fee, slippage_bps, max_volume_share, tie)
    if capital <= 0:
        raise StartRefused("capital", str(CAPITAL))
    end_ms = _checked_period(timeframe, start_ms, end_ms)
    document = checked_document(source.document, timeframe)
    if series is not None:
        _checked_own_series(owner, series, timeframe, (start_ms, end_ms))
        market = Market(allows_shorts=allows_shorts)  # the user's word on their market
    elif exchange is not None:
        facts = checked_market(exchange, symbol, timeframe)
        symbol, market = facts.symbol, facts.market
    else:
        raise StartRefused("exchange", str(NO_DATA_SOURCE))
    checked_shorts(document, market)
    checked_ladder(document, float(capital))
    return _queue(
        owner=owner,
        source=source,
        exchange=exchange if series is None else None,
        series=series,
        market=market,
        fee_source=fee_source,
        symbol=symbol,
        timeframe=timeframe,
        period=(start_ms, end_ms),
        capital=capital,
        model=model,
    )


def _checked_own_series(
    owner: User, series: CandleSeries, timeframe: str, period: tuple[int, int]
) -> None:
    if series.owner_id != owner.pk:
        raise StartRefused("candles", str(NO_DATA_SOURCE))
    if series.timeframe != timeframe:
        raise StartRefused("timeframe", str(OWN_TIMEFRAME) % {"timeframe": series.timeframe})
    if missing(series.coverage, *period) == [period]:
        held = [(utc_text(a), utc_text(b)) for a, b in series.coverage]
        ranges = ", ".join(f"{a} → {b}" for a, b in held)
        raise StartRefused("start", str(OUTSIDE_OWN) % {"ranges": ranges})


def _checked_period(timeframe: str, start_ms: int, end_ms: int) -> int:
    """The period's end, no later than the last closed bar; or StartRefused."""
    bar_ms = timeframe_ms(timeframe)
    now_ms = int(time.time() * 1000)
    if end_ms <= start_ms:
        raise StartRefused("end", str(EMPTY))
    if start_ms > now_ms - bar_ms:
        raise StartRefused("start", str(FUTURE))
    end_ms = min(end_ms, now_ms // bar_ms * bar_ms)
    bars = (end_ms - start_ms) // bar_ms
    if bars > MAX_BARS:
        limit = {"bars": bars, "timeframe": timeframe, "limit": MAX_BARS}
        raise StartRefused("start", str(TOO_LONG) % limit)
    return end_ms


@transaction.atomic
def _queue(
    *,
    owner: User,
    source: Source,
    period: tuple[int, int],
    model: FillModel,
    market: Market,
    **fields,
):
    # Lock the owner's row: two requests at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=owner.pk).exists()
    backtests_settle(owner=owner)
    active = Backtest.objects.owned_by(owner).active().count()
    if active >= MAX_ACTIVE:
        raise StartRefused("", str(TOO_MANY) % {"count": active})
    created = Backtest.objects.create(
        owner=owner,
        catalog_entry=source if isinstance(source, CatalogEntry) else None,
        strategy_version=source if isinstance(source, StrategyVersion) else None,
        strategy_name=source_name(source),
        document=source.document,
        start_ms=period[0],
        end_ms=period[1],
        **Backtest.fill_model_columns(model),
        **Backtest.market_columns(market),
        **fields,
    )
    long_job_queue(kind=LongJobKind.BACKTEST, target_id=created.pk, owner_id=owner.pk)
    return created


@transaction.atomic
def backtest_cancel(*, backtest: Backtest) -> bool:
    """Cancel a queued or running backtest; False when it had finished already."""
    changed = Backtest.objects.filter(pk=backtest.pk, status__in=ACTIVE).update(
        status=BacktestStatus.CANCELLED, finished_at=timezone.now()
    )
    backtest.refresh_from_db()
    long_job_drop(kind=LongJobKind.BACKTEST, target_id=backtest.pk)
    if backtest.fill_id:
        candle_fill_forsake(fill_id=backtest.fill_id)
    return bool(changed)


def backtest_lost(backtest_id: int) -> None:
    backtest = Backtest.objects.select_related("exchange").filter(pk=backtest_id).first()
    if backtest is not None:
        fail(backtest, errors.INTERRUPTED)


def backtest_run(*, backtest_id: int, deadline: float = 0.0) -> Turn:
    """One turn (see the module docstring). Failures end as a stored message. (A backtest's
    turn is not cut at `deadline`: it is one simulation, seconds long.)"""
    backtest = (
        Backtest.objects.select_related("exchange", "series", "fill").filter(pk=backtest_id).first()
    )
    if backtest is None or not backtest.running:
        return Turn.DONE
    try:
        advance(backtest, **_fresh_start())
        return _run(backtest)
    except Cancelled:
        return Turn.DONE
    except TimeoutException:
        # django-q2 stops a task past the long cluster's timeout with this SystemExit: the
        # row says so now (not "fetching… 76 %" until the stale check), then the task ends.
        time_limit_reached(backtest)
        raise
    except rules.DocumentError as refused:
        fail(backtest, errors.DOCUMENT, problem=str(refused.errors[0]))
    except ShortsNotAllowed:
        fail(backtest, errors.SHORTS)
    except MarketUnknown:
        fail(backtest, errors.NO_MARKET)
    except ccxt.BaseError as error:
        logger.warning("Backtest %s: %s %s", backtest.pk, type(error).__name__, error)
        fail(backtest, errors.exchange_error_code(error))
    except Exception:  # a bug of ours: the user gets a sentence, the log the traceback
        logger.exception("Backtest %s failed in our code", backtest.pk)
        fail(backtest, errors.OURS)
    return Turn.DONE


def _fresh_start() -> dict:
    """A (re)started run: stage one, and nothing left of an interrupted attempt."""
    return {
        "status": BacktestStatus.FETCHING,
        "started_at": timezone.now(),
        "error_code": "",
        "error_params": {},
        "stats": None,
        "trades": [],
        "open_trades": [],
        "equity": [],
        "hold": [],
        "prices": [],
        "indicators": {},
        "provenance": [],
        "bars": None,
        "gaps": None,
        "funding": None,
        "monthly": [],
        "weekly": [],
        "warmup_bars": None,
        "warmup_wanted": None,
        "typical_move": None,
    }


def _run(backtest: Backtest) -> Turn:
    document = rules.parse(backtest.document, base_timeframe=backtest.timeframe)
    bar_ms = timeframe_ms(backtest.timeframe)
    # Warm-up bars before the period, so that its first decisions are already valid.
    wanted = history_bars(document, backtest.timeframe)
    first = backtest.start_ms - wanted * bar_ms
    series = _candles(backtest, first)
    if series is None:
        return Turn.WAIT
    began = time.monotonic()
    advance(backtest, status=BacktestStatus.SIMULATING)
    candles = candles_read(series, start=first, end=backtest.end_ms)
    warmup = int(np.searchsorted(candles.time, backtest.start_ms, "left"))
    if warmup >= len(candles):
        fail(backtest, errors.NO_DATA)
        return Turn.DONE
    rates, covered = _funding(backtest, candles, warmup)
    result = simulate_backtest(
        document,
        candles,
        capital=float(backtest.capital),
        model=backtest.fill_model(),
        market=backtest.market_rules(),
        warmup=warmup,
        funding=rates,
    )
    funding = None if rates is None else {"paid": result.funding, "covered": covered}
    report_store(
        backtest,
        result,
        document=document,
        candles=candles,
        warmup=(warmup, wanted),
        series=series,
        funding=funding,
    )
    rate_record("simulate", len(candles), time.monotonic() - began)
    return Turn.DONE


def _funding(backtest: Backtest, candles, warmup: int) -> tuple[np.ndarray | None, list[int]]:
    """A perpetual's published funding rates per bar over the period (the fill model's point
    9), fetched into the shared store first; None on a market without funding."""
    if not backtest.perpetual or backtest.exchange is None:
        return None, []
    period = candles.slice(warmup, len(candles))
    end = int(period.time[-1]) + period.bar_ms
    series = funding_fill(
        exchange=backtest.exchange, symbol=backtest.symbol, start=backtest.start_ms, end=end
    )
    rates, covered = funding_per_bar(series, period)
    return np.concatenate([np.zeros(warmup), rates]), covered


def _candles(backtest: Backtest, first: int) -> CandleSeries | None:
    """The series to read: the user's own, as imported, or the market's shared one once it
    holds the period; None while a fill fetches what it lacks (the backtest waits on it)."""
    if backtest.exchange is None:
        if backtest.series is None:  # the imported candles were deleted since
            raise MarketUnknown(backtest.symbol)
        return backtest.series
    series = series_for(
        exchange=backtest.exchange, symbol=backtest.symbol, timeframe=backtest.timeframe
    )
    fill = backtest.fill
    if fill is not None and fill.status == CandleFillStatus.DONE:
        # Fetched for this backtest: what the exchange had is held, gaps included (a range
        # it has nothing for stays a gap, and is not asked for again and again).
        return series
    if fill is not None and fill.status == CandleFillStatus.FAILED:
        fail(backtest, fill.error_code or errors.INTERRUPTED)
        raise Cancelled()
    with transaction.atomic():  # the fill's turn is handed out once the backtest waits on it
        fill = candle_fill_request(
            series=series, start=first, end=backtest.end_ms, owner_id=backtest.owner_id
        )
        if fill is None:
            return series
        advance(backtest, status=BacktestStatus.FETCHING, fill=fill)
    return None
