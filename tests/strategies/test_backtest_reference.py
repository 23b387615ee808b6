"""The fill loop against a deliberately plain per-bar loop written here, and the no-look-ahead
property end to end: a longer history never changes a trade closed before the cut."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.engine import FillModel, Market, backtest, decide
from strategies.rules import parse
from tests.strategies.test_indicators_properties import random_walk

CONTENT = Path("strategies/content")
EMA_CROSSOVER = (CONTENT / "ema-crossover" / "strategy.yaml").read_text()
RSI_MEAN_REVERT = (
    (CONTENT / "rsi-mean-revert" / "strategy.yaml")
    .read_text()
    .replace(
        "risk: {stop_loss_pct: 0.03, cooldown_bars: 3}",
        "risk: {stop_loss_pct: 0.03, take_profit_pct: 0.04, cooldown_bars: 3}",
    )
)
TRAILING = EMA_CROSSOVER.replace(
    "risk: {stop_loss_pct: 0.05, trailing_stop_pct: 0.08, cooldown_bars: 3}",
    "risk: {trailing_stop_pct: 0.02, cooldown_bars: 0}",
)
# Two sides: the catalog's Supertrend reverses at each flip (stop_and_reverse: true); with a
# target and a trailing stop every exit kind comes up; MACD trend goes short without reversing.
SUPER_TREND = (CONTENT / "super_trend" / "strategy.yaml").read_text()
SUPER_TREND_LEVELS = SUPER_TREND.replace(
    "risk: {stop_loss_pct: 0.05}",
    "risk: {stop_loss_pct: 0.04, take_profit_pct: 0.1, trailing_stop_pct: 0.06, cooldown_bars: 2}",
)
MACD_TREND = (CONTENT / "macd-trend" / "strategy.yaml").read_text()
# Risk sizing (1 % at a 3 % stop: a third of the equity) and a target of 2 R.
RISKED = MACD_TREND.replace(
    "risk: {stop_loss_pct: 0.035, cooldown_bars: 2}",
    "risk: {stop_loss_pct: 0.03, take_profit_r: 2, cooldown_bars: 2}",
).replace(
    "sizing: {kind: equity_fraction, fraction: 0.5}",
    "sizing: {kind: risk_per_trade, risk_pct: 0.01}",
)
# The crossover's entry waits up to 5 bars for a pullback to the fast average.
PULLBACK = EMA_CROSSOVER.replace(
    "exit:\n",
    "entry_trigger:\n  max_wait_bars: 5\n"
    "  rule: {lhs: {bar: low}, op: lte, rhs: {indicator: ema_fast}}\nexit:\n",
)
# Anchored: the MACD trend's stop at the 5-bar swing, clamped at 4 %; 1 % risked; 2 R.
SWING_ANCHORED = RISKED.replace(
    "risk: {stop_loss_pct: 0.03, take_profit_r: 2, cooldown_bars: 2}",
    "risk: {take_profit_r: 2, cooldown_bars: 2,"
    " stop_anchor: {at: swing, bars: 5, max_pct: 0.04, too_wide: clamp}}",
)
# At the signal candle, skipped when farther than 1.5 % (some entries are).
CANDLE_ANCHORED = MACD_TREND.replace(
    "risk: {stop_loss_pct: 0.035, cooldown_bars: 2}",
    "risk: {trailing_stop_pct: 0.02, stop_anchor: {at: signal_candle, max_pct: 0.015}}",
)
# Reversing with a tight swing anchor: many reversal entries are skipped, then the cooldown.
REVERSING_ANCHORED = SUPER_TREND.replace(
    "risk: {stop_loss_pct: 0.05}",
    "risk: {cooldown_bars: 3, stop_anchor: {at: swing, bars: 3, max_pct: 0.025}}",
)
MODEL = FillModel(fee=0.001, slippage_bps=5, max_volume_share=0)


def reference_trades(document, candles, model, *, capital=1000.0):
    """Bar by bar, the fill model read literally (both sides, a reversal when the document
    asks for one, a stop anchored to the chart; no volume limit). A short's prices are
    written out, not mirrored."""
    signals, risk = decide(document, candles), document.risk
    fee, slip = model.fee, model.slippage
    cash, position, trades = capital, None, []
    pending_entry = pending_exit = None  # the side to enter, the reason to leave
    may_decide_from = 0
    for i in range(len(candles)):
        o, h, low = (float(candles.open[i]), float(candles.high[i]), float(candles.low[i]))
        reversed_here = pending_exit == "reversal"
        if pending_exit:  # an exit decided at the previous close fills at this open
            trades.append(_close(position, i, o, slip, fee, pending_exit))
            cash += trades[-1][-1]
            if pending_exit != "reversal":
                may_decide_from = i + risk.cooldown_bars
            position, pending_exit = None, None
        if pending_entry:  # after the exit, at the same open
            sign = 1 if pending_entry == "long" else -1
            price = o * (1 + sign * slip)  # a buy pays more, a short's sale gets less
            stop_pct = _stop_pct(risk, pending_entry, price, candles, i - 1)
            if stop_pct == SKIPPED:  # an anchor too far: the next close decides again
                pending_entry = None
                if reversed_here:  # flat after a reversal's exit: its cooldown counts
                    may_decide_from = i + risk.cooldown_bars
            else:
                # The stop's first distance, what risk sizing and a target in R measure from.
                first = min(pct for pct in (stop_pct, risk.trailing_stop_pct, 1.0) if pct)
                fraction = getattr(document.sizing, "fraction", 1.0)
                if document.sizing.kind == "risk_per_trade":
                    fraction = min(document.sizing.risk_pct / first, 1.0)
                target_pct = risk.take_profit_r * first if risk.take_profit_r else None
                amount = fraction * cash / (price * (1 + fee))
                position = {"side": pending_entry, "bar": i, "price": price, "amount": amount}
                position |= {"best": price, "stop_pct": stop_pct}
                position["target_pct"] = target_pct or risk.take_profit_pct
                pending_entry = None
        if position is not None:
            exit_ = _level_exit(position, risk, o, h, low, model.stop_first)
            if exit_ is not None:
                trades.append(_close(position, i, exit_[0], slip, fee, exit_[1]))
                cash += trades[-1][-1]
                position, may_decide_from = None, i + risk.cooldown_bars
            elif position["side"] == "long":
                position["best"] = max(position["best"], h)
            else:
                position["best"] = min(position["best"], low)
        if i + 1 < len(candles):
            long_ = bool(signals.enter_long[i] and not signals.exit_long[i])
            short = bool(signals.enter_short[i] and not signals.exit_short[i])
            wanted = None if long_ == short else ("long" if long_ else "short")
            if position is not None:
                leaves = (
                    signals.exit_long[i] if position["side"] == "long" else signals.exit_short[i]
                )
                if document.stop_and_reverse and wanted not in (None, position["side"]):
                    pending_exit, pending_entry = "reversal", wanted
                elif leaves:
                    pending_exit = "signal"
            elif i >= may_decide_from:
                pending_entry = wanted
    return trades


SKIPPED = -1.0


def _stop_pct(risk, side, price, candles, decided):
    """The stop-loss's share of the entry price: the percentage, or the anchor's (the low of
    the deciding candle, or the lowest of a swing's; a short: the highs), with what too_wide
    says when it is farther than max_pct or on the wrong side (or SKIPPED)."""
    anchor = risk.stop_anchor
    if anchor is None:
        return risk.stop_loss_pct
    bars = 1 if anchor.at == "signal_candle" else (anchor.bars or 5)
    if decided - bars + 1 < 0:
        share = float("nan")
    elif side == "long":
        level = min(float(x) for x in candles.low[decided - bars + 1 : decided + 1])
        share = (price - level) / price
    else:
        level = max(float(x) for x in candles.high[decided - bars + 1 : decided + 1])
        share = (level - price) / price
    if 0 < share <= anchor.max_pct:
        return share
    return {"clamp": anchor.max_pct, "percent": risk.stop_loss_pct, "skip": SKIPPED}[
        anchor.too_wide
    ]


def _level_exit(position, risk, o, h, low, stop_first):
    """(price before slippage, reason) when a level is reached in this bar, else None."""
    entry, best = position["price"], position["best"]
    stop_pct, target_pct = position["stop_pct"], position["target_pct"]
    if position["side"] == "long":
        stop, reason = -np.inf, "stop_loss"
        if stop_pct:
            stop = entry * (1 - stop_pct)
        if risk.trailing_stop_pct and best * (1 - risk.trailing_stop_pct) > stop:
            stop, reason = best * (1 - risk.trailing_stop_pct), "trailing_stop"
        target = entry * (1 + target_pct) if target_pct else np.inf
        if low <= stop and (h < target or o <= stop or (stop_first and o < target)):
            return min(o, stop), reason
        if h >= target:
            return max(o, target), "take_profit"
        return None
    stop, reason = np.inf, "stop_loss"  # a short's stop above, reached by a high
    if stop_pct:
        stop = entry * (1 + stop_pct)
    if risk.trailing_stop_pct and best * (1 + risk.trailing_stop_pct) < stop:
        stop, reason = best * (1 + risk.trailing_stop_pct), "trailing_stop"
    target = entry * (1 - target_pct) if target_pct else -np.inf
    if h >= stop and (low > target or o >= stop or (stop_first and o > target)):
        return max(o, stop), reason
    if low <= target:
        return min(o, target), "take_profit"
    return None


def _close(position, bar, reference, slip, fee, reason):
    """The trade closed at `reference` (before slippage); its last item is its net profit."""
    amount, entry = position["amount"], position["price"]
    if position["side"] == "long":
        price = reference * (1 - slip)
        gross = amount * (price - entry)
    else:
        price = reference * (1 + slip)
        gross = amount * (entry - price)
    pnl = gross - fee * amount * entry - fee * amount * price
    return (position["side"], position["bar"], bar, reason, entry, price, pnl)


def as_rows(trades):
    return [
        (t.side, t.entry_bar, t.exit_bar, t.exit_reason, t.entry_price, t.exit_price, t.pnl)
        for t in trades
    ]


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        (EMA_CROSSOVER, {"signal", "stop_loss"}),
        (RSI_MEAN_REVERT, {"signal", "stop_loss", "take_profit"}),
        (TRAILING, {"signal", "trailing_stop"}),
        (SUPER_TREND, {"reversal", "stop_loss"}),
        (SUPER_TREND_LEVELS, {"reversal", "stop_loss", "take_profit", "trailing_stop"}),
        (MACD_TREND, {"signal", "stop_loss"}),
        (RISKED, {"signal", "stop_loss", "take_profit"}),
        (SWING_ANCHORED, {"signal", "stop_loss", "take_profit"}),
        (CANDLE_ANCHORED, {"signal", "stop_loss", "trailing_stop"}),
        (REVERSING_ANCHORED, {"reversal", "stop_loss"}),
    ],
    ids=[
        "ema-crossover",
        "rsi-mean-revert-with-target",
        "trailing-stop",
        "super-trend-reversing",
        "super-trend-reversing-with-levels",
        "macd-trend-both-sides",
        "risk-sized-with-a-target-in-r",
        "anchored-at-a-swing-risk-sized-with-a-target-in-r",
        "anchored-at-the-signal-candle-too-wide-skipped",
        "reversing-with-skipped-entries-and-a-cooldown",
    ],
)
def test_trades_match_a_plain_per_bar_loop(text, reasons):
    document = parse(text)
    candles = random_walk(4000, seed=7)
    market = Market(allows_shorts=True)

    expected = reference_trades(document, candles, MODEL)
    got = as_rows(backtest(document, candles, capital=1000.0, model=MODEL, market=market).trades)

    assert len(expected) >= 20
    assert reasons <= {row[3] for row in expected}  # the series exercises every exit kind
    assert [row[:4] for row in got] == [row[:4] for row in expected]
    numbers = [value for row in got for value in row[4:]]
    assert numbers == pytest.approx([value for row in expected for value in row[4:]], rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    cut=st.integers(60, 599),
    text=st.sampled_from([EMA_CROSSOVER, RSI_MEAN_REVERT, TRAILING, SUPER_TREND, PULLBACK]),
    share=st.sampled_from([0.0, 0.1]),
)
def test_more_bars_never_change_a_trade_closed_before_the_cut(seed, cut, text, share):
    document = parse(text)
    candles = random_walk(600, seed=seed)
    model = FillModel(fee=0.001, slippage_bps=3, max_volume_share=share)

    market = Market(allows_shorts=True)
    short = backtest(document, candles.head(cut), capital=1000.0, model=model, market=market)
    full = backtest(document, candles, capital=1000.0, model=model, market=market)

    closed_before_cut = [t for t in full.trades if t.exit_bar < cut]
    assert short.trades == closed_before_cut
    assert np.array_equal(short.equity, full.equity[:cut])
