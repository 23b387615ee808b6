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
MODEL = FillModel(fee=0.001, slippage_bps=5, max_volume_share=0)


def reference_trades(document, candles, model):
    """Bar by bar, the fill model read literally (long positions, no volume limit)."""
    signals, risk = decide(document, candles), document.risk
    fee, slip = model.fee, model.slippage
    cash, position, trades = 1000.0, None, []
    pending_entry = pending_exit = False
    may_decide_from = 0
    for i in range(len(candles)):
        o, h, low = (float(candles.open[i]), float(candles.high[i]), float(candles.low[i]))
        if pending_exit:  # an exit decided at the previous close fills at this open
            trades.append(_close(position, i, o * (1 - slip), fee, "signal"))
            cash += trades[-1][-1] + position["cost"] + position["fee"]
            position, pending_exit, may_decide_from = None, False, i + risk.cooldown_bars
        if pending_entry:
            price = o * (1 + slip)
            amount = cash / (price * (1 + fee))
            position = {"bar": i, "price": price, "amount": amount, "best": price}
            position |= {"cost": amount * price, "fee": fee * amount * price}
            cash -= position["cost"] + position["fee"]
            pending_entry = False
        if position is not None:
            exit_ = _level_exit(position, risk, o, h, low, model.stop_first)
            if exit_ is not None:
                trades.append(_close(position, i, exit_[0] * (1 - slip), fee, exit_[1]))
                cash += trades[-1][-1] + position["cost"] + position["fee"]
                position, may_decide_from = None, i + risk.cooldown_bars
            else:
                position["best"] = max(position["best"], h)
        if i + 1 < len(candles):
            if position is not None and signals.exit_long[i]:
                pending_exit = True
            elif position is None and i >= may_decide_from:
                pending_entry = bool(signals.enter_long[i] and not signals.exit_long[i])
    return trades


def _level_exit(position, risk, o, h, low, stop_first):
    entry = position["price"]
    stop, reason = -np.inf, "stop_loss"
    if risk.stop_loss_pct:
        stop = entry * (1 - risk.stop_loss_pct)
    if risk.trailing_stop_pct and position["best"] * (1 - risk.trailing_stop_pct) > stop:
        stop, reason = position["best"] * (1 - risk.trailing_stop_pct), "trailing_stop"
    target = entry * (1 + risk.take_profit_pct) if risk.take_profit_pct else np.inf
    if low <= stop and (h < target or o <= stop or (stop_first and o < target)):
        return min(o, stop), reason
    if h >= target:
        return max(o, target), "take_profit"
    return None


def _close(position, bar, price, fee, reason):
    proceeds = position["amount"] * price
    pnl = proceeds - position["cost"] - position["fee"] - fee * proceeds
    return (position["bar"], bar, reason, position["price"], price, pnl)


def as_rows(trades):
    return [
        (t.entry_bar, t.exit_bar, t.exit_reason, t.entry_price, t.exit_price, t.pnl) for t in trades
    ]


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        (EMA_CROSSOVER, {"signal", "stop_loss"}),
        (RSI_MEAN_REVERT, {"signal", "stop_loss", "take_profit"}),
        (TRAILING, {"signal", "trailing_stop"}),
    ],
    ids=["ema-crossover", "rsi-mean-revert-with-target", "trailing-stop"],
)
def test_trades_match_a_plain_per_bar_loop(text, reasons):
    document = parse(text)
    candles = random_walk(4000, seed=7)

    expected = reference_trades(document, candles, MODEL)
    got = as_rows(backtest(document, candles, capital=1000.0, model=MODEL).trades)

    assert len(expected) >= 20
    assert reasons <= {row[2] for row in expected}  # the series exercises every exit kind
    assert [row[:3] for row in got] == [row[:3] for row in expected]
    numbers = [value for row in got for value in row[3:]]
    assert numbers == pytest.approx([value for row in expected for value in row[3:]], rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    cut=st.integers(60, 599),
    text=st.sampled_from([EMA_CROSSOVER, RSI_MEAN_REVERT, TRAILING]),
    share=st.sampled_from([0.0, 0.1]),
)
def test_more_bars_never_change_a_trade_closed_before_the_cut(seed, cut, text, share):
    document = parse(text)
    candles = random_walk(600, seed=seed)
    model = FillModel(fee=0.001, slippage_bps=3, max_volume_share=share)

    short = backtest(document, candles.head(cut), capital=1000.0, model=model, market=Market())
    full = backtest(document, candles, capital=1000.0, model=model, market=Market())

    closed_before_cut = [t for t in full.trades if t.exit_bar < cut]
    assert short.trades == closed_before_cut
    assert np.array_equal(short.equity, full.equity[:cut])
