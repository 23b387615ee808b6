"""Scale-in (DCA) against a deliberately plain per-bar loop written here: the fill model's
point 11 read literally, real prices on both sides (a short's are not mirrored), the
levels recomputed from the average entry after every safety order filled."""

import numpy as np
import pytest

from strategies.engine import FillModel, Market, backtest, decide
from strategies.rules import parse
from strategies.series import Candles
from tests.strategies.test_indicators_properties import random_walk

# Bollinger dips bought with a 6-rung ladder; the same ladder for a short on the mirror image.
LONG_LADDER = """
name: ladder
indicators:
  bands: {kind: bollinger, period: 20, stddev: 2.0}
entry: {lhs: {bar: close}, op: lt, rhs: {indicator: bands, field: lower}}
risk: {stop_loss_pct: 0.05, take_profit_pct: 0.015, cooldown_bars: 1}
sizing: {kind: equity_fraction, fraction: 0.04}
safety_orders: {count: 6, deviation_pct: 0.01, step_scale: 1.3, size_ratio: 1.2, volume_scale: 1.4}
"""
SHORT_LADDER = """
name: ladder-short
long_only: false
indicators:
  bands: {kind: bollinger, period: 20, stddev: 2.0}
entry: {lhs: {bar: close}, op: gt, rhs: {indicator: bands, field: upper}, direction: short}
risk: {stop_loss_pct: 0.05, take_profit_pct: 0.015, cooldown_bars: 1}
sizing: {kind: equity_fraction, fraction: 0.04}
safety_orders: {count: 6, deviation_pct: 0.01, step_scale: 1.3, size_ratio: 1.2, volume_scale: 1.4}
"""
# A trailing stop restarted from each new average, and an exit rule beside the levels.
TRAILING_LADDER = LONG_LADDER.replace(
    "risk: {stop_loss_pct: 0.05, take_profit_pct: 0.015, cooldown_bars: 1}",
    "risk: {take_profit_pct: 0.03, trailing_stop_pct: 0.06}",
).replace(
    "sizing:",
    "exit: {lhs: {bar: close}, op: gt, rhs: {indicator: bands, field: upper}}\nsizing:",
)


def gapped_walk(count, seed):
    """A random walk whose bars open away from the previous close one time in eight (by up
    to 4 %), so that gaps jump over safety orders, stops and targets."""
    candles = random_walk(count, seed=seed)
    rng = np.random.default_rng(seed + 1)
    gaps = np.where(rng.random(count) < 0.125, rng.uniform(-0.04, 0.04, count), 0.0)
    open_ = candles.open * (1 + gaps)
    high = np.maximum(candles.high, open_)
    low = np.minimum(candles.low, open_)
    return Candles("1h", candles.time, open_, high, low, candles.close, candles.volume)


def reference_ladder_trades(document, candles, model, *, capital=1000.0):
    """Bar by bar: a base order at the open after the signal, then the ladder's limit orders
    resting at first fill x (1 -/+ cumulative deviation), filled at the level or the open on
    a gap; a bar reaching a rung is read open -> low -> high for a long (open -> high -> low
    for a short), the stop and target from the average entry at each point of the way.
    (No volume limit; cash never binds: between trades it is the capital plus the profits.)"""
    signals, risk, ladder = decide(document, candles), document.risk, document.safety_orders
    fee, slip, stop_first = model.fee, model.slippage, model.stop_first
    deviations, ratios = [], []
    gap, size, reached = ladder.deviation_pct, ladder.size_ratio, 0.0
    for _ in range(ladder.count):
        reached += gap
        deviations.append(reached)
        ratios.append(size)
        gap, size = gap * ladder.step_scale, size * ladder.volume_scale
    cash, position = capital, None
    trades: list[tuple] = []
    pending, may_decide_from = None, 0
    for i in range(len(candles)):
        o, h, low = float(candles.open[i]), float(candles.high[i]), float(candles.low[i])
        if pending == "exit":
            cash += _leave(position, trades, i, o, slip, fee, "signal")
            position, pending, may_decide_from = None, None, i + risk.cooldown_bars
        elif pending in ("long", "short"):
            sign = 1 if pending == "long" else -1
            price = o * (1 + sign * slip)
            budget = document.sizing.fraction * cash
            rungs = []
            for deviation, ratio in zip(deviations, ratios, strict=True):
                level = price * (1 - sign * deviation)
                rungs.append((level, budget * ratio / (level * (1 + fee))))
            amount = budget / (price * (1 + fee))
            position = {"sign": sign, "bar": i, "fills": [(amount, price)], "rungs": rungs}
            position["best"] = price
            pending = None
        if position is not None:
            left = _bar(position, risk, o, h, low, slip, stop_first)
            if left is not None:
                cash += _leave(position, trades, i, left[0], slip, fee, left[1])
                position, may_decide_from = None, i + risk.cooldown_bars
        if i + 1 < len(candles):
            if position is not None:
                side = "long" if position["sign"] > 0 else "short"
                pending = "exit" if getattr(signals, f"exit_{side}")[i] else None
            elif i >= may_decide_from:
                long_ = bool(signals.enter_long[i] and not signals.exit_long[i])
                short = bool(signals.enter_short[i] and not signals.exit_short[i])
                pending = None if long_ == short else ("long" if long_ else "short")
    return trades


