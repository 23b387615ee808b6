"""The fill loop, compiled: arrays and plain numbers in, tables of orders, fills and positions out.

This is the fill model (the package docstring) as one loop that numba compiles to machine code
(`cache=True`: the compiled loop is kept on disk beside this file, so a new process loads it
instead of compiling it again). Flat, the loop jumps to the next entry signal (a binary search
of the signal bars); holding, it walks the bars up to the next exit signal, checking each
against the levels the bars before it set. Nothing here allocates per trade: a trade is a row.

Prices inside are in the position's side space: a short's are negated and its highs and lows
swapped, so a stop is always below and reached by a low, a target above and reached by a high,
and one code path serves both sides. The tables store real prices where they say so.

The tables and the helpers that write them are `tables.py`'s, the levels `levels.py`'s;
`simulation.py` turns the tables into trades, the equity curve and the orders.
"""

import numpy as np

from strategies.compiled import njit
from strategies.engine.fills.anchors import NONE, anchored_share
from strategies.engine.fills.ladder import RUNG_COLUMNS, cancel_rest, ladder_bar, placed
from strategies.engine.fills.levels import levels_from, touch_at
from strategies.engine.fills.model import amount_to_step
from strategies.engine.fills.tables import (
    CANCELLED,
    CASH,
    DUST,
    ENTRY,
    EXIT,
    FILL_COLUMNS,
    FILL_COUNT,
    FILLED,
    MANUAL,
    MARKET,
    O_STATUS,
    ORDER_COLUMNS,
    P_BOUGHT,
    P_CLOSED_OUT,
    P_EXIT_BAR,
    P_FIRST_BAR,
    P_FIRST_PRICE,
    P_FUNDING,
    P_REASON,
    P_SIGN,
    P_SOLD,
    PARTIAL,
    PARTIAL_COUNT,
    POSITION_COLUMNS,
    REVERSAL,
    SETTLED,
    SIGNAL,
    SKIPPED,
    STOP_MARKET,
    TAKE_PROFIT,
    TAKE_PROFIT_MARKET,
    book,
    order_row,
    position_funding,
)


@njit(cache=True, nogil=True)
def _signal_exit(decision, sign, open_, flatten_at, reason):
    """The exit a close decides, an exit rule's (`reason` SIGNAL) or a reversal's (REVERSAL):
    (bar, price before slippage in the side's space, reason, no trigger) at the next bar's
    open, "manual" from a flatten's bar on; a bar of -1 when the data ends first (points 5
    and 10)."""
    bar = decision + 1
    if bar >= len(open_):
        return -1, 0.0, -1, np.nan
    return bar, sign * open_[bar], MANUAL if 0 <= flatten_at <= decision else reason, np.nan


@njit(cache=True)
def _next_exit(exits, opposite, held_from, count):
    """The first close from `held_from` on that decides to leave a position: its exit rule's
    firing (bars `exits`), or the other direction's entry (bars `opposite`, empty unless the
    document reverses), which wins a tie; (bar, reason), bar `count` when neither comes."""
    at = np.searchsorted(exits, held_from)
    decision = exits[at] if at < len(exits) else count
    at = np.searchsorted(opposite, held_from)
    if at < len(opposite) and opposite[at] <= decision:
        return opposite[at], REVERSAL
    return decision, SIGNAL


