"""Safety orders live, against the sandbox venue (Kraken Spot's dialect, real signatures): the
ladder rests at the exchange as limit orders with client ids once the base order filled; a
safety order the market reaches fills there, at its price, and the next tick moves the stop to
the new average for the whole position; the twin's exit cancels what still rests and sells
everything; a safety order the stop comes before is never sent. The expected numbers come from
the venue's own ledger."""

from decimal import Decimal

import numpy as np
import pytest
from django.test import Client

from strategies.models import RunDecision, RunFill, RunMode, RunOrder, RunTrade
from strategies.series import Candles
from strategies.services import live_ticks
from strategies.services.live_state import LiveState, closed_trade_record
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.strategies.mine_helpers import page
from tests.strategies.run_helpers import paper_run, sandbox_key, stored, venue_orders
from tests.strategies.test_runs_live_futures import (
    SHORT,
    STOP_PCT,
    TARGET_PCT,
    live_futures_run,
)
from tests.strategies.test_runs_live_futures import on_tick as futures_tick
from tests.strategies.test_runs_ticks import hand_candles

pytestmark = pytest.mark.django_db

PAIR = "XXBTZUSD"
NOW = 1_790_000_000.0
# Entered at every close; left when a close falls under `exit_below`. A base order of 100 USD,
# then safety orders 0.2 % and 0.4 % under the first fill costing 100 and 200: 400 at worst.
LADDER = """
name: live-ladder
indicators: {{}}
entry: {{lhs: {{bar: close}}, op: gt, rhs: {{value: 0}}}}
exit: {{lhs: {{bar: close}}, op: lt, rhs: {{value: {exit_below}}}}}
risk: {{stop_loss_pct: {stop}}}
sizing: {{kind: fixed_quote, amount: {amount}}}
safety_orders: {{count: 2, deviation_pct: 0.002, volume_scale: 2}}
"""


def ladder_run(
    venue, email: str, *, stop: float = 0.05, amount: float = 100, risk: str = "", high=1.0
):
    """A prepared live run of LADDER on five candles at the venue's price (bar 2's high at
    `high` times it; bar 3 falls 3 % and closes there, under the exit rule's line, above the
    twin's stop), not ticked yet. `risk`: another risk mapping."""
    price = float(venue.state.market.price(PAIR, NOW))
    flat, fall = (price,) * 4, (price, price, price * 0.97, price * 0.97)
    entered = (price, price * high, price, price)
    table = np.array([(*bar, 100.0) for bar in (flat, flat, entered, fall, flat)])
    candles = Candles("1h", hand_candles().time[:5], *(table[:, i].copy() for i in range(5)))
    stored(candles)
    owner = make_user(email)
    text = LADDER.format(exit_below=round(price * 0.98, 2), stop=stop, amount=amount)
    if risk:
        text = text.replace(f"risk: {{stop_loss_pct: {stop}}}", f"risk: {risk}")
    capital = 10 * amount  # the ladder's worst case is 4 base orders
    run = paper_run(owner, text, candles, start=1, capital=capital)
    run.mode, run.key = RunMode.LIVE, sandbox_key(venue, owner, "spot-full")
    run.notional_cap = capital
    run.save()
    assert live_ticks.live_prepare(run)
    return run, candles.time.tolist()


def on_tick(price: float) -> float:
    """A price rounded as the sandbox's BTC/USD quotes it (0.1)."""
    return float(Decimal(str(price)).quantize(Decimal("0.1")))


