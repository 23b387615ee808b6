"""A live run's trades as the exchange lists them (fetch_my_trades), loaded when its owner
asks: ours and any other program's. A key without the exchange's trade-history permission
gets an empty list (or a refusal) from the exchange: the page then says exactly that, with
the guide's pitfall, instead of showing an empty table.

run_history_request(*, run)     queue the backfill (the key is decrypted in workers only)
run_history_backfill(*, run_id) the task
"""

import logging

import ccxt
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from exchanges.permissions import NEEDS
from exchanges.selectors import tests_of
from strategies.brokers.live import live_session
from strategies.models import RunMode, StrategyRun

logger = logging.getLogger(__name__)

TASK = "strategies.tasks.backfill_run_trades"
QUEUED, LOADED, NO_PERMISSION, UNAVAILABLE = "queued", "loaded", "no_permission", "unavailable"
PAGES = 20  # at most this many pages of the exchange's answer per backfill


def run_history_request(*, run: StrategyRun) -> bool:
    """Queue a backfill of a live run's trades; False for a run that has no key."""
    if run.mode != RunMode.LIVE or run.key_id is None:
        return False
    StrategyRun.objects.filter(pk=run.pk).update(exchange_trades_state=QUEUED)
    transaction.on_commit(lambda: async_task(TASK, run.pk, task_name=f"run-trades-{run.pk}"))
    return True


def run_history_backfill(*, run_id: int) -> None:
    run = StrategyRun.objects.select_related("exchange", "key").filter(pk=run_id).first()
    if run is None or run.key is None:
        return
    try:
        with live_session(run) as broker:
            trades = _all_trades(broker, run.started_ms)
            fees = broker.fees_charged(trades, run.started_ms)  # Kraken Futures: the ledger's
            ours = broker.our_order_ids()
    except ccxt.PermissionDenied:
        trades = None
    except ccxt.BaseError as error:  # busy or down past the retries: say so, keep nothing
        logger.warning("Run %s: trades not loaded: %s", run.pk, type(error).__name__)
        StrategyRun.objects.filter(pk=run.pk).update(exchange_trades_state=UNAVAILABLE)
        return
    if not trades and _lacks_history_permission(run):
        trades = None
    StrategyRun.objects.filter(pk=run.pk).update(
        exchange_trades=[_row(trade, fees, ours) for trade in trades or []],
        exchange_trades_state=NO_PERMISSION if trades is None else LOADED,
        exchange_trades_at=timezone.now(),
    )


def _all_trades(broker, since: int) -> list[dict]:
    trades: list[dict] = []
    for _page in range(PAGES):
        page = broker.read(broker.client.fetch_my_trades, broker.run.symbol, since)
        fresh = [t for t in page if t["timestamp"] >= since and t not in trades]
        if not fresh:
            break
        trades += fresh
        since = fresh[-1]["timestamp"] + 1
    return trades


def _lacks_history_permission(run: StrategyRun) -> bool:
    """The key's last finished connection test saw its permissions, without the one that
    reads trade history."""
    needs = NEEDS.get(run.exchange.ccxt_id)
    test = tests_of(run.key).filter(finished_at__isnull=False).first() if run.key else None
    if needs is None or needs.trade_history is None or test is None:
        return False
    return bool(test.permissions_seen) and needs.trade_history not in test.permissions_seen


def _row(trade: dict, fees: dict[str, float], ours: set[str]) -> dict:
    return {
        "time": trade["timestamp"],
        "side": trade["side"],
        "amount": trade["amount"],
        "price": trade["price"],
        "fee": fees[str(trade["id"])],
        "order": str(trade.get("order") or ""),
        "ours": str(trade.get("order") or "") in ours,
    }
