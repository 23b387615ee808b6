"""Live runs against the sandbox venue (Kraken Spot's dialect, real signatures, ccxt's own
kraken class through exchanges.clients): the twin's orders mirrored with client order ids,
the lost answer resolved by lookup, a tick killed between sending and recording, trades
placed by another program, a key the exchange refuses, flattening, and the drift."""

import dataclasses

import ccxt
import numpy as np
import pytest
from django.test import Client

from exchanges.sandbox import Fault
from strategies.brokers import live as live_broker
from strategies.models import (
    RunBar,
    RunDecision,
    RunFill,
    RunMode,
    RunOrder,
    RunStatus,
    RunTrade,
)
from strategies.series import Candles
from strategies.services import live_ticks, live_upkeep, run_history
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.strategies.mine_helpers import page
from tests.strategies.run_helpers import paper_run, sandbox_key, stored, venue_orders
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(sandbox):
    """A live run of the hand-worked document on the sandbox's BTC/USD, prepared (its key
    checked, the account's BTC noted) and running; the candles are the hand-worked ones."""
    owner = make_user("live@example.com")
    candles = hand_candles()
    stored(candles)
    run = paper_run(owner, HAND, candles, start=1, capital=1000.0)
    run.mode, run.key = RunMode.LIVE, sandbox_key(sandbox, owner, "spot-full")
    run.notional_cap = 1000.0
    run.save()
    assert live_ticks.live_prepare(run)
    run.refresh_from_db()
    assert run.base_baseline == 2.0  # the demo key's BTC
    return run, candles.time.tolist()


def test_the_twins_entry_and_exit_are_sent_once_each_with_their_client_ids(live, sandbox):
    run, times = live

    for bar_ms in times[1:4]:
        run_tick(run_id=run.pk, bar_ms=bar_ms)
        run_tick(run_id=run.pk, bar_ms=bar_ms)  # twice: nothing more

    orders = venue_orders(sandbox)
    assert [(o.side, o.type, o.status) for o in orders] == [
        ("buy", "market", "closed"),
        ("sell", "market", "closed"),
    ]
    entry, exit_ = RunOrder.objects.filter(run=run).order_by("bar_ms")
    # Sent at the opens after the decisions: bar 2's (close 105 at bar 1) and bar 4's.
    assert (entry.bar_ms, entry.leg, entry.status) == (times[2], "entry", "filled")
    assert (exit_.bar_ms, exit_.leg, exit_.status) == (times[4], "exit", "filled")
    assert [o.client_id for o in orders] == [entry.client_order_id, exit_.client_order_id]
    assert entry.client_order_id == run.client_order_id(times[2], "entry")
    # 600 USD at the sandbox's price, rounded down to the lot.
    bought = orders[0].filled
    assert float(bought) == pytest.approx(600 / (float(orders[0].average) * 1.001), rel=1e-3)
    assert exit_.filled == pytest.approx(float(bought))
    (trade,) = RunTrade.objects.filter(run=run)
    assert trade.exit_reason == "signal"
    run.refresh_from_db()
    assert run.held == 0.0
    assert run.status == RunStatus.RUNNING
    # The entry's twin filled at bar 2's open in the hand-worked candles: the drift is there.
    entry.refresh_from_db()
    assert entry.paper_price == pytest.approx(110.0 * 1.0005)  # 5 bps of slippage
    assert RunDecision.objects.get(run=run, event="enter_long").order == entry


def test_a_bar_shows_what_was_held_at_its_close_not_what_is_held_now(live, sandbox):
    run, times = live
    closes = hand_candles().close

    run_tick(run_id=run.pk, bar_ms=times[1])  # decides at bar 1's close; buys at bar 2's open

    (fill,) = RunFill.objects.filter(run=run)
    assert fill.bar_ms == times[2]
    bar_1 = RunBar.objects.get(run=run, bar_ms=times[1])
    assert (bar_1.held, bar_1.equity) == (0.0, 1000.0)  # the order left after bar 1 closed

    # Workers down for two bars: bars 2 and 3 are recorded late, by bar 3's tick.
    run_tick(run_id=run.pk, bar_ms=times[3])

    paid = fill.amount * fill.price + fill.fee
    for bar in (2, 3):
        row = RunBar.objects.get(run=run, bar_ms=times[bar])
        assert row.held == pytest.approx(fill.amount)
        assert row.equity == pytest.approx(1000.0 - paid + fill.amount * closes[bar])


