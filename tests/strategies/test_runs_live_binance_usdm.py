"""Live runs on Binance USDⓈ-M against the sandbox's dialect (HMAC signatures, ccxt's own
binanceusdm class through exchanges.clients): a short entered with its client id, its stop
and target resting reduce-only as conditional (algo) orders, the target's trigger recorded
through the market order it sent, fees as userTrades charged them, funding from the income
history, and the accounts a run refuses (hedge mode, a position already held).

Expected figures come from the venue's own ledger and the document's percentages by hand."""

from decimal import Decimal

import numpy as np
import pytest

from exchanges import clients
from exchanges.credentials import Credentials
from exchanges.sandbox import Fault
from exchanges.sandbox.binance_futures_common import order_id
from exchanges.sandbox.records import usdm_account
from strategies.candles.funding import funding_fill
from strategies.models import RunFill, RunFunding, RunMode, RunOrder, RunStatus, RunTrade
from strategies.series import Candles
from strategies.services import live_ticks
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.strategies.run_helpers import binance_usdm, paper_run, sandbox_key, stored
from tests.strategies.test_runs_live_futures import SHORT, STOP_PCT, TARGET_PCT
from tests.strategies.test_runs_ticks import hand_candles

pytestmark = pytest.mark.django_db

SYMBOL, CONTRACT = "BTC/USDT:USDT", "BTCUSDT"
NOW = 1_790_000_000.0  # 2026-09-21 14:13 UTC
TICK = 0.1  # BTCUSDT's tick size on USDⓈ-M


def flat_candles(sandbox, now: float) -> Candles:
    price = float(sandbox.state.market.price(CONTRACT, now))
    flat = np.full((4, 5), price)
    flat[:, 4] = 100.0
    return Candles("1h", hand_candles().time[:4], *(flat[:, i].copy() for i in range(5)))


def usdm_run(
    sandbox,
    label: str = "binance-full",
    email: str = "usdm@example.com",
    perpetual: bool = False,
    now: float = NOW,
):
    """A live run of SHORT on the sandbox's BTCUSDT perpetual (not yet prepared); with
    `perpetual`, its twin charges funding too (and waits for the rates)."""
    sandbox.freeze_time(now)
    candles = flat_candles(sandbox, now)
    stored(candles, SYMBOL, binance_usdm())
    owner = make_user(email)
    run = paper_run(
        owner,
        SHORT,
        candles,
        start=1,
        capital=1000.0,
        allows_shorts=True,
        perpetual=perpetual,
        symbol=SYMBOL,
        amount_step=0.001,
        min_cost=100.0,
        exchange=binance_usdm(),
    )
    run.mode = RunMode.LIVE
    run.key = sandbox_key(sandbox, owner, label, exchange=binance_usdm())
    run.notional_cap = 1000.0
    run.save()
    return run, candles.time.tolist()


def account_orders(sandbox, label: str = "binance-full"):
    account = usdm_account(sandbox.key(label).key)
    return [o for o in sandbox.state.ledger.orders.values() if o.key == account]


def position(sandbox, label: str = "binance-full") -> Decimal:
    account = usdm_account(sandbox.key(label).key)
    held = sandbox.state.ledger.positions.get((account, CONTRACT))
    return held.size if held else Decimal(0)


@pytest.fixture
def short_run(sandbox):
    run, times = usdm_run(sandbox)
    assert live_ticks.live_prepare(run)
    run.refresh_from_db()
    assert run.base_baseline == 0.0
    return run, times


def test_a_short_rests_its_stop_and_target_as_algo_orders_and_the_target_closes_it(
    short_run, sandbox
):
    run, times = short_run

    run_tick(run_id=run.pk, bar_ms=times[1])

    sold, *resting = account_orders(sandbox)
    assert (sold.side, sold.type, sold.status, sold.reduce_only) == (
        "sell",
        "market",
        "closed",
        False,
    )
    entry = RunOrder.objects.get(run=run, leg="entry")
    assert sold.client_id == entry.client_order_id
    assert position(sandbox) == -sold.filled
    (venue_fill,) = (sandbox.state.ledger.fills[f] for f in sold.fills)
    fill = RunFill.objects.get(order=entry)
    assert (fill.amount, fill.price) == (float(sold.filled), float(venue_fill.price))
    # 0.05 % taker, in USDT: the quote, so stated as the fee itself.
    assert fill.fee == pytest.approx(float(venue_fill.cost) * 0.0005, abs=1e-8)
    assert (fill.fee_currency, fill.fee_charged) == ("", None)

    paid = float(venue_fill.price)
    stop, target = sorted(resting, key=lambda o: o.type)  # "stop-loss", "take-profit"
    assert (stop.side, stop.reduce_only, target.side, target.reduce_only) == (
        "buy",
        True,
        "buy",
        True,
    )
    assert float(stop.price) == pytest.approx(round(paid * (1 + STOP_PCT) / TICK) * TICK)
    assert float(target.price) == pytest.approx(round(paid * (1 - TARGET_PCT) / TICK) * TICK)
    rows = {row.leg: row for row in RunOrder.objects.filter(run=run, status="open")}
    assert (stop.client_id, target.client_id) == (
        rows["stop"].client_order_id,
        rows["target"].client_order_id,
    )

    # A trade reaches the target: it triggers and buys the short back.
    trades = sandbox.state.market.trades_between(CONTRACT, NOW, NOW + 7 * 86_400)
    crossing = next(t for t in trades if float(t.price) <= float(target.price))
    sandbox.freeze_time(crossing.time + 1)
    run_tick(run_id=run.pk, bar_ms=times[2])

    assert position(sandbox) == 0
    hit = RunOrder.objects.get(pk=rows["target"].pk)
    assert hit.status == "filled"
    # Recorded through the market order the algo order sent: its id and its fill.
    (closing,) = [o for o in account_orders(sandbox) if str(order_id(o)) == hit.exchange_order_id]
    (closing_fill,) = (sandbox.state.ledger.fills[f] for f in closing.fills)
    assert RunFill.objects.get(order=hit).price == float(closing_fill.price)
    assert RunOrder.objects.get(pk=rows["stop"].pk).status == "cancelled"
    assert not [o for o in account_orders(sandbox) if o.status == "open"]
    trade = RunTrade.objects.get(run=run)
    expected = (paid - float(closing_fill.price)) * fill.amount - fill.fee
    expected -= float(closing_fill.fee)
    assert trade.exit_reason == "take_profit"
    assert trade.pnl == pytest.approx(expected, abs=1e-6)
    run.refresh_from_db()
    assert (run.held, run.status) == (0.0, RunStatus.RUNNING)


