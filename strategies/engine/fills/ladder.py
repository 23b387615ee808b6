"""Scale-in (DCA): the safety orders a held position rests, and a bar that may fill them; the
fill model's point 11, compiled for the fill loop (kernel.py).

Prices are in the position's side space, as in the loop: a safety order rests below the first
fill and is reached by a low, for a short as for a long. A ladder is a small table, one row
per safety order that was sent (skipped ones have none), nearest first.
"""

import numpy as np

from strategies.compiled import njit
from strategies.engine.fills.levels import levels_from, stop_level, touch
from strategies.engine.fills.model import amount_to_step
from strategies.engine.fills.tables import (
    CANCELLED,
    CASH,
    DUST,
    FILLED,
    LIMIT,
    O_RUNG,
    O_STATUS,
    P_BOUGHT,
    P_BOUGHT_VALUE,
    PARTIAL,
    PARTIAL_COUNT,
    SAFETY,
    SAFETY_ORDER,
    SETTLED,
    SKIPPED,
    TAKE_PROFIT,
    book,
    order_row,
)

# The ladder's columns: the level (side space), the amount asked, the amount still resting,
# and the order's row in the orders table.
R_LEVEL, R_AMOUNT, R_LEFT, R_ORDER = range(4)
RUNG_COLUMNS = 4


@njit(cache=True)
def placed(orders, order_count, ladder, bar, sign, first, budget, deviations, ratios, fee, market):
    """Sends the safety orders of a position whose base order filled completely in `bar`,
    first filled at `first` (side space, slippage included) with `budget` (quote): each rests
    at first x (1 - deviation), for budget x ratio / (level x (1 + fee)) rounded down to the
    step; one below the market's minimum is skipped. Returns (order count, rungs resting,
    orders skipped)."""
    step, min_amount, min_cost = market[0], market[1], market[2]
    rungs = skipped = 0
    for i in range(len(deviations)):
        level = first * (1 - sign * deviations[i])
        price = abs(level)
        amount = amount_to_step(budget * ratios[i] / (price * (1 + fee)), step)
        row = order_count
        order_count += 1
        order_row(orders, row, bar, SAFETY, sign, amount, SAFETY_ORDER, LIMIT, sign * level)
        orders[row, O_RUNG] = i + 1
        if not (amount > 0 and amount >= min_amount and amount * price >= min_cost):
            orders[row, O_STATUS] = SKIPPED
            skipped += 1
            continue
        ladder[rungs, R_LEVEL] = level
        ladder[rungs, R_AMOUNT] = ladder[rungs, R_LEFT] = amount
        ladder[rungs, R_ORDER] = row
        rungs += 1
    return order_count, rungs, skipped


@njit(cache=True)
def cancel_rest(orders, ladder, first_rung, rungs):
    """The position closed (or the cash ran out): what still rests is cancelled."""
    for rung in range(first_rung, rungs):
        if ladder[rung, R_LEFT] > 0:
            partly = ladder[rung, R_LEFT] < ladder[rung, R_AMOUNT]
            orders[int(ladder[rung, R_ORDER]), O_STATUS] = PARTIAL if partly else CANCELLED
            ladder[rung, R_LEFT] = 0.0


@njit(cache=True)
def ladder_bar(
    k,
    sign,
    open_,
    high,
    low,
    volume,
    ladder,
    rungs,
    rung,
    levels,
    shares,
    fills,
    state,
    orders,
    position,
    costs,
    step,
    stop_first,
):
    """Bar `k` of a position with safety orders resting from `rung` on; `levels` (stop,
    target, trailing factor, best) is updated in place, `shares` holds the stop-loss,
    take-profit and trailing-stop shares, `costs` the fee, the slippage and the volume share.

    A bar that does not reach the next safety order, or opens through the stop or the target,
    is `touch`'s. Otherwise the price goes from the open down to the low first (the target
    first, before any safety order, when the report's option says target first): safety
    orders fill in the order the price meets them, at their level or at the open on a gap,
    each moving the levels to the new average entry, until the stop is met first; then the
    stop, then the target (stop first), against the levels as the fills left them.

    Returns (fills table, next rung, exit price before slippage, reason (-1: none), trigger,
    the bar's high in the side's space)."""
    fee, slippage, share = costs[0], costs[1], costs[2]
    side_high = high[k] if sign > 0 else -low[k]
    side_low = low[k] if sign > 0 else -high[k]
    side_open = sign * open_[k]
    stop, target, trail_factor, best = levels[0], levels[1], levels[2], levels[3]
    level, _ = stop_level(stop, trail_factor, best)
    reached = rung < rungs and side_low <= ladder[rung, R_LEVEL]
    if not reached or side_open <= level or side_open >= target:
        price, reason, trigger = touch(
            side_open, side_high, side_low, stop, trail_factor, target, best, stop_first
        )
        return fills, rung, price, reason, trigger, side_high
    if not stop_first and side_high >= target:  # the high before the low
        return fills, rung, target, TAKE_PROFIT, target, side_high

    cap = share * volume[k] if share != 0.0 else np.inf
    while rung < rungs and side_low <= ladder[rung, R_LEVEL]:
        level, _ = stop_level(stop, trail_factor, best)
        if level >= ladder[rung, R_LEVEL]:  # the stop is met first on the way down
            break
        reference = min(side_open, ladder[rung, R_LEVEL])
        price = abs(reference * (1 + sign * slippage))
        affordable = (state[CASH] + state[SETTLED]) / (price * (1 + fee))
        wanted = ladder[rung, R_LEFT]
        room = cap
        limit = min(cap, affordable)
        chunk = wanted if limit >= wanted else amount_to_step(limit, step)
        if chunk < wanted and wanted == ladder[rung, R_AMOUNT]:
            state[PARTIAL_COUNT] += 1  # not filled whole in its first bar (point 6)
        if chunk > 0:
            row = int(ladder[rung, R_ORDER])
            fills = book(
                fills, state, row, position, k, chunk, reference, True, False, fee, slippage
            )
            cap -= chunk
            ladder[rung, R_LEFT] = wanted - chunk
            best = position[P_BOUGHT_VALUE] / position[P_BOUGHT]  # the average entry
            stop, target, trail_factor = levels_from(best, sign, shares[0], shares[1], shares[2])
        if ladder[rung, R_LEFT] <= DUST * ladder[rung, R_AMOUNT]:
            ladder[rung, R_LEFT] = 0.0
            orders[int(ladder[rung, R_ORDER]), O_STATUS] = FILLED
            rung += 1
            continue
        if affordable < min(wanted, room):
            # The cash, not the volume, stopped it: no later bar can pay for the rest.
            cancel_rest(orders, ladder, rung, rungs)
            rung = rungs
        break  # else the bar's volume share is spent: the remainder rests
    levels[0], levels[1], levels[2], levels[3] = stop, target, trail_factor, best

    level, reason = stop_level(stop, trail_factor, best)
    if side_low <= level:
        return fills, rung, min(side_open, level), reason, level, side_high
    if stop_first and side_high >= target:
        return fills, rung, max(side_open, target), TAKE_PROFIT, target, side_high
    return fills, rung, 0.0, -1, 0.0, side_high