def test_a_lost_answer_is_resolved_by_the_client_id_never_sent_again(live, sandbox):
    run, times = live
    sandbox.inject(Fault("lost_answer", endpoint="AddOrder"))

    run_tick(run_id=run.pk, bar_ms=times[1])

    (order,) = venue_orders(sandbox)
    (row,) = RunOrder.objects.filter(run=run)
    assert (row.status, row.exchange_order_id) == ("filled", order.id)
    assert row.filled == pytest.approx(float(order.filled))


def test_a_tick_killed_after_sending_is_completed_by_the_next_attempt(live, sandbox, monkeypatch):
    run, times = live
    real_record = live_broker.LiveBroker._record

    def killed(self, row, order):
        raise SystemExit("the worker died after the order was sent")

    monkeypatch.setattr(live_broker.LiveBroker, "_record", killed)
    with pytest.raises(SystemExit):
        run_tick(run_id=run.pk, bar_ms=times[1])
    assert RunOrder.objects.get(run=run).status == "in_flight"
    run.refresh_from_db()
    assert run.last_bar_ms is None

    monkeypatch.setattr(live_broker.LiveBroker, "_record", real_record)
    run_tick(run_id=run.pk, bar_ms=times[1])

    (order,) = venue_orders(sandbox)  # one order: found by its client id, not sent again
    row = RunOrder.objects.get(run=run)
    assert (row.status, row.exchange_order_id) == ("filled", order.id)
    run.refresh_from_db()
    assert run.held == pytest.approx(float(order.filled))
    assert run.last_bar_ms == times[1]


def another_program_buys(sandbox) -> None:
    """Another program, with the run's own key, buys on the run's market."""
    other = ccxt.kraken(
        {"apiKey": sandbox.key("spot-full").key, "secret": sandbox.key("spot-full").secret}
    )
    other.urls["api"] = {**other.urls["api"], **sandbox.ccxt_urls("kraken")}
    other.create_order("BTC/USD", "market", "buy", 0.001)


def test_trades_another_program_placed_stop_the_run(live, sandbox, mailoutbox):
    run, times = live
    run_tick(run_id=run.pk, bar_ms=times[1])
    another_program_buys(sandbox)

    run_tick(run_id=run.pk, bar_ms=times[2])

    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.FAILED, "another_program")
    assert len(venue_orders(sandbox)) == 2  # ours and the other program's, nothing more


def test_a_worker_that_starts_settles_what_a_killed_tick_left_without_sending(
    live, sandbox, monkeypatch
):
    run, times = live

    def killed(self, row, order):
        raise SystemExit("the worker died after the order was sent")

    with monkeypatch.context() as patch:
        patch.setattr(live_broker.LiveBroker, "_record", killed)
        with pytest.raises(SystemExit):
            run_tick(run_id=run.pk, bar_ms=times[1])

    live_upkeep.worker_started(proc_name="worker-1")  # sync tasks in tests: it runs now

    (order,) = venue_orders(sandbox)  # nothing sent: the order was found by its client id
    row = RunOrder.objects.get(run=run)
    assert (row.status, row.exchange_order_id) == ("filled", order.id)
    run.refresh_from_db()
    assert run.held == pytest.approx(float(order.filled))
    assert run.last_bar_ms is None  # the bar's tick is still to come, and decides
    assert run.status == RunStatus.RUNNING


