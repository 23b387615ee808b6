"""The risk governor: limits held across live runs (strategies.models.governor).

governor_check(limits_id, bar_ms)   measure the runs under the limits, open or clear breaches
                                    (one transaction, the limits' row locked); a new breach
                                    is told and, for a loss limit the owner chose so, closes
                                    the positions
governor_check_run(run, bar_ms)     the same for every limits row over a live run: each live
                                    tick calls it before it acts and after it recorded
governor_check_all()                every limits row with live runs: a starting worker's check
entry_blocked(run)                  the open breach that keeps the run from entering, if any
exposure_room(run)                  how much more the run may hold (quote), if limited

Measures use what each run recorded at its last close (its equity, what it held, the mark
price): a run's own tick refreshes its share, and the check after it sees the others' last.
"""

import contextlib
import logging
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchanges.clients import KeyBusy, key_lock
from noonbarbari.queueing import queue_on_commit
from notifications.events import Event
from notifications.services.outbox import notify
from strategies.engine.enums import Leg, Status
from strategies.models import (
    ACTIVE_RUN,
    LOSS_BREACHES,
    BreachKind,
    RiskBreach,
    RiskLimits,
    RunMode,
    RunOrder,
    StrategyRun,
)
from strategies.models.runs import StrategyRunQuerySet

logger = logging.getLogger(__name__)

FLATTEN_TASK = "strategies.tasks.flatten_for_breach"
SAFETY_CANCEL_TASK = "strategies.tasks.cancel_safety_orders"
# What the measures read of a run (its row also carries documents and reports).
MEASURED = ("pk", "owner_id", "key_id", "mode", "status", "equity", "held", "mark_price")
# An exposure breach ends only once the exposure is this far back under the limit: prices
# wavering at the limit must not open and clear it (and tell it) tick after tick.
EXPOSURE_CLEARS_AT = 0.95
# How long a tick waits for another run of the same owner to finish its turn.
TURN_WAIT_S = 10.0
TOO_MANY_LIVE = _(
    "You have %(count)s active live runs under your risk limits, and they allow %(limit)s: "
    "stop one, or raise the limit on your risk limits page."
)
BREACHED = _(
    "A risk limit over this run holds entries back now: it could not enter. See why on your "
    "risk limits page."
)
OTHER_CURRENCY = _(
    "This market is quoted in %(quote)s and your risk limits count in %(currency)s: their "
    "amounts cannot add up. Trade a %(currency)s market, or change the limits' currency."
)


def live_runs_under(limits: RiskLimits) -> StrategyRunQuerySet:
    runs = cast(StrategyRunQuerySet, StrategyRun.objects.filter(owner_id=limits.owner_id))
    runs = runs.filter(mode=RunMode.LIVE)
    return runs if limits.key_id is None else runs.filter(key_id=limits.key_id)


def limits_over(run: StrategyRun) -> QuerySet[RiskLimits]:
    """The account's limits and the run's key's, those that exist."""
    return RiskLimits.objects.over(run.owner_id, run.key_id)