def test_a_lost_answer_is_found_by_the_client_id_never_sent_again(short_run, sandbox):
    run, times = short_run
    sandbox.inject(Fault("lost_answer", venue="binanceusdm", endpoint="/fapi/v1/order"))

    run_tick(run_id=run.pk, bar_ms=times[1])

    markets = [o for o in account_orders(sandbox) if o.type == "market"]
    (order,) = markets  # sent once
    entry = RunOrder.objects.get(run=run, leg="entry")
    assert (entry.status, entry.client_order_id) == ("filled", order.client_id)
    assert position(sandbox) == -order.filled


SETTLED = 1_790_006_400  # 2026-09-21 16:00 UTC: a USDⓈ-M funding time


def test_funding_is_read_from_the_income_history(sandbox):
    # Short a minute before 16:00 UTC (a minute is too short for the 0.4 % target).
    run, times = usdm_run(sandbox, perpetual=True, now=SETTLED - 60)
    assert live_ticks.live_prepare(run)
    # What the market's tick fetches first for a perpetual: the published rates (in pages).
    funding_fill(exchange=run.exchange, symbol=SYMBOL, start=run.history_ms, end=times[3])
    run_tick(run_id=run.pk, bar_ms=times[1])
    assert RunOrder.objects.get(run=run, leg="entry").status == "filled"
    sandbox.freeze_time(SETTLED + 60)  # held through 16:00: one funding payment

    run_tick(run_id=run.pk, bar_ms=times[2])

    account = usdm_account(sandbox.key("binance-full").key)
    (payment,) = sandbox.state.ledger.funding.of(account)
    assert payment.time == SETTLED
    (booked,) = RunFunding.objects.filter(run=run)
    assert (booked.time_ms, booked.amount) == (SETTLED * 1000, float(payment.amount))


def test_an_account_in_hedge_mode_is_refused_before_anything_is_sent(sandbox):
    run, _times = usdm_run(sandbox, "binance-hedge", "hedge@example.com")

    assert not live_ticks.live_prepare(run)

    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.FAILED, "hedge_mode")
    assert not account_orders(sandbox, "binance-hedge")


def test_an_account_already_holding_the_contract_is_refused(sandbox):
    run, _times = usdm_run(sandbox, "binance-full", "holder@example.com")
    demo = sandbox.key("binance-full")
    own = clients.build("binanceusdm", Credentials(api_key=demo.key, secret=demo.secret))
    own.create_order(SYMBOL, "market", "buy", 0.002)  # the user's own long

    assert not live_ticks.live_prepare(run)

    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.FAILED, "position_open")
    assert run.stop_params["held"] == pytest.approx(0.002)


def test_a_stopped_short_leaves_neither_algo_order_resting_through_a_transient_error(
    short_run, sandbox, django_capture_on_commit_callbacks
):
    from strategies.services import runs as services

    run, times = short_run
    run_tick(run_id=run.pk, bar_ms=times[1])
    assert sorted(o.type for o in account_orders(sandbox) if o.status == "open") == [
        "stop-loss",
        "take-profit",
    ]
    sandbox.inject(Fault("unavailable", venue="binanceusdm", endpoint="/fapi/v1/algoOrder"))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.strategy_run_stop(run=run)

    assert sandbox.faults.pending() == []  # met once, retried
    assert [o.type for o in account_orders(sandbox) if o.status == "open"] == []
    run.refresh_from_db()
    assert (run.status, run.cancel_due_at) == (RunStatus.STOPPED, None)
    assert position(sandbox) < 0  # the short itself stays open: a stop is not a flatten


def test_flatten_buys_the_short_back_reduce_only_and_stops(
    short_run, sandbox, django_capture_on_commit_callbacks
):
    from strategies.services import runs as services

    run, times = short_run
    run_tick(run_id=run.pk, bar_ms=times[1])
    run.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.strategy_run_flatten(run=run)

    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.STOPPED, "flattened")
    sold, *protective, bought = account_orders(sandbox)
    assert (bought.side, bought.type, bought.reduce_only) == ("buy", "market", True)
    assert bought.filled == sold.filled
    assert position(sandbox) == 0
    assert [o.status for o in protective] == ["canceled", "canceled"]
    assert RunTrade.objects.get(run=run).exit_reason == "manual"