def test_a_worker_that_starts_stops_a_run_whose_account_moved(live, sandbox, caplog):
    run, times = live
    run_tick(run_id=run.pk, bar_ms=times[1])
    other = ccxt.kraken(
        {"apiKey": sandbox.key("spot-full").key, "secret": sandbox.key("spot-full").secret}
    )
    other.urls["api"] = {**other.urls["api"], **sandbox.ccxt_urls("kraken")}
    other.create_order("BTC/USD", "market", "sell", 0.5)

    live_upkeep.worker_started(proc_name="worker-1")
    live_upkeep.worker_started(proc_name="worker-2")  # the cluster's next worker: no repeat

    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.FAILED, "another_program")
    assert run.stop_params["actual"] == pytest.approx(run.stop_params["expected"] - 0.5)
    started = [r for r in caplog.records if "to reconcile" in r.getMessage()]
    assert [r.getMessage() for r in started] == ["Worker start: live runs to reconcile: 1"]


def test_a_key_the_exchange_refuses_stops_the_run_with_the_verdict(live, sandbox):
    run, times = live
    run.key = sandbox_key(sandbox, run.owner, "spot-read-only")
    run.save()

    run_tick(run_id=run.pk, bar_ms=times[1])

    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.FAILED, "key_refused")
    # Kraken's "EGeneral:Permission denied" has several causes: the connection test's table
    # says so, and the run's message lists them through the key's page.
    assert run.stop_params == {"verdict": "ambiguous"}
    assert venue_orders(sandbox, "spot-read-only") == []


def test_a_key_that_cannot_trade_is_refused_before_the_first_tick(sandbox):
    owner = make_user("readonly@example.com")
    candles = hand_candles()
    stored(candles)
    run = paper_run(owner, HAND, candles, start=1)
    run.mode, run.key = RunMode.LIVE, sandbox_key(sandbox, owner, "spot-read-only")
    run.status = RunStatus.STARTING
    run.save()

    assert not live_ticks.live_prepare(run)

    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.FAILED, "key_refused")


def test_flatten_sells_what_the_run_holds_now_and_stops(
    live, sandbox, django_capture_on_commit_callbacks, mailoutbox
):
    from strategies.services import runs as services

    run, times = live
    run_tick(run_id=run.pk, bar_ms=times[1])
    run.refresh_from_db()
    assert run.held > 0

    with django_capture_on_commit_callbacks(execute=True):
        assert services.strategy_run_flatten(run=run)

    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.STOPPED, "flattened")
    buy, sell = venue_orders(sandbox)
    assert (sell.side, sell.filled) == ("sell", buy.filled)
    assert RunOrder.objects.get(run=run, leg="close").reason == "manual"
    assert len(mailoutbox) == 1


def test_the_trade_backfill_lists_ours_and_another_programs(
    live, sandbox, django_capture_on_commit_callbacks
):
    run, times = live
    for bar_ms in times[1:4]:
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    other = ccxt.kraken(
        {"apiKey": sandbox.key("spot-full").key, "secret": sandbox.key("spot-full").secret}
    )
    other.urls["api"] = {**other.urls["api"], **sandbox.ccxt_urls("kraken")}
    other.create_order("BTC/USD", "market", "buy", 0.001)

    with django_capture_on_commit_callbacks(execute=True):
        assert run_history.run_history_request(run=run)

    run.refresh_from_db()
    assert run.exchange_trades_state == "loaded"
    assert [row["ours"] for row in run.exchange_trades] == [True, True, False]
    client = Client()
    client.force_login(run.owner)
    text = page(client.get(f"/en/runs/{run.pk}/"))
    assert "Your trades on the exchange" in text
    assert "another program" in text


def test_a_key_without_the_trade_history_permission_is_named_not_an_empty_table(
    live, sandbox, monkeypatch, django_capture_on_commit_callbacks
):
    run, _times = live
    demo = sandbox.key("spot-full")
    # The key edited on the exchange: no more order and trade history.
    reduced = dataclasses.replace(
        demo, permissions=demo.permissions - {"query-closed-trades", "query-open-trades"}
    )
    monkeypatch.setitem(sandbox.state.keys, demo.key, reduced)

    with django_capture_on_commit_callbacks(execute=True):
        run_history.run_history_request(run=run)

    run.refresh_from_db()
    assert (run.exchange_trades_state, run.exchange_trades) == ("no_permission", [])
    client = Client()
    client.force_login(run.owner)
    text = page(client.get(f"/fr/runs/{run.pk}/"))
    assert "il lui manque la permission «\u00a0Query Closed Orders & Trades\u00a0»" in text
    assert f'href="/fr/guides/{run.exchange.slug}/#pitfalls"' in text


