"""Live runs on Binance Spot against the sandbox's Binance dialect (HMAC signatures, ccxt's
own binance class through exchanges.clients): orders found by their client ids, a buy's fee
taken from the coins bought (and the dust it leaves), BNB fees converted and stated, the lost
answer, and the stop and target resting together as one OCO order."""

import math

import numpy as np
import pytest

from exchanges import clients
from exchanges.credentials import Credentials
from exchanges.sandbox import Fault
from strategies.models import RunFill, RunMode, RunOrder, RunStatus, RunTrade
from strategies.series import Candles
from strategies.services import live_ticks
from strategies.services.live_state import LiveState
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.strategies.run_helpers import binance, paper_run, sandbox_key, stored, venue_orders
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = pytest.mark.django_db

STEP = 1e-5  # BTCUSDT's step size at the sandbox, as Binance lists it


def live_on_binance(sandbox, label: str, document: str = HAND, candles: Candles | None = None):
    """A prepared live run of `document` on Binance's BTC/USDT with the demo key `label`."""
    owner = make_user(f"{label}@example.com")
    candles = candles if candles is not None else hand_candles()
    stored(candles, symbol="BTC/USDT", exchange=binance())
    run = paper_run(
        owner,
        document,
        candles,
        start=1,
        capital=1000.0,
        exchange=binance(),
        symbol="BTC/USDT",
        amount_step=STEP,
        min_cost=5.0,
    )
    run.mode, run.key = RunMode.LIVE, sandbox_key(sandbox, owner, label)
    run.notional_cap = 1000.0
    run.save()
    assert live_ticks.live_prepare(run)
    run.refresh_from_db()
    return run, candles.time.tolist()


def whole_steps(amount: float) -> float:
    return math.floor(amount / STEP + 1e-9) * STEP


def test_a_buy_pays_its_fee_in_coins_and_the_exit_sells_what_is_left(sandbox):
    run, times = live_on_binance(sandbox, "binance-full")
    assert run.base_baseline == 2.0  # the demo key's BTC

    for bar_ms in times[1:4]:
        run_tick(run_id=run.pk, bar_ms=bar_ms)

    bought, sold = venue_orders(sandbox, "binance-full")
    (buy_fill,) = (sandbox.state.ledger.fills[f] for f in bought.fills)
    (sell_fill,) = (sandbox.state.ledger.fills[f] for f in sold.fills)
    # Binance took 0.1 % of the coins bought, and 0.1 % of the dollars the sale brought.
    assert (buy_fill.fee_asset, sell_fill.fee_asset) == ("BTC", "USDT")
    assert float(buy_fill.fee) == pytest.approx(float(buy_fill.volume) * 0.001, abs=1e-8)
    entry = RunFill.objects.get(order__run=run, order__leg="entry")
    assert (entry.fee_currency, entry.fee_charged) == ("BTC", float(buy_fill.fee))
    assert entry.fee == pytest.approx(float(buy_fill.fee) * float(buy_fill.price))
    # What was left after the fee, in whole steps, is what the exit sold.
    left = float(buy_fill.volume) - float(buy_fill.fee)
    assert float(sold.volume) == pytest.approx(whole_steps(left), abs=1e-12)
    exit_fill = RunFill.objects.get(order__run=run, order__leg="exit")
    assert (exit_fill.fee_currency, exit_fill.fee) == ("", float(sell_fill.fee))
    # The coins under a step stay with the account, and with the run's reconciliation.
    state = LiveState.of(run)
    assert state.held == 0.0
    assert state.dust == pytest.approx(left - whole_steps(left), abs=1e-12)
    run.refresh_from_db()
    assert (run.status, run.held) == (RunStatus.RUNNING, 0.0)
    # The trade: dollars received less dollars paid less the sale's fee (the buy's fee was
    # paid in coins, which the sale already lacks).
    trade = RunTrade.objects.get(run=run)
    paid = float(buy_fill.volume) * float(buy_fill.price)
    received = float(sell_fill.volume) * float(sell_fill.price)
    assert trade.pnl == pytest.approx(received - paid - float(sell_fill.fee), abs=1e-6)
    assert trade.fees == pytest.approx(entry.fee + exit_fill.fee)


