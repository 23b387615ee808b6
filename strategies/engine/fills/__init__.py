"""The fill model: how backtests, paper runs and a live run's twin turn decisions into fills.

Stated exactly; `STATEMENT` below is this text's numbered list, printed on every report.

1. Decisions are taken at a bar's close, on closed bars only. A market order decided at the
   close of bar i fills at the open of bar i+1, and the ledger stamps bar i+1; an order decided
   at the last bar's close never fills. Every fill is moved against the trader by the slippage
   (slippage_bps basis points of its reference price: buys higher, sells lower) and pays the
   taker fee, fee x amount x fill price in the quote currency, on both legs.
2. When flat, a close may decide an entry where one direction's entry rule fires and that
   direction's exit rule does not (both directions at once: neither). With an entry_trigger, such
   a close only starts a wait, whatever the position: the entry is decided at the first of the
   next max_wait_bars closes where the trigger holds and the exit rule does not, and that close
   starts no new wait; the wait ends without an entry at the last of them, or earlier at a close
   where the exit rule fires; a new signal replaces a waiting one. Equity-fraction sizing buys
   fraction x cash / (fill price x (1 + fee)), fixed-quote sizing min(amount, cash) / (fill price
   x (1 + fee)). Risk-based sizing (risk_per_trade) is equity-fraction sizing with the fraction
   min(risk_pct / d, 1), d being the initial stop's share of the entry price (the nearer of
   stop_loss_pct and trailing_stop_pct): a stop filled at its level then loses about risk_pct x
   cash before slippage and fees, a gap through it more. The amount is rounded down to the
   market's amount step; an order of zero, or below the minimum amount or the minimum cost
   (amount x fill price), is skipped and counted, and the next close may decide again. One
   position at a time: entry signals while a position is open are ignored, unless the document
   reverses (point 10).
3. Stop-loss and take-profit levels are set from the entry fill price E (the first fill of the
   entry): a long's stop at E x (1 - stop_loss_pct), its target at E x (1 + take_profit_pct),
   a short's mirrored. They are live from the entry fill on, so the entry bar's range after its
   open can trigger them. A long's stop triggers when a bar's low reaches it and fills at the
   lower of the bar's open and the stop (a gap through the stop fills at the open); its target
   triggers when the high reaches it and fills at the higher of the open and the target. When
   both are reached in one bar: if the open is already through one of them, that one fills at
   the open; otherwise the stop fills first (the conservative default) or, as an option the
   report names, the target. Slippage and fee apply to these fills as to any other. A target
   given as take_profit_r is take_profit_pct = take_profit_r x d (d as in point 2): that many
   times the distance from the entry to the initial stop.
4. The trailing stop starts at (1 - trailing_stop_pct) x E, live from the entry fill. At each
   bar's close it is raised to (1 - trailing_stop_pct) x the highest high of the bars completed
   since the entry fill, never lowered, and a raise is live from the next bar: a bar is checked
   against the level the previous bars set, then its own high moves the level. With both a
   stop-loss and a trailing stop, the higher level is the stop and the exit reason names it
   (stop_loss when they are equal). A short's trailing stop follows the lowest low, above it.
5. An exit rule firing at a close fills at the next bar's open, before any stop of that bar.
   Cooldown N: after a position's exit completes in bar j, the first close that may decide a
   new entry is bar j+N's (with N = 0, bar j's own close).
6. Partial fills: an order takes at most max_volume_share of a bar's volume (default 10 %,
   0 turns the limit off); the rest fills at the following bars' opens under the same limit.
   Stops and exit rules act on what is filled and cancel the entry's remainder; an exit's
   remainder fills at the following opens and nothing else happens until it completes. Orders
   that did not fill completely in their first bar are counted.
7. Shorts only on markets that allow them (futures, perpetuals): a document with a short
   entry on a market that does not is refused before any simulation.
8. A position still open at the end is marked at the last close in the equity curve, listed
   as open, and left out of closed-trade statistics.
9. Funding, on perpetual markets: the rates the exchange published for times within a bar
   (from its open to the next bar's open) are charged at that bar's open on the position
   held at the previous close: notional (amount x the bar's open) x rate, paid by a long
   and received by a short when the rate is positive, the reverse when it is negative.
   Funding is part of a trade's profit and of the equity curve bar by bar, and goes into
   the cash later entries are sized from when the position closes. A bar without a
   published rate pays none; the report says which period the rates cover.
10. Stop-and-reverse, when the document asks for it (stop_and_reverse: true): while a position
   is open, a close that decides the other direction's entry (as point 2 decides entries)
   leaves the position and enters the other side. The exit, of the whole position and with the
   reason "reversal", fills at the next bar's open before any stop of that bar; the entry
   fills at the same open, after it, sized from the cash the exit left, its levels set from its
   own fill. Both fills pay slippage and fee. An exit rule firing at the same close changes
   nothing, and the cooldown does not delay a reversal's entry. When the exit's fills run over
   several bars (point 6), the entry starts at the open of the bar the exit completes in. A
   stop or target reached before that close leaves the position as usual; the entry then
   follows points 2 and 5. A reversal's entry skipped under point 2 leaves the account flat
   after an exit still named "reversal": the cooldown then counts from that exit.
11. Scale-in, when the document has safety_orders: once the entry (the base order) has filled
   completely, count limit orders rest against the position: safety order n at F x (1 - D_n)
   for a long, F x (1 + D_n) for a short, F being the first fill's price and D_n the sum of
   the first n gaps (the first is deviation_pct, each next one step_scale times the one
   before). Safety order n costs B x size_ratio x volume_scale^(n-1) at its level, fee
   included, B being the base order's budget (point 2): the amount is that divided by (level
   x (1 + fee)), rounded down to the step, and one below the market's minimum is skipped. A
   safety order fills when a bar's range reaches its level, at the level, or at the open when
   the bar opens beyond it; slippage and fee apply as to any fill (an exchange fills a limit
   order at its price or better: this errs on the cautious side). The safety orders filling
   in one bar share the volume limit of point 6, a remainder rests, and one the cash cannot
   pay is cancelled with those beyond it. Stop-loss, take-profit and trailing stop are then
   measured as in points 3 and 4 from the average entry price A (what the fills cost over
   what they bought, slippage included) instead of E, and the trailing stop starts again from
   A at each safety order filled. A bar that reaches a safety order is read as open, low,
   high for a long (open, high, low for a short): safety orders and the stop fill in the
   order the price meets them, each fill moving the levels, then the target from the new
   average; with the target-first option, the target comes before any safety order. When the
   position closes, the safety orders still resting are cancelled. The worst case, every
   safety order filled, commits B x (1 + the sum of size_ratio x volume_scale^(n-1)): shown
   before a run starts and on every report; with equity-fraction sizing it must fit in the
   equity.
12. Anchored stop, when the document sets risk.stop_anchor: the stop-loss is set on the chart
   instead of at a percentage. Its anchor A is the low of the candle whose close decided the
   entry (at: signal_candle; a short: its high), or the lowest low of the bars candles ending
   with that one (at: swing; a short: the highest high). When the entry is sized (point 2),
   its share d = (P - A) / P for a long, (A - P) / P for a short, P being the entry bar's
   fill price. When d is above max_pct, or not above zero (the price already beyond the
   anchor, or a swing without enough candles behind it), too_wide decides: skip (no entry, as
   one skipped under point 2), clamp (d = max_pct) or percent (d = stop_loss_pct). The
   stop-loss is then E x (1 - d) for a long, E x (1 + d) for a short, as in point 3: the
   anchor itself when the entry fills whole in its bar. Risk-based sizing and take_profit_r
   measure from this d, trade by trade (with a trailing stop, from the nearer of the two).
"""

from strategies.engine.fills.model import STATEMENT, FillModel, Market, ShortsNotAllowed
from strategies.engine.fills.simulation import Fills, simulate
from strategies.engine.fills.trades import Trade

__all__ = [
    "STATEMENT",
    "FillModel",
    "Fills",
    "Market",
    "ShortsNotAllowed",
    "Trade",
    "simulate",
]