def test_no_trades_and_a_key_seen_without_the_permission_says_why(
    live, sandbox, django_capture_on_commit_callbacks
):
    run, _times = live
    # As Kraken answers such a key: no error, no rows; its last test saw its permissions.
    test = run.key.tests.filter(finished_at__isnull=False).first()
    test.permissions_seen = [p for p in test.permissions_seen if p != "query-closed-trades"]
    test.save()

    with django_capture_on_commit_callbacks(execute=True):
        run_history.run_history_request(run=run)

    run.refresh_from_db()
    assert run.exchange_trades_state == "no_permission"


TRAILING = """
name: trailing
indicators: {}
entry: {lhs: {bar: close}, op: gt, rhs: {value: 0}}
risk: {stop_loss_pct: 0.01, trailing_stop_pct: 0.02}
sizing: {kind: fixed_quote, amount: 600}
"""


def test_the_stop_rests_at_the_exchange_and_the_trailing_stop_moves_it_at_the_close(sandbox):
    now = 1_790_000_000.0
    sandbox.freeze_time(now)
    price = float(sandbox.state.market.price("XXBTZUSD", now))
    # Candles at the venue's price; the bar after the entry reaches 1.5 % higher, which lifts
    # the trailing stop (2 % under the high) above the stop-loss (1 % under the entry).
    flat = (price, price, price, price, 100.0)
    rows = [flat, flat, (price, price * 1.015, price, price, 100.0), flat]
    table = np.array(rows, dtype=np.float64)
    candles = Candles("1h", hand_candles().time[:4], *(table[:, i].copy() for i in range(5)))
    stored(candles)
    owner = make_user("trailing@example.com")
    run = paper_run(owner, TRAILING, candles, start=1, capital=1000.0)
    run.mode, run.key = RunMode.LIVE, sandbox_key(sandbox, owner, "spot-full")
    run.save()
    assert live_ticks.live_prepare(run)
    times = candles.time.tolist()

    run_tick(run_id=run.pk, bar_ms=times[1])  # entry at the venue's price, its stop placed

    paid = RunFill.objects.get(order__run=run, order__leg="entry").price
    first = RunOrder.objects.get(run=run, leg="stop")
    assert (first.status, first.reason) == ("open", "stop_loss")
    assert first.trigger_price == pytest.approx(paid * 0.99, abs=0.1)
    resting = [o for o in venue_orders(sandbox) if o.status == "open"]
    assert [(o.type, o.client_id) for o in resting] == [("stop-loss", first.client_order_id)]

    run_tick(run_id=run.pk, bar_ms=times[2])  # the close that raises the trailing stop

    first.refresh_from_db()
    assert first.status == "cancelled"
    raised = RunOrder.objects.filter(run=run, leg="stop").exclude(pk=first.pk).get()
    assert raised.trigger_price == pytest.approx(price * 1.015 * 0.98, abs=0.1)
    assert (raised.status, raised.reason) == ("open", "trailing_stop")

    # Later, a trade reaches it: the exchange sells; the next tick records it.
    trades = sandbox.state.market.trades_between("XXBTZUSD", now, now + 86_400)
    crossing = next(t for t in trades if float(t.price) <= raised.trigger_price)
    sandbox.freeze_time(crossing.time + 1)
    run_tick(run_id=run.pk, bar_ms=times[3])

    raised.refresh_from_db()
    assert raised.status == "filled"
    assert [o.status for o in venue_orders(sandbox) if o.type == "stop-loss"] == [
        "canceled",
        "closed",
    ]
    run.refresh_from_db()
    assert (run.held, run.status) == (0.0, RunStatus.RUNNING)
    assert RunTrade.objects.get(run=run).exit_reason == "trailing_stop"
