"""An entry trigger's wait, compiled: the one pass that moves entry signals to the close their
trigger held at (the rule is stated in strategies.rules and the fill model's point 2).

A module of its own so that numba's cache, named after a digest of the compiled sources
(strategies.compiled), is not thrown away by every edit of the decision pass around it.
"""

import numpy as np

from strategies.compiled import njit


@njit(cache=True)
def waited_entries(signals, triggers, exits, max_wait):
    """(entries, expiries), bar by bar. An entry signal at close i (where the direction's exit
    rule does not fire) waits for the trigger at closes i+1..i+max_wait; the first close
    where the trigger holds and the exit rule does not decides the entry, and starts no new
    wait. The signal expires at close i+max_wait without it, or at an earlier close where the
    exit rule fires. A new signal while one waits replaces it, its wait counted from its own
    close."""
    count = len(signals)
    entries = np.zeros(count, dtype=np.bool_)
    expiries = np.zeros(count, dtype=np.bool_)
    waiting = -1
    for bar in range(count):
        if waiting >= 0:
            if exits[bar]:
                expiries[bar] = True
                waiting = -1
            elif triggers[bar]:
                entries[bar] = True
                waiting = -1
                continue
            elif bar - waiting >= max_wait:
                expiries[bar] = True
                waiting = -1
        if signals[bar] and not exits[bar]:
            waiting = bar
    return entries, expiries
