"""Live runs on Kraken Futures against the sandbox (its dialect, real signatures, ccxt's own
krakenfutures class through exchanges.clients): a short entered with its client id, its stop
and target resting reduce-only, the fill's price from the fills and its fee from the account
log (as charged, never the published rate), the target closing the trade, flatten buying a
short back, a lost answer found in the order history, and the account's position reconciled.

Expected figures come from the venue's own ledger (what it filled and charged) and from the
document's percentages worked by hand, never from the broker."""

from decimal import Decimal

import ccxt
import numpy as np
import pytest
from django.test import Client

from exchanges.sandbox import Fault, accounts
from strategies.models import RunFill, RunFunding, RunMode, RunOrder, RunStatus, RunTrade
from strategies.series import Candles
from strategies.services import live_ticks, run_history
from strategies.services.live_state import LiveState
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.strategies.mine_helpers import page
from tests.strategies.run_helpers import (
    kraken_futures,
    paper_run,
    sandbox_key,
    stored,
    venue_orders,
)
from tests.strategies.test_runs_ticks import hand_candles

pytestmark = pytest.mark.django_db

SYMBOL = "BTC/USD:USD"
PAIR = "XXBTZUSD"  # PF_XBTUSD trades on Spot's BTC/USD path
NOW = 1_790_000_000.0
STOP_PCT, TARGET_PCT = 0.05, 0.004
# Short at every close (the twin holds a short from the first decision on); no exit rule fires.
SHORT = f"""
name: always-short
long_only: false
indicators: {{}}
entry:
  combine: OR
  rules: [{{lhs: {{bar: close}}, op: gt, rhs: {{value: 0}}, direction: short}}]
exit:
  combine: OR
  rules: [{{lhs: {{bar: close}}, op: lt, rhs: {{value: 0}}, direction: short}}]
risk: {{stop_loss_pct: {STOP_PCT}, take_profit_pct: {TARGET_PCT}}}
sizing: {{kind: fixed_quote, amount: 600}}
"""
TICK = 0.5  # PF_XBTUSD's price increment


def on_tick(price: float) -> float:
    return round(price / TICK) * TICK


@pytest.fixture
def short_run(sandbox):
    """A live run of SHORT on the sandbox's Kraken Futures BTC perpetual, prepared; candles
    flat at the venue's price (the twin's levels are never reached inside a bar)."""
    sandbox.freeze_time(NOW)
    price = float(sandbox.state.market.price(PAIR, NOW))
    flat = np.full((4, 5), price)
    flat[:, 4] = 100.0
    times = hand_candles().time[:4]
    candles = Candles("1h", times, *(flat[:, i].copy() for i in range(5)))
    stored(candles, SYMBOL, kraken_futures())
    owner = make_user("short@example.com")
    run = paper_run(
        owner,
        SHORT,
        candles,
        start=1,
        capital=1000.0,
        allows_shorts=True,
        symbol=SYMBOL,
        amount_step=1e-4,
        exchange=kraken_futures(),
    )
    run.mode, run.key = RunMode.LIVE, sandbox_key(sandbox, owner, "futures-full")
    run.notional_cap = 1000.0
    run.save()
    assert live_ticks.live_prepare(run)
    run.refresh_from_db()
    assert run.base_baseline == 0.0  # no position in the contract
    return run, times.tolist()


def futures_orders(venue):
    return venue_orders(venue, "futures-full")


def position(venue) -> Decimal:
    key = venue.key("futures-full").key
    held = venue.state.ledger.positions.get((key, "PF_XBTUSD"))
    return held.size if held else Decimal(0)


