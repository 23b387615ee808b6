"""Where a live run's held position puts its levels and its safety orders at the exchange:
the stop and target from the average entry (an anchored stop from the candle its twin
decided on), and the ladder's limit orders (the fill model's points 11 and 12). The tick
(live_ticks) and the reconciliation between bars call these."""

import numpy as np

from strategies.brokers.live import Intent, LiveBroker
from strategies.engine.enums import Leg, Reason, Status
from strategies.engine.fills.anchors import entry_stop_share
from strategies.engine.fills.watch import exchange_levels
from strategies.models import RunOrder, RunStatus, StrategyRun
from strategies.rules import Document
from strategies.series import Candles
from strategies.services.governor import entry_blocked
from strategies.services.live_state import LiveState


def held_levels(run: StrategyRun, document: Document, closed: Candles, state: LiveState):
    """The levels (watch.exchange_levels) of the position the run holds, from its average
    entry price (its base order's and safety orders' fills) and the `closed` bars since the
    last of those fills; None when it holds nothing or is not running."""
    if not state.held or state.average is None or run.status != RunStatus.RUNNING:
        return None
    since = closed.time >= (state.added_ms or 0)
    long = state.side == "long"
    extremes = (closed.high if long else closed.low)[since]
    best = state.average
    if len(extremes):
        best = float(extremes.max() if long else extremes.min())
    anchored = None
    if document.risk.stop_anchor is not None and state.entry is not None:
        # Decided at the close before the entry's bar: the stop that entry was sized with.
        decided = int(np.searchsorted(closed.time, state.entry.bar_ms)) - 1
        anchored = entered_share(document, state.side, state.entry.price, closed, decided)
    return exchange_levels(document.risk, state.side, state.average, best, anchored)


def entered_share(
    document: Document, side: str, price: float, candles: Candles, decided: int
) -> float | None:
    """An anchored stop's share for the entry the twin took at the close of candles[decided]
    (None without an anchor). The twin did not skip it: measured from the live price instead,
    a stop too wide or on the wrong side is set at max_pct, as a clamp would."""
    share = entry_stop_share(document.risk, side, price, candles, decided)
    anchor = document.risk.stop_anchor
    if share is not None and share < 0 and anchor is not None:
        return anchor.max_pct
    return share


def keep_ladder(
    run: StrategyRun, broker: LiveBroker, document: Document, closed: Candles, state: LiveState
) -> None:
    """The position's safety orders resting at the exchange as limit orders (the fill
    model's point 11), sent once each with a client id of their own: at the base order's fill
    price x (1 -/+ deviation), for its amount x ratio x that price / the level. None rests
    beyond the stop (below a long's): one would buy again after the stop closed the position.
    So one the stop comes before is held back until a fill moves the stop past it, and one a
    rising trailing stop overtook is cancelled (and not sent again: its client id is spent).
    They are cancelled with everything else when the position closes."""
    ladder, levels = document.safety_orders, held_levels(run, document, closed, state)
    if ladder is None or levels is None or state.entry is None:
        return
    if entry_blocked(run) is not None:
        # A safety order adds to the position: a breached limit holds it back like an entry.
        for row in RunOrder.objects.filter(run=run, leg=Leg.SAFETY, status=Status.OPEN):
            broker.cancel(row)
        return
    entry, sign, stop = state.entry, state.side.sign, levels.stop

    def beyond_the_stop(price: float) -> bool:
        return stop is not None and sign * (price - stop) <= 0

    resting = RunOrder.objects.filter(run=run, leg=Leg.SAFETY, status=Status.OPEN)
    for row in resting:  # an earlier position's, or one the stop has overtaken
        price = row.trigger_price
        if row.bar_ms != entry.bar_ms or (price is not None and beyond_the_stop(price)):
            broker.cancel(row)
    ours = RunOrder.objects.filter(run=run, bar_ms=entry.bar_ms, leg=Leg.SAFETY)
    sent = set(ours.values_list("rung", flat=True))
    market = run.market_rules()
    rungs = zip(ladder.deviations(), ladder.ratios(), strict=True)
    for rung, (deviation, ratio) in enumerate(rungs, 1):
        price = float(
            broker.client.price_to_precision(run.symbol, entry.price * (1 - sign * deviation))
        )
        if rung in sent or beyond_the_stop(price):
            continue
        amount = market.amount_to_precision(entry.amount * ratio * entry.price / price)
        if market.accepts(amount, price):
            intent = Intent(
                entry.bar_ms, Leg.SAFETY, state.side, amount, Reason.SAFETY_ORDER, price, rung
            )
            broker.send(intent)