def test_a_fee_paid_in_bnb_is_stated_and_counted_at_its_dollar_value(sandbox):
    run, times = live_on_binance(sandbox, "binance-bnb")

    run_tick(run_id=run.pk, bar_ms=times[1])

    (bought,) = venue_orders(sandbox, "binance-bnb")
    (fill,) = (sandbox.state.ledger.fills[f] for f in bought.fills)
    entry = RunFill.objects.get(order__run=run, order__leg="entry")
    assert (entry.fee_currency, entry.fee_charged) == ("BNB", float(fill.fee))
    # 0.1 % less the 25 % BNB discount, in dollars: what the BNB charged was worth.
    assert entry.fee == pytest.approx(float(fill.volume * fill.price) * 0.00075, rel=2e-3)
    assert LiveState.of(run).held == pytest.approx(float(fill.volume))  # no coins taken
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING


def test_a_lost_answer_is_found_by_the_client_id_never_sent_again(sandbox):
    run, times = live_on_binance(sandbox, "binance-full")
    sandbox.inject(Fault("lost_answer", venue="binance", endpoint="/api/v3/order"))

    run_tick(run_id=run.pk, bar_ms=times[1])

    (order,) = venue_orders(sandbox, "binance-full")
    (row,) = RunOrder.objects.filter(run=run)
    assert order.client_id == row.client_order_id
    assert row.status == "filled"
    assert row.filled == pytest.approx(float(order.filled))


PROTECTED = """
name: protected
indicators: {}
entry: {lhs: {bar: close}, op: gt, rhs: {value: 0}}
risk: {stop_loss_pct: 0.01, take_profit_pct: 0.02, trailing_stop_pct: 0.02}
sizing: {kind: fixed_quote, amount: 600}
"""


def at_the_venue_price(sandbox, now: float, rise: float) -> Candles:
    """Four hourly candles at the venue's BTCUSDT price; the third reaches `rise` higher."""
    price = float(sandbox.state.market.price("BTCUSDT", now))
    flat = (price, price, price, price, 100.0)
    rows = [flat, flat, (price, price * rise, price, price, 100.0), flat]
    table = np.array(rows, dtype=np.float64)
    return Candles("1h", hand_candles().time[:4], *(table[:, i].copy() for i in range(5)))