def test_the_ladder_rests_fills_moves_the_stop_and_is_cancelled_when_the_position_closes(
    sandbox,
):
    sandbox.freeze_time(NOW)
    run, times = ladder_run(sandbox, "ladder@example.com")

    run_tick(run_id=run.pk, bar_ms=times[1])  # bought at bar 2's open; the ladder rests

    base, stop, first, second = venue_orders(sandbox)
    assert (base.type, base.status) == ("market", "closed")
    paid = float(base.cost / base.filled)
    assert (stop.type, stop.status, stop.volume) == ("stop-loss", "open", base.filled)
    assert [(o.type, o.side, o.status) for o in (first, second)] == [("limit", "buy", "open")] * 2
    assert float(first.price) == on_tick(paid * 0.998)
    assert float(second.price) == on_tick(paid * 0.996)
    # Each costs its multiple of the base order at its own level.
    for order, ratio in ((first, 1), (second, 2)):
        wanted = float(base.filled) * ratio * paid / float(order.price)
        assert float(order.volume) == pytest.approx(wanted, abs=1e-8)
    rows = {row.rung: row for row in RunOrder.objects.filter(run=run, leg="safety")}
    assert {rung: (row.bar_ms, row.status) for rung, row in rows.items()} == {
        1: (times[2], "open"),
        2: (times[2], "open"),
    }
    assert [rows[1].client_order_id, rows[2].client_order_id] == [first.client_id, second.client_id]
    assert rows[1].client_order_id == run.client_order_id(times[2], "safety", 1)

    # The market trades down through the first safety order; the tick comes just before it
    # reaches the second.
    trades = sandbox.state.market.trades_between(PAIR, NOW, NOW + 7 * 86_400)
    reached = next(t for t in trades if t.price <= second.price)
    sandbox.freeze_time(reached.time - 0.001)
    run_tick(run_id=run.pk, bar_ms=times[2])

    assert (first.status, second.status) == ("closed", "open"), "the path filled the first only"
    held = base.filled + first.filled
    average = float((base.cost + first.cost) / held)
    assert float(first.cost / first.filled) == float(first.price)  # a limit fills at its price
    assert stop.status == "canceled"  # placed again for the whole position, from the average
    (moved,) = [o for o in venue_orders(sandbox) if o.type == "stop-loss" and o.status == "open"]
    assert (moved.volume, float(moved.price)) == (held, on_tick(average * 0.95))
    rows[1].refresh_from_db()
    assert (rows[1].status, rows[1].filled) == ("filled", float(first.filled))
    (fill,) = RunFill.objects.filter(order=rows[1])
    assert fill.price == float(first.price)
    # Stamped with the bar its trade fell in (hours from the order's bar), not the order's.
    (traded,) = (sandbox.state.ledger.fills[f] for f in first.fills)
    hours = (int(traded.time * 1000) - times[2]) // 3_600_000
    assert hours > 0
    assert fill.bar_ms == times[2] + hours * 3_600_000
    run.refresh_from_db()
    assert run.held == pytest.approx(float(held))
    assert run.position["entry_price"] == pytest.approx(average)

    run_tick(run_id=run.pk, bar_ms=times[3])  # bar 3 closes under the line: the twin leaves

    assert (second.status, moved.status) == ("canceled", "canceled")
    sold = venue_orders(sandbox)[-1]
    assert (sold.type, sold.side, sold.status, sold.volume) == ("market", "sell", "closed", held)
    assert [o for o in venue_orders(sandbox) if o.status == "open"] == []
    (trade,) = RunTrade.objects.filter(run=run)
    assert (trade.size, trade.exit_reason) == (pytest.approx(float(held)), "signal")
    assert trade.entry_price == pytest.approx(average)
    fees = float(base.fee + first.fee + sold.fee)
    # To a hundredth of a cent: the venue states each order's average price and fee rounded.
    expected = float(sold.cost) - float(base.cost + first.cost) - fees
    assert trade.pnl == pytest.approx(expected, abs=1e-4)
    rows[2].refresh_from_db()
    assert rows[2].status == "cancelled"
    assert RunDecision.objects.filter(run=run, event="safety_order").exists()
    client = Client()
    client.force_login(run.owner)
    shown = page(client.get(f"/en/runs/{run.pk}/"))
    assert "Base order filled: safety orders placed" in shown
    assert f"Buy, safety order at {float(second.price):,.2f}" in shown
    assert "With every safety order filled, a deal commits up to 400.00" in shown


def test_a_safety_order_the_stop_comes_before_is_never_sent(sandbox):
    # A 0.3 % stop: the second safety order (0.4 % under the first fill) is beyond it.
    sandbox.freeze_time(NOW)
    run, times = ladder_run(sandbox, "held-back@example.com", stop=0.003)

    run_tick(run_id=run.pk, bar_ms=times[1])

    kinds = [(o.type, o.status) for o in venue_orders(sandbox)]
    assert kinds == [("market", "closed"), ("stop-loss", "open"), ("limit", "open")]
    assert list(RunOrder.objects.filter(run=run, leg="safety").values_list("rung")) == [(1,)]


