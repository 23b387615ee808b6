"""The fill loop's tables (orders, fills, positions: rows of floats, codes for the enums) and
the compiled helpers that write them: an order's row, a fill booked in its position and the
account, a position's funding, and the equity curve the fills give.

Prices are in the position's side space where kernel.py says so; the tables store real prices.
"""

import numpy as np

from strategies.compiled import njit

# Orders' columns and codes (simulation.py maps the codes to the enums' values).
# O_RUNG: a safety order's place in its ladder (1 the nearest), 0 for any other order.
O_BAR, O_LEG, O_SIGN, O_AMOUNT, O_REASON, O_KIND, O_TRIGGER, O_STATUS, O_RUNG = range(9)
ORDER_COLUMNS = 9
ENTRY, EXIT, SAFETY = 0, 1, 2
SIGNAL, STOP_LOSS, TAKE_PROFIT, TRAILING_STOP, MANUAL, REVERSAL, SAFETY_ORDER = range(7)
MARKET, STOP_MARKET, TAKE_PROFIT_MARKET, LIMIT = range(4)
WORKING, FILLED, PARTIAL, CANCELLED, SKIPPED = range(5)

# Fills' columns: the order's row, the bar, the amount, the price paid or received and the
# price before slippage (real prices), the fee, then the account after the fill (cash, and the
# signed amount held: negative when short).
F_ORDER, F_BAR, F_AMOUNT, F_PRICE, F_REFERENCE, F_FEE, F_CASH, F_HELD = range(8)
FILL_COLUMNS = 8

# Positions' columns: the sign (1 long, -1 short), the first fill's bar (-1: none yet) and
# price, amounts and values (side space) of both legs, costs, the funding paid or received,
# the bar the exit completed in (-1: still open at the end) and the exit's reason.
P_SIGN, P_FIRST_BAR, P_FIRST_PRICE, P_BOUGHT, P_BOUGHT_VALUE = range(5)
P_SOLD, P_SOLD_VALUE, P_FEES, P_SLIPPAGE, P_FUNDING, P_EXIT_BAR, P_REASON = range(5, 12)
P_CLOSED_OUT = 12
POSITION_COLUMNS = 13

# A remainder this small next to its order is rounding, not an amount still to fill.
DUST = 1e-9


# The small state array the loop shares with its helpers: the fills' cash, the funding settled
# by closed positions (entries are sized from both), the fills booked, the partial orders.
CASH, SETTLED, FILL_COUNT, PARTIAL_COUNT = range(4)


@njit(cache=True)
def order_row(orders, row, bar, leg, sign, amount, reason, kind, trigger):
    """A working order in row `row` of the orders table."""
    orders[row, O_BAR] = bar
    orders[row, O_LEG] = leg
    orders[row, O_SIGN] = sign
    orders[row, O_AMOUNT] = amount
    orders[row, O_REASON] = reason
    orders[row, O_KIND] = kind
    orders[row, O_TRIGGER] = trigger
    orders[row, O_STATUS] = WORKING
    orders[row, O_RUNG] = 0


@njit(cache=True)
def grown(table: np.ndarray, rows: int) -> np.ndarray:
    """`table` with room for at least one more row than `rows`."""
    if rows < table.shape[0]:
        return table
    bigger = np.empty((table.shape[0] * 2 + 16, table.shape[1]))
    bigger[:rows] = table[:rows]
    return bigger


@njit(cache=True)
def book(fills, state, order, position, bar, amount, reference, entry, final, fee, slippage):
    """Fill `amount` at `reference` (side space, before slippage) for `position`; `final`: the
    exit's last fill. Books it in the position, the cash and the fills table; returns the
    table (grown when full)."""
    sign = position[P_SIGN]
    adverse = 1.0 if entry else -1.0
    price = reference * (1 + adverse * sign * slippage)
    paid = fee * amount * abs(price)
    slipped = amount * abs(price - reference)
    if entry:
        if position[P_FIRST_BAR] < 0:
            position[P_FIRST_BAR] = bar
            position[P_FIRST_PRICE] = price
        position[P_BOUGHT] += amount
        position[P_BOUGHT_VALUE] += amount * price
        state[CASH] += -amount * price - paid
    else:
        position[P_SOLD] += amount
        position[P_SOLD_VALUE] += amount * price
        position[P_CLOSED_OUT] = 1.0 if final else 0.0
        state[CASH] += amount * price - paid
    position[P_FEES] += paid
    position[P_SLIPPAGE] += slipped
    # Exactly zero once closed: a float remainder of the exit's chunks is not a holding.
    held = 0.0 if position[P_CLOSED_OUT] else position[P_BOUGHT] - position[P_SOLD]
    row = int(state[FILL_COUNT])
    fills = grown(fills, row)
    fills[row, F_ORDER] = order
    fills[row, F_BAR] = bar
    fills[row, F_AMOUNT] = amount
    fills[row, F_PRICE] = sign * price
    fills[row, F_REFERENCE] = sign * reference
    fills[row, F_FEE] = paid
    fills[row, F_CASH] = state[CASH]
    fills[row, F_HELD] = sign * held
    state[FILL_COUNT] = row + 1
    return fills


@njit(cache=True)
def position_funding(fills, state, first_fill, position, last, open_, rates):
    """The funding of the position over bars first+1..last (its first fill in bar `first`): at
    each of those bars' opens, the rate times what it held at the previous close; negative
    when paid. Settled into the cash later entries are sized from (point 9)."""
    first = int(position[P_FIRST_BAR])
    if first < 0 or len(rates) == 0 or last <= first:
        return 0.0
    row, rows = first_fill, int(state[FILL_COUNT])
    total = 0.0
    for bar in range(first + 1, last + 1):
        while row + 1 < rows and fills[row + 1, F_BAR] <= bar - 1:
            row += 1
        total += fills[row, F_HELD] * open_[bar] * rates[bar]
    paid = -total
    state[SETTLED] += paid
    return paid


@njit(cache=True)
def equity_curve(fills, capital, close, opens, rates, equity, held_at):
    """Writes into `equity` the equity at each bar's close (cash plus the holding at that
    close, plus the funding paid or received so far: `rates` per bar, empty off perpetuals)
    and into `held_at` the signed amount held at each close, in one pass over the bars and
    the fills table. The caller allocates both with numpy: it asks the kernel for huge pages
    for large arrays, where numba's allocator does not, and a fresh 40 MB array faulted in
    4 KB pages cost more than the whole pass (five million bars took 24x one million)."""
    count, rows = len(close), fills.shape[0]
    row, cash, held, paid = 0, capital, 0.0, 0.0
    for bar in range(count):
        if len(rates) and bar > 0:  # on what was held at the previous close (point 9)
            paid += -held * opens[bar] * rates[bar]
        # Several fills in one bar: the last one describes the account at the close.
        while row < rows and fills[row, F_BAR] <= bar:
            cash, held = fills[row, F_CASH], fills[row, F_HELD]
            row += 1
        equity[bar] = cash + held * close[bar] + paid if len(rates) else cash + held * close[bar]
        held_at[bar] = held