def _average(position):
    amount = sum(a for a, _ in position["fills"])
    return amount, sum(a * p for a, p in position["fills"]) / amount


def _levels(position, risk):
    """(stop, its reason, target) of a long or a short, from the average entry."""
    sign, (_, average), best = position["sign"], _average(position), position["best"]
    stop, reason = -sign * np.inf, "stop_loss"
    if risk.stop_loss_pct:
        stop = average * (1 - sign * risk.stop_loss_pct)
    if risk.trailing_stop_pct:
        trail = best * (1 - sign * risk.trailing_stop_pct)
        if (trail > stop) if sign > 0 else (trail < stop):
            stop, reason = trail, "trailing_stop"
    target = average * (1 + sign * risk.take_profit_pct) if risk.take_profit_pct else sign * np.inf
    return stop, reason, target


def _bar(position, risk, o, h, low, slip, stop_first):
    """(price before slippage, reason) when the position leaves in this bar, else None;
    the safety orders the bar fills are added to the position."""
    sign = position["sign"]
    # Written once for both sides: "beyond" is below for a long, above for a short.
    if sign > 0:
        adverse, favourable, worse, better = low, h, min, max
    else:
        adverse, favourable, worse, better = h, low, max, min

    def beyond(a, b):
        return a <= b if sign > 0 else a >= b

    stop, reason, target = _levels(position, risk)
    rungs = position["rungs"]
    if not rungs or not beyond(adverse, rungs[0][0]) or beyond(o, stop) or beyond(target, o):
        hit_stop, hit_target = beyond(adverse, stop), beyond(target, favourable)
        open_through = beyond(o, stop)
        if hit_stop and (not hit_target or open_through or (stop_first and not beyond(target, o))):
            return worse(o, stop), reason
        if hit_target:
            return better(o, target), "take_profit"
        _follow(position, favourable, better)
        return None
    if not stop_first and beyond(target, favourable):  # the high (a short: the low) first
        return target, "take_profit"

    def met_before_the_stop(level):  # reads the stop as the fills so far have moved it
        return beyond(stop, level) and stop != level

    while rungs and beyond(adverse, rungs[0][0]) and met_before_the_stop(rungs[0][0]):
        level, amount = rungs.pop(0)
        position["fills"].append((amount, worse(o, level) * (1 + sign * slip)))
        position["best"] = _average(position)[1]
        stop, reason, target = _levels(position, risk)
    if beyond(adverse, stop):
        return worse(o, stop), reason
    if stop_first and beyond(target, favourable):
        return better(o, target), "take_profit"
    _follow(position, favourable, better)
    return None


def _follow(position, favourable, better):
    """The best price completed since the entry (or the last safety order's fill)."""
    position["best"] = better(position["best"], favourable)


def _leave(position, trades, bar, reference, slip, fee, reason):
    """Closes the whole position at `reference` (before slippage); returns its net profit."""
    sign = position["sign"]
    amount, average = _average(position)
    price = reference * (1 - sign * slip)
    paid = sum(a * p for a, p in position["fills"])
    pnl = sign * (amount * price - paid) - fee * paid - fee * amount * price
    side = "long" if sign > 0 else "short"
    trades.append((side, position["bar"], bar, reason, len(position["fills"]) - 1, average, pnl))
    return pnl


@pytest.mark.parametrize(
    ("text", "reasons", "flip"),
    [
        (LONG_LADDER, {"stop_loss", "take_profit"}, False),
        (SHORT_LADDER, {"stop_loss", "take_profit"}, True),
        (TRAILING_LADDER, {"signal", "trailing_stop"}, False),
    ],
    ids=["long-ladder", "short-ladder", "trailing-stop-from-the-average"],
)
@pytest.mark.parametrize("stop_first", [True, False], ids=["stop-first", "target-first"])
def test_ladder_trades_match_a_plain_per_bar_loop(text, reasons, flip, stop_first):
    document = parse(text)
    candles = gapped_walk(6000, seed=11)
    model = FillModel(
        fee=0.001,
        slippage_bps=5,
        max_volume_share=0,
        tie="stop_first" if stop_first else "target_first",
    )
    market = Market(allows_shorts=True)

    expected = reference_ladder_trades(document, candles, model)
    result = backtest(document, candles, capital=1000.0, model=model, market=market)
    safety_fills = sum(len(order.fills) for order in result.orders if order.leg == "safety")
    got = [
        (t.side, t.entry_bar, t.exit_bar, t.exit_reason, t.entry_price, t.pnl)
        for t in result.trades
    ]

    assert len(expected) >= 20
    assert reasons <= {row[3] for row in expected}
    rungs_filled = [row[4] for row in expected]
    assert max(rungs_filled) >= 4  # deep ladders,
    assert 0 in rungs_filled  # and trades that needed none
    assert safety_fills == sum(rungs_filled)  # one fill per rung filled (no volume limit)
    assert [row[:4] for row in got] == [row[:4] for row in expected]
    numbers = [value for row in got for value in row[4:]]
    expected_numbers = [value for row in expected for value in (row[5], row[6])]
    assert numbers == pytest.approx(expected_numbers, rel=1e-9)