def test_a_safety_order_filled_in_part_keeps_resting_and_the_account_still_reconciles(sandbox):
    sandbox.freeze_time(NOW)
    run, times = ladder_run(sandbox, "partly@example.com", amount=20_000)  # 0.4 BTC a rung
    run_tick(run_id=run.pk, bar_ms=times[1])
    base, _stop, first, _second = venue_orders(sandbox)

    # The first trade at or under the first safety order's price is smaller than the order.
    trades = sandbox.state.market.trades_between(PAIR, NOW, NOW + 7 * 86_400)
    reached = next(t for t in trades if t.price <= first.price)
    assert reached.volume < first.volume, "the path must fill the order in part"
    sandbox.freeze_time(reached.time + 0.001)
    run_tick(run_id=run.pk, bar_ms=times[2])

    assert (first.status, first.filled) == ("open", reached.volume)
    row = RunOrder.objects.get(run=run, leg="safety", rung=1)
    assert (row.status, row.filled) == ("open", float(reached.volume))
    assert not RunFill.objects.filter(order=row).exists()  # recorded once it ends
    run.refresh_from_db()
    assert run.status == "running"  # what the account holds beyond the fills is that part
    assert run.held == pytest.approx(float(base.filled))


def test_a_short_ladder_on_kraken_futures_rests_above_and_moves_both_levels(sandbox):
    """Kraken Futures' dialect: the safety orders sell more above the short's first fill (they
    add to the position: not reduce-only); once one fills, the stop and the target, both
    resting, are placed again for the whole position from the new average."""
    sandbox.freeze_time(NOW)
    price = float(sandbox.state.market.price(PAIR, NOW))
    flat = (price, price, price, price, 100.0)
    target = 0.03  # far enough for the path to reach both safety orders first
    document = SHORT.replace("amount: 600", "amount: 100").replace(
        f"take_profit_pct: {TARGET_PCT}", f"take_profit_pct: {target}"
    ) + ("safety_orders: {count: 2, deviation_pct: 0.003, volume_scale: 2}\n")
    run, times = live_futures_run(sandbox, "short-ladder@example.com", document, [flat] * 4)

    run_tick(run_id=run.pk, bar_ms=times[1])

    sold, *resting = venue_orders(sandbox, "futures-full")
    paid = float(sold.cost / sold.filled)
    rungs = sorted((o for o in resting if o.type == "limit"), key=lambda o: o.price)
    assert [(o.side, o.reduce_only, o.status) for o in rungs] == [("sell", False, "open")] * 2
    assert [float(o.price) for o in rungs] == [
        futures_tick(paid * 1.003),
        futures_tick(paid * 1.006),
    ]
    trades = sandbox.state.market.trades_between(PAIR, NOW, NOW + 7 * 86_400)
    reached = next(t for t in trades if t.price >= rungs[1].price or t.price <= paid * 0.97)
    assert reached.price >= rungs[1].price, "the path must rise to the second safety order"
    sandbox.freeze_time(reached.time - 0.001)  # the first filled, the second not yet
    run_tick(run_id=run.pk, bar_ms=times[2])

    first = rungs[0]
    assert (first.status, rungs[1].status) == ("closed", "open")
    held = sold.filled + first.filled
    average = float((sold.cost + first.cost) / held)
    levels = {
        o.type: o
        for o in venue_orders(sandbox, "futures-full")
        if o.status == "open" and o.type != "limit"
    }
    assert levels["stop-loss"].volume == levels["take-profit"].volume == held
    assert float(levels["stop-loss"].price) == futures_tick(average * (1 + STOP_PCT))
    assert float(levels["take-profit"].price) == futures_tick(average * (1 - target))
    run.refresh_from_db()
    assert run.held == pytest.approx(-float(held))


def test_a_safety_order_a_rising_trailing_stop_overtakes_is_cancelled(sandbox):
    # A 0.3 % trailing stop: the first safety order (0.2 % under the fill) rests, the second
    # (0.4 %) is held back. Bar 2 then reaches 1.002 times the price: its close raises the
    # stop to 0.997 x that, 0.999 times the price, above the first safety order.
    sandbox.freeze_time(NOW)
    run, times = ladder_run(
        sandbox, "overtaken@example.com", risk="{trailing_stop_pct: 0.003}", high=1.002
    )
    run_tick(run_id=run.pk, bar_ms=times[1])
    _base, stop, first = venue_orders(sandbox)
    assert (stop.type, first.type, first.status) == ("stop-loss", "limit", "open")

    run_tick(run_id=run.pk, bar_ms=times[2])

    assert first.status == "canceled"
    (moved,) = [o for o in venue_orders(sandbox) if o.type == "stop-loss" and o.status == "open"]
    assert moved.price > first.price  # the stop now comes first
    assert [o for o in venue_orders(sandbox) if o.type == "limit" and o.status == "open"] == []
    row = RunOrder.objects.get(run=run, leg="safety")  # never sent again, the second neither
    assert (row.rung, row.status) == (1, "cancelled")