def test_a_short_rests_its_stop_and_target_reduce_only_and_the_target_closes_it(
    short_run, sandbox, monkeypatch
):
    run, times = short_run
    # The account trades at a volume tier's fee, not the published 0.05 % ccxt would assume.
    monkeypatch.setitem(accounts.FEE_RATES, "futures", (Decimal("0.0004"), accounts.FUTURES_MAKER))

    run_tick(run_id=run.pk, bar_ms=times[1])

    sold, *resting = futures_orders(sandbox)
    assert (sold.side, sold.type, sold.status, sold.reduce_only) == (
        "sell",
        "market",
        "closed",
        False,
    )
    entry = RunOrder.objects.get(run=run, leg="entry")
    assert (entry.side, entry.action, sold.client_id) == ("short", "sell", entry.client_order_id)
    assert position(sandbox) == -sold.filled
    # The fill as the venue made it and charged it: its price, and the fee of the account log.
    (venue_fill,) = (sandbox.state.ledger.fills[f] for f in sold.fills)
    fill = RunFill.objects.get(order=entry)
    assert (fill.amount, fill.price) == (float(sold.filled), float(venue_fill.price))
    assert fill.fee == float(venue_fill.fee)
    assert fill.fee == pytest.approx(float(venue_fill.cost) * 0.0004)

    paid = float(venue_fill.price)
    stop, target = sorted(resting, key=lambda o: o.type)
    assert (stop.type, stop.side, stop.reduce_only) == ("stop-loss", "buy", True)
    assert (target.type, target.side, target.reduce_only) == ("take-profit", "buy", True)
    assert float(stop.price) == on_tick(paid * (1 + STOP_PCT))  # above a short's entry
    assert float(target.price) == on_tick(paid * (1 - TARGET_PCT))  # below it
    assert stop.volume == target.volume == sold.filled
    rows = {o.leg: o for o in RunOrder.objects.filter(run=run, status="open")}
    assert (rows["stop"].client_order_id, rows["target"].client_order_id) == (
        stop.client_id,
        target.client_id,
    )
    run.refresh_from_db()
    assert run.held == -float(sold.filled)
    client = Client()
    client.force_login(run.owner)
    assert f"short {float(sold.filled):.8f}".replace(".", ",") in page(
        client.get(f"/fr/runs/{run.pk}/")
    )
    shown = page(client.get(f"/en/runs/{run.pk}/"))
    assert f"Buy, stop at {float(stop.price):,.2f}" in shown
    assert f"Buy, take-profit at {float(target.price):,.2f}" in shown
    assert f"Sell {float(sold.filled):g} (Filled)" in shown  # the entry the decision sent
    assert "This live run decides with a paper twin" in shown
    assert "This paper run fills" not in shown

    # Later a trade reaches the target first: the exchange buys the short back.
    trades = sandbox.state.market.trades_between(PAIR, NOW, NOW + 7 * 86_400)
    crossing = next(t for t in trades if t.price <= target.price or t.price >= stop.price)
    assert crossing.price <= target.price, "the venue's path reaches the stop first"
    sandbox.freeze_time(crossing.time + 1)
    run_tick(run_id=run.pk, bar_ms=times[2])

    assert (target.status, stop.status) == ("closed", "canceled")  # the other one cancelled
    assert position(sandbox) == 0
    (bought_back,) = (sandbox.state.ledger.fills[f] for f in target.fills)
    trade = RunTrade.objects.get(run=run)
    assert (trade.side, trade.exit_reason) == ("short", "take_profit")
    assert trade.exit_price == float(bought_back.price)
    size = float(sold.filled)
    fees = float(venue_fill.fee + bought_back.fee)
    assert trade.pnl == pytest.approx(size * (paid - float(bought_back.price)) - fees)
    run.refresh_from_db()
    assert (run.held, run.status) == (0.0, RunStatus.RUNNING)
    assert run.equity == pytest.approx(1000.0 + trade.pnl)


