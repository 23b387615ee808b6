"""Parity: a paper run ticked bar by bar records exactly what a backtest over the same candles
finds (trades, fills, orders, the equity at every close), for six catalog strategies, one of
them multi-timeframe, one that goes short, one that reverses, one whose entries wait for a
trigger and one whose safety orders rest over several ticks. The ticks read the candle store,
as in production; the backtest gets the arrays directly."""

from pathlib import Path

import numpy as np
import pytest

from strategies import rules
from strategies.engine import FillModel, Market, backtest, history_bars
from strategies.models import RunBar, RunDecision, RunFill, RunOrder, RunTrade
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.strategies.run_helpers import paper_run, stored
from tests.strategies.test_indicators_properties import random_walk

pytestmark = pytest.mark.django_db

PERIOD = 240


def document_text(slug: str) -> str:
    return (Path("strategies/content") / slug / "strategy.yaml").read_text()


def expected_backtest(text: str, candles, *, warmup: int, shorts: bool, share: float):
    return backtest(
        rules.parse(text, base_timeframe=candles.timeframe),
        candles,
        capital=10_000.0,
        model=FillModel(fee=0.001, slippage_bps=5.0, max_volume_share=share),
        market=Market(amount_step=1e-8, allows_shorts=shorts),
        warmup=warmup,
    )


@pytest.mark.parametrize(
    ("slug", "seed", "shorts"),
    [
        ("ema-crossover", 2, False),
        ("macd-trend", 1, True),
        ("multi-trend-confluence", 5, False),
        ("super_trend", 3, True),  # stop-and-reverse: an exit and an entry at one open
        ("trend-pullback", 8, False),  # an entry trigger: entries wait for a pullback
        ("dca-accumulator", 1, False),  # safety orders resting over ticks, filled in part
    ],
)
def test_ticking_bar_by_bar_gives_the_backtest_exactly(slug, seed, shorts):
    text = document_text(slug)
    warm = history_bars(rules.parse(text, base_timeframe="1h"), "1h")
    candles = random_walk(warm + PERIOD, seed=seed)
    stored(candles)
    # A small share of each bar's volume: orders fill over several bars (partial fills).
    share = 0.02
    run = paper_run(
        make_user(f"{slug}@example.com"),
        text,
        candles,
        start=warm,
        allows_shorts=shorts,
        max_volume_share=share,
    )

    for bar_ms in candles.time[warm:].tolist():
        run_tick(run_id=run.pk, bar_ms=bar_ms)

    expected = expected_backtest(text, candles, warmup=warm, shorts=shorts, share=share)
    assert len(expected.trades) >= 2, "the walk must make the strategy trade"
    assert any(len(order.fills) > 1 for order in expected.orders), "some order fills partially"
    if "stop_and_reverse: true" in text:
        assert any(t.exit_reason == "reversal" for t in expected.trades), "the walk must reverse"
    if "entry_trigger" in text:
        assert expected.expired, "the walk must let a signal expire"
        expired = RunDecision.objects.filter(run=run, event="expired_long")
        assert sorted(expired.values_list("bar_ms", flat=True)) == [
            int(candles.time[warm + bar]) for bar, _side in expected.expired
        ]
    if "safety_orders" in text:
        rungs_filled = [o for o in expected.orders if o.leg == "safety" and o.fills]
        assert len(rungs_filled) >= 3, "the walk must fill safety orders"
    run.refresh_from_db()
    assert run.last_bar_ms == int(candles.time[-1])
    trades = list(RunTrade.objects.filter(run=run).order_by("entry_ms"))
    assert [(t.side, t.entry_ms, t.exit_ms, t.exit_reason) for t in trades] == [
        (t.side, t.entry_time, t.exit_time, t.exit_reason) for t in expected.trades
    ]
    assert [(t.entry_price, t.exit_price, t.size, t.pnl, t.fees) for t in trades] == [
        pytest.approx((t.entry_price, t.exit_price, t.size, t.pnl, t.fees), rel=1e-12)
        for t in expected.trades
    ]
    equity = list(RunBar.objects.filter(run=run).values_list("equity", flat=True))
    np.testing.assert_allclose(equity, expected.equity, rtol=1e-12)
    assert run.equity == pytest.approx(float(expected.equity[-1]), rel=1e-12)
    expected_fills = sorted(
        (int(candles.time[warm + fill.bar]), order.leg, fill.amount, fill.price)
        for order in expected.orders
        for fill in order.fills
    )
    fills = sorted(
        RunFill.objects.filter(run=run).values_list("bar_ms", "order__leg", "amount", "price")
    )
    assert fills == expected_fills
    orders = RunOrder.objects.filter(run=run)
    assert sorted(orders.values_list("bar_ms", "leg", "rung", "status", "amount")) == sorted(
        (int(candles.time[warm + o.bar]), o.leg, o.rung, o.status, o.amount)
        for o in expected.orders
    )
    if expected.open_trades:
        assert run.position["entry_time"] == expected.open_trades[0].entry_time
    else:
        assert run.position is None


def test_ticks_that_catch_up_several_bars_record_the_same_as_one_tick_per_bar():
    text = document_text("ema-crossover")
    warm = history_bars(rules.parse(text), "1h")
    candles = random_walk(warm + PERIOD, seed=2)
    stored(candles)
    one_by_one = paper_run(make_user("one@example.com"), text, candles, start=warm)
    in_steps = paper_run(make_user("steps@example.com"), text, candles, start=warm)

    times = candles.time[warm:].tolist()
    for bar_ms in times:
        run_tick(run_id=one_by_one.pk, bar_ms=bar_ms)
    # A worker down for a while: the next tick evaluates every bar since the last one.
    for bar_ms in [*times[::17], times[-1]]:
        run_tick(run_id=in_steps.pk, bar_ms=bar_ms)

    def recorded(run):
        return (
            list(RunTrade.objects.filter(run=run).values_list("entry_ms", "exit_ms", "pnl")),
            list(RunBar.objects.filter(run=run).values_list("bar_ms", "equity")),
            sorted(RunFill.objects.filter(run=run).values_list("bar_ms", "amount", "price")),
        )

    assert recorded(one_by_one) == recorded(in_steps)
    assert recorded(one_by_one)[0], "the walk must make the strategy trade"