@njit(cache=True)
def fill_loop(
    open_,
    high,
    low,
    volume,
    entries,
    short_at,
    exits_long,
    exits_short,
    exit_long,
    exit_short,
    flatten_at,
    reverse,
    risk,
    deviations,
    ratios,
    anchor_long,
    anchor_short,
    trade_terms,
    sizing_fixed,
    sizing_value,
    fee,
    slippage,
    share,
    stop_first,
    market,
    capital,
    rates,
):
    """The fill model over one period. `entries`: the bars whose close decides an entry
    (sorted), `short_at[bar]`: that entry is short; `exits_*`: the bars an exit rule fires at
    (sorted) and the same as flags; `flatten_at`: the bar a user asked to flatten at (-1:
    none), whose exits the caller has already set; `reverse`: the other direction's entry
    leaves a position and enters at the same open (point 10); `risk`: stop-loss, take-profit
    and trailing stop shares (0: none) and the cooldown in bars; `deviations` and `ratios`:
    each safety order's distance from the first fill and budget in base orders (empty: no
    scale-in, point 11); `anchor_*`: the level each close's entry would stop at on each
    side, and `trade_terms` [anchor mode, max share, fallback share, risk_pct, take_profit_r]
    (mode NONE: no anchor; point 12); `market`: amount step (0:
    any), minimum amount, minimum cost; `rates`: funding per bar (empty: not a perpetual).

    Returns (orders, fills, positions, counters): tables cut to their rows, and the counts of
    orders that filled partially and of orders below the market's minimum."""
    count = len(open_)
    stop_loss, take_profit, trailing, cooldown = risk[0], risk[1], risk[2], int(risk[3])
    anchor_mode, max_share, fallback = int(trade_terms[0]), trade_terms[1], trade_terms[2]
    risk_pct, r_multiple = trade_terms[3], trade_terms[4]
    step, min_amount, min_cost = market[0], market[1], market[2]
    orders = np.empty(((2 + len(deviations)) * len(entries) + 2, ORDER_COLUMNS))
    positions = np.empty((len(entries) + 1, POSITION_COLUMNS))
    fills = np.empty((2 * len(entries) + 16, FILL_COLUMNS))
    state = np.zeros(4)
    state[CASH] = capital
    order_count = position_count = below_minimum = 0
    stop = target = best = trail_factor = 0.0
    # The safety orders resting (rows rung..rungs of `ladder`), and what ladder_bar reads.
    ladder = np.empty((len(deviations), RUNG_COLUMNS))
    rung = rungs = 0
    levels = np.empty(4)
    shares = np.array([stop_loss, take_profit, trailing])
    costs = np.array([fee, slippage, share])
    # A reversing document's entry bars of each direction: the other side's are a held
    # position's exits (point 10).
    enters_long = entries[~short_at[entries]] if reverse else np.empty(0, np.int64)
    enters_short = entries[short_at[entries]] if reverse else np.empty(0, np.int64)

    start = done = 0
    reversal = -1  # the close that decided the reversal whose exit just completed
    while True:
        if reversal >= 0:
            # The reversal's entry, at the open its exit completed in (point 10).
            decision, bar, reversal = reversal, done, -1
        else:
            index = np.searchsorted(entries, start)
            if index >= len(entries):
                break
            decision = entries[index]
            if decision + 1 >= count:
                break
            bar = decision + 1
        sign = -1.0 if short_at[decision] else 1.0
        opposite = enters_short if sign > 0 else enters_long

        # The entry order, sized at its bar's fill price (point 2).
        price = abs(sign * open_[bar] * (1 + sign * slippage))
        trade_stop, trade_target, fraction = stop_loss, take_profit, sizing_value
        if anchor_mode != NONE:  # the stop's share from the chart, per trade (point 12)
            anchor = anchor_long[decision] if sign > 0 else anchor_short[decision]
            trade_stop = anchored_share(sign, price, anchor, anchor_mode, max_share, fallback)
            if trade_stop < 0.0:  # too wide or invalid: no entry, the next close may decide
                start = max(start, decision + 1)
                continue
            initial = trade_stop if trailing == 0.0 else min(trade_stop, trailing)
            if risk_pct > 0.0:
                fraction = min(risk_pct / initial, 1.0)
            if r_multiple > 0.0:
                trade_target = r_multiple * initial
        shares[0], shares[1] = trade_stop, trade_target
        cash = max(state[CASH] + state[SETTLED], 0.0)
        budget = min(sizing_value, cash) if sizing_fixed else fraction * cash
        amount = amount_to_step(budget / (price * (1 + fee)), step)
        entry_order = order_count
        order_count += 1
        order_row(orders, entry_order, bar, ENTRY, sign, amount, SIGNAL, MARKET, np.nan)
        if not (amount > 0 and amount >= min_amount and amount * price >= min_cost):
            orders[entry_order, O_STATUS] = SKIPPED
            below_minimum += 1
            # max: after a reversal's exit, `start` already waits for the exit's end and the
            # cooldown (points 5 and 10); an ordinary entry's decision is never before it.
            start = max(start, decision + 1)
            continue
        p = position_count
        position = positions[p]
        position[:] = 0.0
        position[P_SIGN] = sign
        position[P_FIRST_BAR] = -1.0
        position[P_EXIT_BAR] = -1.0
        first_fill = int(state[FILL_COUNT])
        to_enter = amount

        # Enter bar by bar (the volume limit), until filled or cut short by a level or a rule.
        held_from = -1
        touch_bar, touch_price, touch_reason, touch_trigger = -1, 0.0, -1, np.nan
        for k in range(bar, count):
            side_open = sign * open_[k]
            price = abs(side_open * (1 + sign * slippage))
            affordable = (state[CASH] + state[SETTLED]) / (price * (1 + fee))
            cap = share * volume[k] if share != 0.0 else np.inf
            wanted = to_enter
            chunk = (
                wanted
                if min(cap, affordable) >= wanted
                else amount_to_step(min(cap, affordable), step)
            )
            if chunk > 0:
                first = position[P_FIRST_BAR] < 0
                fills = book(
                    fills,
                    state,
                    entry_order,
                    position,
                    k,
                    chunk,
                    side_open,
                    True,
                    False,
                    fee,
                    slippage,
                )
                if first:  # the levels, from the first fill's price (points 3 and 4)
                    best = position[P_FIRST_PRICE]
                    stop, target, trail_factor = levels_from(
                        best, sign, trade_stop, trade_target, trailing
                    )
            to_enter = wanted - chunk
            if to_enter <= DUST * wanted:
                to_enter = 0.0
                orders[entry_order, O_STATUS] = FILLED
            elif affordable < min(wanted, cap):
                # When cash, not volume, is what stops the order, later bars cannot lift it:
                # the remainder is cancelled.
                to_enter = 0.0
                filled = position[P_FIRST_BAR] >= 0
                orders[entry_order, O_STATUS] = PARTIAL if filled else CANCELLED
            if to_enter == 0.0:
                held_from = k
                break
            if k == bar:
                state[PARTIAL_COUNT] += 1
            filled = position[P_FIRST_BAR] >= 0
            if filled:
                touch_price, touch_reason, touch_trigger, side_high = touch_at(
                    k, sign, open_, high, low, stop, trail_factor, target, best, stop_first
                )
                if touch_reason >= 0:
                    touch_bar = k
                    orders[entry_order, O_STATUS] = PARTIAL
                    break
            at = np.searchsorted(opposite, k)
            reversing = at < len(opposite) and opposite[at] == k
            if (exit_long if sign > 0 else exit_short)[k] or reversing:
                orders[entry_order, O_STATUS] = PARTIAL if filled else CANCELLED
                touch_bar, touch_price, touch_reason, touch_trigger = _signal_exit(
                    k, sign, open_, flatten_at, REVERSAL if reversing else SIGNAL
                )
                break
            if filled:
                best = max(best, side_high)

        if held_from >= 0 and position[P_FIRST_BAR] < 0:
            # Cancelled for lack of cash before any fill (its first bars had no volume, then
            # the price rose past the cash): no trade, no cooldown; that bar's close may
            # decide again. (Holding here would watch another trade's levels.)
            start = max(start, held_from)
            continue

        # Hold: a level reached from `held_from` on, or the exit rule's next firing; the
        # safety orders rest once the base order has filled (point 11).
        if held_from >= 0:
            rung = rungs = 0
            if len(deviations):
                first = position[P_FIRST_PRICE]
                order_count, rungs, skipped = placed(
                    orders, order_count, ladder, held_from, sign, first, budget,
                    deviations, ratios, fee, market,
                )  # fmt: skip
                below_minimum += skipped
            exits = exits_long if sign > 0 else exits_short
            decision, why = _next_exit(exits, opposite, held_from, count)
            for k in range(held_from, min(decision, count - 1) + 1):
                if rung < rungs:
                    levels[0], levels[1], levels[2], levels[3] = stop, target, trail_factor, best
                    fills, rung, touch_price, touch_reason, touch_trigger, side_high = ladder_bar(
                        k, sign, open_, high, low, volume, ladder, rungs, rung, levels, shares,
                        fills, state, orders, position, costs, step, stop_first,
                    )  # fmt: skip
                    stop, target, trail_factor, best = levels[0], levels[1], levels[2], levels[3]
                else:
                    touch_price, touch_reason, touch_trigger, side_high = touch_at(
                        k, sign, open_, high, low, stop, trail_factor, target, best, stop_first
                    )
                if touch_reason >= 0:
                    touch_bar = k
                    break
                best = max(best, side_high)
            if touch_bar < 0:
                touch_bar, touch_price, touch_reason, touch_trigger = _signal_exit(
                    decision, sign, open_, flatten_at, why
                )

        filled = position[P_FIRST_BAR] >= 0
        if touch_bar < 0:  # the data ends first: an open position is marked at the last close
            if filled:
                position[P_FUNDING] = position_funding(
                    fills, state, first_fill, position, count - 1, open_, rates
                )
                position_count += 1
            break
        if not filled:  # cancelled before any fill: no trade, no cooldown
            start = max(start, touch_bar - 1)
            continue

        # Leave: sell (a short: buy back) everything held, from the touch on (point 6); the
        # safety orders still resting are cancelled.
        cancel_rest(orders, ladder, rung, rungs)
        rung = rungs = 0
        remaining = 0.0 if position[P_CLOSED_OUT] else position[P_BOUGHT] - position[P_SOLD]
        exit_order = order_count
        order_count += 1
        kind = MARKET
        if not np.isnan(touch_trigger):  # a level reached: a stop or a take-profit order
            kind = TAKE_PROFIT_MARKET if touch_reason == TAKE_PROFIT else STOP_MARKET
        order_row(
            orders,
            exit_order,
            touch_bar,
            EXIT,
            sign,
            remaining,
            touch_reason,
            kind,
            sign * touch_trigger,
        )
        reference, done = touch_price, -1
        for k in range(touch_bar, count):
            chunk = min(remaining, share * volume[k] if share != 0.0 else np.inf)
            if chunk < remaining:
                chunk = amount_to_step(chunk, step)
                if k == touch_bar:
                    state[PARTIAL_COUNT] += 1
            final = chunk >= remaining or remaining - chunk <= DUST * position[P_BOUGHT]
            if chunk > 0:
                fills = book(
                    fills,
                    state,
                    exit_order,
                    position,
                    k,
                    chunk,
                    reference,
                    False,
                    final,
                    fee,
                    slippage,
                )
                remaining -= chunk
            if final:
                orders[exit_order, O_STATUS] = FILLED
                position[P_FUNDING] = position_funding(
                    fills, state, first_fill, position, k, open_, rates
                )
                position[P_EXIT_BAR] = k
                position[P_REASON] = touch_reason
                done = k
                break
            reference = sign * open_[k + 1] if k + 1 < count else reference
        position_count += 1
        if done < 0:
            position[P_FUNDING] = position_funding(
                fills, state, first_fill, position, count - 1, open_, rates
            )
            break
        if touch_reason == REVERSAL:
            reversal = touch_bar - 1
        start = done + cooldown

    counters = np.array([state[PARTIAL_COUNT], below_minimum])
    rows = int(state[FILL_COUNT])
    return orders[:order_count], fills[:rows], positions[:position_count], counters