def day_bounds(now: datetime, zone: str, hour: int) -> tuple[datetime, datetime]:
    """The day (in `zone`, starting at `hour`) that `now` falls in: its start and its end."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    start_date = local.date() if local.hour >= hour else local.date() - timedelta(days=1)
    start = datetime.combine(start_date, time(hour), tzinfo=tz)
    end = datetime.combine(start_date + timedelta(days=1), time(hour), tzinfo=tz)
    return start, end


def governor_check_run(run: StrategyRun, bar_ms: int | None = None) -> list[RiskBreach]:
    if run.mode != RunMode.LIVE:
        return []
    found = []
    for limits_id in limits_over(run).values_list("pk", flat=True):
        found += governor_check(limits_id, bar_ms=bar_ms)
    return found


def governor_check_all() -> int:
    """Check every limits row whose owner has an active live run, and queue again the
    closing of positions a breach asked for that a lost task left undone; how many breaches
    opened."""
    owners = StrategyRun.objects.active().filter(mode=RunMode.LIVE).values("owner_id")
    rows = RiskLimits.objects.filter(owner_id__in=owners).values_list("pk", flat=True)
    opened = sum(len(governor_check(pk)) for pk in rows)
    pending = RiskBreach.objects.open().filter(
        flattened=True, flattened_at__isnull=True, limits__owner_id__in=owners
    )
    for pk in pending.values_list("pk", flat=True):
        queue_on_commit(FLATTEN_TASK, pk, name=f"risk-flatten-{pk}")
    return opened


@transaction.atomic
def governor_check(limits_id: int, *, bar_ms: int | None = None) -> list[RiskBreach]:
    """Measure, then open the breaches found and clear those that ended; the new ones."""
    limits = RiskLimits.objects.select_for_update().filter(pk=limits_id).first()
    if limits is None:
        return []
    now = timezone.now()
    runs = list(
        live_runs_under(limits)
        .filter(Q(status__in=ACTIVE_RUN) | Q(pk__in=_ids(limits)))
        .only(*MEASURED)
    )
    equity = {run.pk: run.equity for run in runs}
    active = [run for run in runs if run.active]
    _move_index(limits, equity)
    loss = _day_loss(limits, equity, active, now)
    limits.equities = {str(run.pk): run.equity for run in active}
    limits.checked_at = now
    limits.measures = {
        BreachKind.DRAWDOWN: (100.0 * (1.0 - limits.index / limits.peak_index)),
        BreachKind.DAILY_LOSS: loss,
        BreachKind.EXPOSURE: sum(abs(run.held) * (run.mark_price or 0.0) for run in active),
        BreachKind.LIVE_RUNS: float(len(active)),
    }
    limits.save()
    return _breaches(limits, limits.measures, active, now, bar_ms)


def _ids(limits: RiskLimits) -> list[int]:
    return [int(pk) for pk in {**limits.equities, **limits.day_equities}]


def _move_index(limits: RiskLimits, equity: dict[int, float]) -> None:
    """The index moves by what the runs there at the last check earned since (an ended run's
    last equity counts once); a run that joined counts from now on."""
    before = {int(pk): value for pk, value in limits.equities.items() if int(pk) in equity}
    base = sum(before.values())
    if base > 0:
        limits.index *= sum(equity[pk] for pk in before) / base
    limits.peak_index = max(limits.peak_index, limits.index)


def _day_loss(
    limits: RiskLimits, equity: dict[int, float], active: list[StrategyRun], now: datetime
) -> float:
    """What the runs lost since the day started (in the quote currency; negative: a gain): an
    ended run's change until it ended counts, a run that joined counts from when it joined."""
    start, _end = day_bounds(now, limits.time_zone, limits.day_starts_at)
    # Instants compared: datetimes in two zones never compare equal in a DST gap or fold.
    if limits.day_start is None or limits.day_start.timestamp() != start.timestamp():
        limits.day_start = start
        limits.day_equities = {str(run.pk): run.equity for run in active}
    day = limits.day_equities
    for run in active:
        day.setdefault(str(run.pk), run.equity)
    return sum(value - equity.get(int(pk), value) for pk, value in day.items())


def _limit_of(limits: RiskLimits, kind: str) -> float | None:
    value = {
        BreachKind.DRAWDOWN: limits.max_drawdown_pct,
        BreachKind.DAILY_LOSS: limits.daily_loss_limit,
        BreachKind.EXPOSURE: limits.max_exposure,
        BreachKind.LIVE_RUNS: limits.max_live_runs,
    }[BreachKind(kind)]
    return None if value is None else float(value)


def _crossed(kind: str, measured: float, limit: float) -> bool:
    # A loss or a drawdown reaching its limit is a breach; exposure and a run count may sit at
    # theirs (the entry that reached them was allowed).
    return measured >= limit if kind in LOSS_BREACHES else measured > limit


def _breaches(
    limits: RiskLimits,
    measures: dict[str, float],
    active: list[StrategyRun],
    now: datetime,
    bar_ms: int | None,
) -> list[RiskBreach]:
    open_ = {breach.kind: breach for breach in limits.breaches.open()}
    found = []
    for kind, measured in measures.items():
        limit = _limit_of(limits, kind)
        breach = open_.get(kind)
        crossed = limit is not None and _crossed(kind, measured, limit)
        if breach is not None and _ended(breach, kind, measured, limit, now):
            breach.cleared_at = now
            breach.save(update_fields=["cleared_at"])
        elif breach is None and crossed and limit is not None:
            found.append(_open(limits, kind, measured, limit, active, now, bar_ms))
    return found


def _ended(
    breach: RiskBreach, kind: str, measured: float, limit: float | None, now: datetime
) -> bool:
    if kind == BreachKind.DRAWDOWN:
        return False  # until its owner re-arms the limit
    if kind == BreachKind.DAILY_LOSS:
        return breach.ends_at is not None and now >= breach.ends_at
    if limit is None:  # the limit was removed
        return True
    if kind == BreachKind.EXPOSURE:
        return measured <= limit * EXPOSURE_CLEARS_AT
    return measured <= limit