def test_a_position_the_exchange_closed_leaves_no_safety_order_under_the_next_one(sandbox):
    """Kraken Futures: the short's resting target fills at the exchange, and the twin (whose
    bar 2 reaches its own target) sells short again at bar 3's open: the first position's
    safety orders, not reduce-only, are cancelled before that entry, and only the new
    position's ladder rests."""
    sandbox.freeze_time(NOW)
    price = float(sandbox.state.market.price(PAIR, NOW))
    flat = (price, price, price, price, 100.0)
    dipped = (price, price, price * 0.99, price, 100.0)  # the twin's target reached
    document = SHORT.replace("amount: 600", "amount: 100") + (
        "safety_orders: {count: 2, deviation_pct: 0.006, volume_scale: 2}\n"
    )
    run, times = live_futures_run(
        sandbox, "again@example.com", document, [flat, flat, dipped, flat]
    )
    run_tick(run_id=run.pk, bar_ms=times[1])
    sold, *_ = venue_orders(sandbox, "futures-full")
    paid = float(sold.cost / sold.filled)
    trades = sandbox.state.market.trades_between(PAIR, NOW, NOW + 7 * 86_400)
    first_event = next(t for t in trades if t.price <= paid * 0.996 or t.price >= paid * 1.006)
    assert first_event.price <= paid * 0.996, "the path must reach the target first"
    sandbox.freeze_time(first_event.time + 1)

    run_tick(run_id=run.pk, bar_ms=times[2])

    orders = venue_orders(sandbox, "futures-full")
    old_rungs = [o for o in orders if o.type == "limit" and o.opened == sold.opened]
    assert [o.status for o in old_rungs] == ["canceled", "canceled"]
    resting = [o for o in orders if o.type == "limit" and o.status == "open"]
    assert len(resting) == 2
    rows = RunOrder.objects.filter(run=run, leg="safety", status="open")
    assert sorted(rows.values_list("bar_ms", "rung")) == [(times[3], 1), (times[3], 2)]
    assert {row.client_order_id for row in rows} == {o.client_id for o in resting}


def test_a_safety_fill_after_a_stop_fill_is_the_same_position_and_its_trade_counts_both(
    sandbox,
):
    """Between two ticks the price fell through a safety order, then hit the stop that still
    covered only the base order; the safety order's fill is dated later (its own bar). Only
    an entry starts a position: the safety fill stays part of the first one (no new ladder
    from it), and the trade, once flat, counts every fill from the entry to the last exit."""
    run, times = ladder_run(sandbox, "stopped-between@example.com")
    step = 3_600_000

    def filled(leg, action, bar_ms, amount, price, fee, rung=0):
        order = RunOrder.objects.create(
            run=run, bar_ms=bar_ms, leg=leg, rung=rung, side="long", action=action,
            amount=amount, filled=amount, reason="signal", status="filled",
        )  # fmt: skip
        RunFill.objects.create(
            order=order, run=run, bar_ms=bar_ms, amount=amount, price=price, reference=price,
            fee=fee,
        )  # fmt: skip

    filled("entry", "buy", times[2], 1.0, 100.0, 0.1)
    filled("stop", "sell", times[2], 1.0, 95.0, 0.095)  # the stop placed at the entry's open
    filled("safety", "buy", times[2] + 5 * step, 0.5, 98.0, 0.049, rung=1)

    state = LiveState.of(run)
    assert state.held == 0.5
    assert (state.entry.bar_ms, state.entry.order.leg) == (times[2], "entry")
    assert state.average == pytest.approx(149.0 / 1.5)

    filled("exit", "sell", times[2] + 6 * step, 0.5, 99.0, 0.0495)
    closed_trade_record(run, LiveState.of(run))

    (trade,) = RunTrade.objects.filter(run=run)
    assert trade.size == 1.5
    assert trade.entry_price == pytest.approx(149.0 / 1.5)
    assert trade.exit_price == pytest.approx((95.0 + 49.5) / 1.5)
    assert trade.pnl == pytest.approx(95.0 + 49.5 - 149.0 - (0.1 + 0.095 + 0.049 + 0.0495))