def test_flatten_buys_a_short_back_reduce_only_and_stops(
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
    sold, *_protective, bought = futures_orders(sandbox)
    assert (bought.side, bought.type, bought.reduce_only) == ("buy", "market", True)
    assert bought.filled == sold.filled
    assert position(sandbox) == 0
    assert [o.status for o in _protective] == ["canceled", "canceled"]
    assert RunTrade.objects.get(run=run).exit_reason == "manual"


def test_a_lost_answer_is_found_in_the_order_history_not_sent_again(short_run, sandbox):
    run, times = short_run
    sandbox.inject(Fault("lost_answer", endpoint="sendorder"))

    run_tick(run_id=run.pk, bar_ms=times[1])

    sold = futures_orders(sandbox)[0]
    row = RunOrder.objects.get(run=run, leg="entry")
    assert (row.status, row.exchange_order_id) == ("filled", sold.id)
    assert [o.client_id for o in futures_orders(sandbox)].count(row.client_order_id) == 1
    # Found among the closed orders (Kraken Futures' order history), with its fill's price.
    assert RunFill.objects.get(order=row).price == float(sold.average)


def test_a_position_changed_by_another_program_stops_the_run(short_run, sandbox):
    run, times = short_run
    run_tick(run_id=run.pk, bar_ms=times[1])
    demo = sandbox.key("futures-full")
    other = ccxt.krakenfutures({"apiKey": demo.key, "secret": demo.secret})
    other.urls["api"] = {**other.urls["api"], **sandbox.ccxt_urls("krakenfutures")}
    other.create_order(SYMBOL, "market", "buy", 0.001)

    run_tick(run_id=run.pk, bar_ms=times[2])

    run.refresh_from_db()
    assert (run.status, run.stop_code) == (RunStatus.FAILED, "another_program")


def test_a_futures_run_does_not_start_over_a_position_the_account_holds(sandbox):
    demo = sandbox.key("futures-full")
    other = ccxt.krakenfutures({"apiKey": demo.key, "secret": demo.secret})
    other.urls["api"] = {**other.urls["api"], **sandbox.ccxt_urls("krakenfutures")}
    other.create_order(SYMBOL, "market", "sell", 0.01)
    candles = hand_candles()
    stored(candles, SYMBOL, kraken_futures())
    owner = make_user("held@example.com")
    run = paper_run(
        owner, SHORT, candles, start=1, allows_shorts=True, symbol=SYMBOL, amount_step=1e-4,
        exchange=kraken_futures(),
    )  # fmt: skip
    run.mode, run.key = RunMode.LIVE, sandbox_key(sandbox, owner, "futures-full")
    run.save()

    assert not live_ticks.live_prepare(run)

    run.refresh_from_db()
    assert (run.status, run.stop_code, run.stop_params) == (
        RunStatus.FAILED,
        "position_open",
        {"held": -0.01},
    )
    assert not RunOrder.objects.filter(run=run).exists()


def at_the_line(line: str, *, reverse: bool = False) -> str:
    """Long above the line, short below it, sized at 600 of the quote currency; no exit rule:
    only the stop (or, reversing, the other side's entry) leaves a position."""
    return f"""
name: at-the-line
long_only: false
stop_and_reverse: {"true" if reverse else "false"}
indicators: {{}}
entry:
  combine: OR
  rules:
    - {{lhs: {{bar: close}}, op: gt, rhs: {{value: {line}}}, direction: long}}
    - {{lhs: {{bar: close}}, op: lt, rhs: {{value: {line}}}, direction: short}}
risk: {{stop_loss_pct: {STOP_PCT}}}
sizing: {{kind: fixed_quote, amount: 600}}
"""


def live_futures_run(sandbox, email: str, document: str, rows: list) -> tuple:
    """A prepared live run of `document` on the sandbox's BTC perpetual, 1000 of capital and
    a notional cap of 1000, over the hand-made `rows` (open, high, low, close, volume; the
    first is history); with the bars' times."""
    table = np.array(rows, dtype=np.float64)
    count = len(rows)
    candles = Candles("1h", hand_candles().time[:count], *(table[:, i].copy() for i in range(5)))
    stored(candles, SYMBOL, kraken_futures())
    owner = make_user(email)
    run = paper_run(
        owner, document, candles, start=1, capital=1000.0, allows_shorts=True, symbol=SYMBOL,
        amount_step=1e-4, exchange=kraken_futures(),
    )  # fmt: skip
    run.mode, run.key = RunMode.LIVE, sandbox_key(sandbox, owner, "futures-full")
    run.notional_cap = 1000.0
    run.save()
    assert live_ticks.live_prepare(run)
    return run, candles.time.tolist()


def test_a_twin_that_turns_from_long_to_short_at_one_open_is_followed_at_that_open(sandbox):
    """The twin's long is stopped inside a bar whose close decides a short: at the next open
    the live run sells its long (the stop's reason) and sells short, sized on what is left."""
    sandbox.freeze_time(NOW)
    price = float(sandbox.state.market.price(PAIR, NOW))
    p = price
    rows = [
        (p, p, p, p, 100.0),  # history
        (p, p, p, p * 1.001, 100.0),  # close above the line: long decided
        (p * 1.001, p * 1.001, p * 0.9, p * 0.99, 100.0),  # the long's stop reached; close below
        (p, p, p, p, 100.0),
    ]
    document = at_the_line(f"{p:.1f}")
    run, times = live_futures_run(sandbox, "turn@example.com", document, rows)

    run_tick(run_id=run.pk, bar_ms=times[1])  # long at bar 2's open
    run_tick(run_id=run.pk, bar_ms=times[2])  # the twin: stopped in bar 2, short at bar 3's open

    sent = [(o.side, o.type, o.status, o.reduce_only) for o in futures_orders(sandbox)]
    assert sent == [
        ("buy", "market", "closed", False),  # the long
        ("sell", "stop-loss", "canceled", True),  # its stop, cancelled before the exit
        ("sell", "market", "closed", True),  # the exit, reduce-only
        ("sell", "market", "closed", False),  # the short
        ("buy", "stop-loss", "open", True),  # the short's stop
    ]
    exit_row = RunOrder.objects.get(run=run, leg="exit")
    assert (exit_row.bar_ms, exit_row.reason) == (times[3], "stop_loss")
    short = RunOrder.objects.get(run=run, leg="entry", bar_ms=times[3])
    assert (short.side, short.status) == ("short", "filled")
    (long_trade,) = RunTrade.objects.filter(run=run)  # recorded before the short opened
    assert (long_trade.side, long_trade.exit_reason) == ("long", "stop_loss")
    run.refresh_from_db()
    assert run.held == -short.filled == float(position(sandbox))


def test_the_trade_backfill_shows_the_fees_the_account_was_charged(
    short_run, sandbox, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(
        accounts.FEE_RATES, "futures", (Decimal("0.0004"), accounts.FUTURES_MAKER)
    )  # not the published rate
    run, times = short_run
    run_tick(run_id=run.pk, bar_ms=times[1])

    with django_capture_on_commit_callbacks(execute=True):
        assert run_history.run_history_request(run=run)

    run.refresh_from_db()
    sold = futures_orders(sandbox)[0]
    (venue_fill,) = (sandbox.state.ledger.fills[f] for f in sold.fills)
    (row,) = run.exchange_trades
    assert (row["ours"], row["fee"]) == (True, float(venue_fill.fee))
    assert row["fee"] == pytest.approx(float(venue_fill.cost) * 0.0004)


def test_a_stopped_short_leaves_neither_its_stop_nor_its_target_resting(
    short_run, sandbox, django_capture_on_commit_callbacks
):
    from strategies.services import runs as services

    run, times = short_run
    run_tick(run_id=run.pk, bar_ms=times[1])
    assert sorted(o.type for o in futures_orders(sandbox) if o.status == "open") == [
        "stop-loss",
        "take-profit",
    ]
    sandbox.inject(Fault("unavailable", venue="futures", endpoint="cancelorder"))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.strategy_run_stop(run=run)

    assert sandbox.faults.pending() == []  # met once, retried
    assert [o.type for o in futures_orders(sandbox) if o.status == "open"] == []
    run.refresh_from_db()
    assert (run.status, run.cancel_due_at) == (RunStatus.STOPPED, None)
    assert position(sandbox) < 0  # the short itself stays open: a stop is not a flatten
    assert set(
        RunOrder.objects.filter(run=run, leg__in=("stop", "target")).values_list(
            "status", flat=True
        )
    ) == {"cancelled"}


def test_the_funding_the_exchange_booked_is_in_the_runs_cash(short_run, sandbox):
    run, times = short_run
    # Levels far away: the short stays open over the hours (its target is 0.4 % away).
    run.document = SHORT.replace(f"take_profit_pct: {TARGET_PCT}", "take_profit_pct: 0.5")
    run.save(update_fields=["document"])
    run_tick(run_id=run.pk, bar_ms=times[1])  # the short is entered at the venue's NOW
    sandbox.freeze_time(NOW + 3 * 3600)  # three hours start while it is held
    run_tick(run_id=run.pk, bar_ms=times[2])

    booked = sandbox.state.ledger.funding.of(sandbox.key("futures-full").key)
    assert booked, "a short held over three hours pays or receives funding"
    rows = list(RunFunding.objects.filter(run=run).values_list("time_ms", "amount"))
    assert [at for at, _ in rows] == [int(payment.time * 1000) for payment in booked]
    assert [amount for _, amount in rows] == pytest.approx([float(p.amount) for p in booked])
    # The run's cash: the capital, what its fills paid and received, and that funding.
    cash = 1000.0
    for fill in RunFill.objects.filter(run=run).select_related("order"):
        sign = 1 if fill.order.action == "sell" else -1
        cash += sign * fill.amount * fill.price - fill.fee
    assert LiveState.of(run).cash == pytest.approx(cash + sum(float(p.amount) for p in booked))