def _open(
    limits: RiskLimits,
    kind: str,
    measured: float,
    limit: float,
    active: list[StrategyRun],
    now: datetime,
    bar_ms: int | None,
) -> RiskBreach:
    ends_at = None
    if kind == BreachKind.DAILY_LOSS:
        ends_at = day_bounds(now, limits.time_zone, limits.day_starts_at)[1]
    flatten = limits.flatten_on_breach and kind in LOSS_BREACHES
    breach = RiskBreach.objects.create(
        limits=limits,
        kind=kind,
        measured=measured,
        limit=limit,
        bar_ms=bar_ms,
        ends_at=ends_at,
        flattened=flatten,
    )
    logger.warning(
        "Risk limits %s: %s breached (%.4g against %.4g)", limits.pk, kind, measured, limit
    )
    notify(
        user=limits.owner,
        event=Event.RISK,
        key=f"risk:{breach.pk}",
        params={"breach": breach.pk},
    )
    if flatten:
        # Committed with the breach; a lost task is queued again by the next worker's start.
        queue_on_commit(FLATTEN_TASK, breach.pk, name=f"risk-flatten-{breach.pk}")
    # A resting safety order adds to a position: cancelled now, not at each run's next tick
    # (a daily run's is a day away). A rung cancelled so is not placed again.
    resting = RunOrder.objects.filter(
        run__in=[run.pk for run in active], leg=Leg.SAFETY, status=Status.OPEN
    )
    for run_id in resting.values_list("run_id", flat=True).distinct():
        queue_on_commit(SAFETY_CANCEL_TASK, run_id, name=f"safety-cancel-{run_id}-{breach.pk}")
    return breach


def entry_blocked(run: StrategyRun) -> RiskBreach | None:
    """The open breach over the run, the earliest found, if any."""
    return (
        RiskBreach.objects.open()
        .filter(limits__in=limits_over(run))
        .select_related("limits__key")
        .order_by("at", "pk")
        .first()
    )


def exposure_room(run: StrategyRun) -> float | None:
    """How much (quote, at the last marks) a new position of the run may be worth within every
    maximum exposure over it; None when none is set."""
    rooms = []
    for limits in limits_over(run).exclude(max_exposure__isnull=True):
        others = live_runs_under(limits).active().exclude(pk=run.pk).only(*MEASURED)
        held = sum(abs(other.held) * (other.mark_price or 0.0) for other in others)
        # A resting safety order may fill before its run's next tick: counted as held.
        resting = RunOrder.objects.filter(
            run__in=others, leg=Leg.SAFETY, status=Status.OPEN
        ).values_list("amount", "filled", "trigger_price")
        held += sum((amount - filled) * (price or 0.0) for amount, filled, price in resting)
        rooms.append(max(float(limits.max_exposure or 0) - held, 0.0))
    return min(rooms, default=None)


def go_live_refusal(*, owner_id: int, key_id, symbol: str) -> str | None:
    """Why a new live run with this key and market would break a limit, or None: the number
    of active live runs at its maximum, or a market quoted in another currency than the
    limits' amounts."""
    quote = symbol.partition("/")[2].split(":")[0]
    rows = RiskLimits.objects.over(owner_id, key_id)
    for limits in rows.select_related("key"):
        if limits.breaches.open().exists():
            return str(BREACHED)
        running = live_runs_under(limits).active().count()
        if limits.max_live_runs is not None and running >= limits.max_live_runs:
            return str(TOO_MANY_LIVE) % {"count": running, "limit": limits.max_live_runs}
        amounts = (limits.daily_loss_limit, limits.max_exposure, limits.max_drawdown_pct)
        if any(value is not None for value in amounts) and quote != limits.currency:
            return str(OTHER_CURRENCY) % {"quote": quote, "currency": limits.currency}
    return None


def governor_check_safely(run: StrategyRun, bar_ms: int | None) -> bool:
    """governor_check_run, or False when it could not run (a database that stays busy): the
    tick then sends no entry, and still its exits and stops."""
    try:
        governor_check_run(run, bar_ms)
    except Exception:
        logger.exception("Run %s: risk limits not checked", run.pk)
        return False
    return True


@contextlib.contextmanager
def governor_turn(run: StrategyRun) -> Iterator[bool]:
    """One live run of an owner with limits at a time, from its entry's check to the check
    after its recording: two runs on two keys must not both fit in the same room, nor one
    enter after the other's breach was committed. True when the turn was taken; False when
    another run held it too long (this run's entry then waits for its next tick)."""
    if not RiskLimits.objects.filter(owner_id=run.owner_id).exists():
        yield True
        return
    stack = contextlib.ExitStack()
    try:
        stack.enter_context(key_lock(f"risk-limits:{run.owner_id}", timeout=TURN_WAIT_S))
        taken = True
    except KeyBusy:
        taken = False
    with stack:
        yield taken