def test_stop_and_target_rest_as_one_oco_moved_together_and_one_closes_the_other(sandbox):
    now = 1_790_000_000.0
    sandbox.freeze_time(now)
    candles = at_the_venue_price(sandbox, now, 1.015)
    run, times = live_on_binance(sandbox, "binance-full", PROTECTED, candles)

    run_tick(run_id=run.pk, bar_ms=times[1])  # the entry; its stop and target as one OCO

    paid = RunFill.objects.get(order__run=run, order__leg="entry").price
    stop = RunOrder.objects.get(run=run, leg="stop")
    target = RunOrder.objects.get(run=run, leg="target")
    assert (stop.status, target.status) == ("open", "open")
    assert stop.trigger_price == pytest.approx(paid * 0.99, abs=0.01)
    assert target.trigger_price == pytest.approx(paid * 1.02, abs=0.01)
    resting = [o for o in venue_orders(sandbox, "binance-full") if o.status == "open"]
    assert sorted((o.type, o.client_id) for o in resting) == sorted(
        [("stop-loss", stop.client_order_id), ("take-profit", target.client_order_id)]
    )
    assert len({o.list_id for o in resting}) == 1  # one list
    assert all(o.volume == resting[0].volume for o in resting)  # the same coins, once

    run_tick(run_id=run.pk, bar_ms=times[2])  # the close that raises the trailing stop

    stop.refresh_from_db()
    target.refresh_from_db()
    assert (stop.status, target.status) == ("cancelled", "cancelled")
    raised = RunOrder.objects.filter(run=run, leg="stop").exclude(pk=stop.pk).get()
    assert raised.trigger_price == pytest.approx(float(candles.high[2]) * 0.98, abs=0.01)
    assert raised.reason == "trailing_stop"
    again = RunOrder.objects.filter(run=run, leg="target").exclude(pk=target.pk).get()
    assert again.trigger_price == target.trigger_price  # from the entry: it did not move

    # A trade reaches one of the levels: that leg sells, the other is expired with it.
    trades = sandbox.state.market.trades_between("BTCUSDT", now, now + 7 * 86_400)
    crossing = next(
        t
        for t in trades
        if float(t.price) <= raised.trigger_price or float(t.price) >= again.trigger_price
    )
    sandbox.freeze_time(crossing.time + 1)
    run_tick(run_id=run.pk, bar_ms=times[3])

    raised.refresh_from_db()
    again.refresh_from_db()
    assert sorted([raised.status, again.status]) == ["cancelled", "filled"]
    assert not [o for o in venue_orders(sandbox, "binance-full") if o.status == "open"]
    run.refresh_from_db()
    assert (run.held, run.status) == (0.0, RunStatus.RUNNING)
    reason = "trailing_stop" if raised.status == "filled" else "take_profit"
    assert RunTrade.objects.get(run=run).exit_reason == reason


def test_a_stopped_run_leaves_no_oco_resting_and_flatten_sells_what_is_left(
    sandbox, django_capture_on_commit_callbacks
):
    from strategies.services import runs as services

    now = 1_790_000_000.0
    sandbox.freeze_time(now)
    run, times = live_on_binance(
        sandbox, "binance-full", PROTECTED, at_the_venue_price(sandbox, now, 1.0)
    )
    run_tick(run_id=run.pk, bar_ms=times[1])
    assert len([o for o in venue_orders(sandbox, "binance-full") if o.status == "open"]) == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert services.strategy_run_flatten(run=run)

    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.STOPPED, "flattened")
    assert not [o for o in venue_orders(sandbox, "binance-full") if o.status == "open"]
    bought, *_oco, sold = venue_orders(sandbox, "binance-full")
    (fill,) = (sandbox.state.ledger.fills[f] for f in bought.fills)
    # The coins left once the buy paid its fee with them, in whole steps.
    assert float(sold.filled) == pytest.approx(
        whole_steps(float(fill.volume - fill.fee)), abs=1e-12
    )
    assert RunTrade.objects.get(run=run).exit_reason == "manual"


def test_trades_another_program_placed_stop_the_run(sandbox):
    run, times = live_on_binance(sandbox, "binance-full")
    run_tick(run_id=run.pk, bar_ms=times[1])
    demo = sandbox.key("binance-full")
    other = clients.build("binance", Credentials(api_key=demo.key, secret=demo.secret))
    other.create_order("BTC/USDT", "market", "buy", 0.001)

    run_tick(run_id=run.pk, bar_ms=times[2])

    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.FAILED, "another_program")
    assert len(venue_orders(sandbox, "binance-full")) == 2  # ours and the other program's


def test_a_key_that_cannot_trade_is_refused_before_the_first_tick(sandbox):
    owner = make_user("read-only@example.com")
    candles = hand_candles()
    stored(candles, symbol="BTC/USDT", exchange=binance())
    run = paper_run(owner, HAND, candles, start=1, exchange=binance(), symbol="BTC/USDT")
    run.mode, run.key = RunMode.LIVE, sandbox_key(sandbox, owner, "binance-read-only")
    run.status = RunStatus.STARTING
    run.save()

    assert not live_ticks.live_prepare(run)

    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.FAILED, "key_refused")
    assert run.stop_params == {"verdict": "missing_permission"}
