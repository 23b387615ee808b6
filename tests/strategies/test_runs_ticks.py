"""Ticks of a paper run: the paper broker's fills worked out by hand (a partial entry, a partial
exit), ticks that run twice or die halfway, and flattening."""

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from strategies.models import (
    RunBar,
    RunDecision,
    RunFill,
    RunOrder,
    RunStatus,
    RunTrade,
    StrategyRun,
)
from strategies.series import Candles
from strategies.services import run_records
from strategies.services import runs as services
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.strategies.mine_helpers import page
from tests.strategies.run_helpers import paper_run, stored
from tests.strategies.test_indicators_properties import ONE_BAR_INTO_A_WEEK_MS

pytestmark = pytest.mark.django_db

HOUR_MS = 3_600_000
HAND = """
name: hand-worked
indicators: {}
entry: {lhs: {bar: close}, op: gt, rhs: {value: 100}}
exit: {lhs: {bar: close}, op: lt, rhs: {value: 90}}
sizing: {kind: fixed_quote, amount: 600}
"""
# (open, high, low, close, volume). Bar 0 is history; the run decides from bar 1's close.
BARS = [
    (100, 101, 99, 100, 100),
    (100, 106, 99, 105, 100),  # close 105 > 100: entry decided
    (110, 111, 109, 110, 10),  # buys 5 of 5.45454545 at 110 (half of 10 traded)
    (120, 121, 85, 88, 10),  # the rest, 0.45454545, at 120; close 88 < 90: exit decided
    (80, 81, 79, 80, 4),  # sells 2 (half of 4) at 80
    (70, 71, 69, 70, 100),  # sells the other 3.45454545 at 70
]
AMOUNT = 5.45454545  # 600 / 110, rounded down to the 1e-8 step
REST = AMOUNT - 5


def hand_candles() -> Candles:
    rows = np.array(BARS, dtype=np.float64)
    times = ONE_BAR_INTO_A_WEEK_MS + HOUR_MS * np.arange(len(BARS), dtype=np.int64)
    return Candles("1h", times, *(rows[:, i].copy() for i in range(5)))


@pytest.fixture
def hand_run():
    candles = hand_candles()
    stored(candles)
    run = paper_run(
        make_user("hand@example.com"),
        HAND,
        candles,
        start=1,
        capital=1000.0,
        fee=0.0,
        slippage_bps=0.0,
        max_volume_share=0.5,
    )
    return run, candles.time.tolist()


def tick_all(run, times):
    for bar_ms in times[1:]:
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    run.refresh_from_db()


def test_the_paper_broker_fills_by_volume_share_at_the_next_opens(hand_run):
    run, times = hand_run
    tick_all(run, times)

    fills = list(
        RunFill.objects.filter(run=run)
        .order_by("bar_ms")
        .values_list("bar_ms", "order__leg", "amount", "price")
    )
    assert fills == [
        (times[2], "entry", 5.0, 110.0),
        (times[3], "entry", pytest.approx(REST), 120.0),
        (times[4], "exit", 2.0, 80.0),
        (times[5], "exit", pytest.approx(AMOUNT - 2), 70.0),
    ]
    entry, exit_ = RunOrder.objects.filter(run=run).order_by("bar_ms")
    assert (entry.action, entry.amount, entry.status) == ("buy", pytest.approx(AMOUNT), "filled")
    assert (exit_.action, exit_.reason, exit_.status) == ("sell", "signal", "filled")
    assert entry.client_order_id != exit_.client_order_id
    (trade,) = RunTrade.objects.filter(run=run)
    bought = 5 * 110 + REST * 120
    sold = 2 * 80 + (AMOUNT - 2) * 70
    assert trade.entry_price == pytest.approx(bought / AMOUNT)
    assert trade.exit_price == pytest.approx(sold / AMOUNT)
    assert trade.pnl == pytest.approx(sold - bought)
    # Equity at each close: cash plus what is held at the close.
    equity = dict(RunBar.objects.filter(run=run).values_list("bar_ms", "equity"))
    assert equity[times[1]] == 1000.0
    assert equity[times[2]] == pytest.approx(1000 - 550 + 5 * 110)
    assert equity[times[3]] == pytest.approx(1000 - bought + AMOUNT * 88)
    assert equity[times[4]] == pytest.approx(1000 - bought + 160 + (AMOUNT - 2) * 80)
    assert run.equity == pytest.approx(1000 - bought + sold)
    assert (run.held, run.position) == (0.0, None)
    decisions = list(RunDecision.objects.filter(run=run).order_by("bar_ms"))
    assert [(d.bar_ms, d.event, d.conditions) for d in decisions] == [
        (times[1], "enter_long", [[]]),
        (times[3], "exit_long", [[]]),
    ]
    assert decisions[0].order == entry


def test_a_tick_that_runs_twice_changes_nothing(hand_run):
    run, times = hand_run
    tick_all(run, times)

    def snapshot():
        run.refresh_from_db()
        return (
            run.last_bar_ms,
            run.equity,
            RunFill.objects.count(),
            RunOrder.objects.count(),
            RunBar.objects.count(),
            RunDecision.objects.count(),
            RunTrade.objects.count(),
        )

    before = snapshot()
    for bar_ms in times[1:]:
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    assert snapshot() == before


def test_a_tick_killed_halfway_leaves_nothing_and_the_next_attempt_completes(hand_run, monkeypatch):
    run, times = hand_run
    for bar_ms in times[1:3]:
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    real_account = run_records._account

    def killed(*args):
        raise SystemExit("the worker died after writing the bars and orders")

    monkeypatch.setattr(run_records, "_account", killed)
    with pytest.raises(SystemExit):
        run_tick(run_id=run.pk, bar_ms=times[3])
    run.refresh_from_db()
    assert run.last_bar_ms == times[2]
    assert not RunFill.objects.filter(bar_ms=times[3]).exists()
    assert not RunBar.objects.filter(bar_ms=times[3]).exists()

    monkeypatch.setattr(run_records, "_account", real_account)
    for bar_ms in times[3:]:
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    run.refresh_from_db()
    assert RunFill.objects.filter(run=run).count() == 4
    assert RunTrade.objects.get(run=run).pnl == pytest.approx(
        2 * 80 + (AMOUNT - 2) * 70 - (5 * 110 + REST * 120)
    )


def test_flatten_leaves_the_position_at_the_next_open_then_stops(
    hand_run, mailoutbox, django_capture_on_commit_callbacks
):
    run, times = hand_run
    for bar_ms in times[1:3]:
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    run.refresh_from_db()
    assert run.held == 5.0  # the entry's first part

    assert services.strategy_run_flatten(run=run)
    assert run.status == RunStatus.STOPPING
    with django_capture_on_commit_callbacks(execute=True):
        run_tick(run_id=run.pk, bar_ms=times[3])

    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED
    assert run.stop_code == "flattened"
    entry = RunOrder.objects.get(run=run, leg="entry")
    assert (entry.status, entry.filled) == ("partial", 5.0)  # the remainder was cancelled
    exit_ = RunOrder.objects.get(run=run, leg="exit")
    assert (exit_.reason, exit_.filled, exit_.bar_ms) == ("manual", 5.0, times[3])
    assert RunFill.objects.get(order=exit_).price == 120.0
    assert RunDecision.objects.filter(run=run, event="manual", bar_ms=times[2]).exists()
    (trade,) = RunTrade.objects.filter(run=run)
    assert trade.pnl == pytest.approx(5 * (120 - 110))
    assert len(mailoutbox) == 1
    assert "stopped" in mailoutbox[0].subject


def test_a_stopped_run_is_not_ticked_and_its_owner_gets_an_email_in_their_language(
    hand_run, mailoutbox, django_capture_on_commit_callbacks
):
    run, times = hand_run
    run.owner.preferred_language = "fr"
    run.owner.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.strategy_run_stop(run=run)
        assert not services.strategy_run_stop(run=run)  # already stopped: nothing more

    run_tick(run_id=run.pk, bar_ms=times[1])

    run.refresh_from_db()
    assert run.last_bar_ms is None
    assert run.equity == 1000.0
    assert run.capital == Decimal("1000.00")
    (mail,) = mailoutbox
    assert "Ta session" in mail.subject
    assert "Tu as arrêté cette session." in mail.body


def test_bars_caught_up_after_a_pause_are_marked_and_their_orders_sent_when_they_really_were(
    hand_run, monkeypatch, client
):
    """Bar 1 is ticked on time (a minute after its close); then the worker is away until a
    minute after bar 5 closes, and one tick catches up bars 2 to 5. Bars 2, 3 and 4 closed
    before the bar after them did: caught up. Bar 5 is on time. The entry (at bar 2's open)
    and the exit (at bar 4's open) are recorded as sent at the catch-up, not at those opens."""
    run, times = hand_run
    clock = {"now": times[1] + HOUR_MS + 60_000}
    monkeypatch.setattr(
        run_records, "recorded_at", lambda: datetime.fromtimestamp(clock["now"] / 1000, UTC)
    )
    run_tick(run_id=run.pk, bar_ms=times[1])
    clock["now"] = times[5] + HOUR_MS + 60_000
    run_tick(run_id=run.pk, bar_ms=times[5])

    late = dict(RunBar.objects.filter(run=run).values_list("bar_ms", "caught_up_at"))
    caught_up_at = datetime.fromtimestamp(clock["now"] / 1000, UTC)
    assert late == {
        times[1]: None,
        times[2]: caught_up_at,
        times[3]: caught_up_at,
        times[4]: caught_up_at,
        times[5]: None,
    }
    orders = {o.bar_ms: (o.leg, o.sent_at, o.caught_up) for o in RunOrder.objects.filter(run=run)}
    assert orders[times[2]] == ("entry", caught_up_at, True)
    assert orders[times[4]] == ("exit", caught_up_at, True)
    client.force_login(run.owner)
    text = page(client.get(f"/en/runs/{run.pk}/"))
    assert "After a pause, the 3 candles from" in text
    assert "(caught up: meant for" in text


def test_a_batch_of_one_market_s_runs_reads_its_candles_once_and_one_failure_stays_its_own(
    monkeypatch,
):
    from strategies.brokers import paper
    from strategies.services import run_ticks

    candles = hand_candles()
    stored(candles)
    owner = make_user("batch@example.com")
    runs = [paper_run(owner, HAND, candles, start=1, capital=1000.0) for _ in range(4)]
    reads = []
    real_read, real_evaluate = paper.candles_read, paper.paper_evaluate

    def counted_read(*args, **kwargs):
        reads.append(1)
        return real_read(*args, **kwargs)

    monkeypatch.setattr(paper, "candles_read", counted_read)

    def broken_for_the_second(run, **arguments):
        if run.pk == runs[1].pk:
            raise RuntimeError("a bug of ours, in one run only")
        return real_evaluate(run, **arguments)

    monkeypatch.setattr(run_ticks, "paper_evaluate", broken_for_the_second)

    run_ticks.run_ticks(run_ids=[run.pk for run in runs], bar_ms=int(candles.time[-1]))

    assert reads == [1]  # one read for the whole batch
    states = {run.pk: run for run in StrategyRun.objects.filter(pk__in=[r.pk for r in runs])}
    assert states[runs[1].pk].status == RunStatus.FAILED
    for other in (runs[0], runs[2], runs[3]):
        assert states[other.pk].status == RunStatus.RUNNING
        assert states[other.pk].last_bar_ms == int(candles.time[-1])
        assert RunBar.objects.filter(run=other).count() == len(candles) - 1
    # Each ticked run's trades are the ones a run ticked alone gets: the shared read changes
    # nothing of what a run sees.
    alone = paper_run(owner, HAND, candles, start=1, capital=1000.0)
    monkeypatch.setattr(run_ticks, "paper_evaluate", real_evaluate)
    run_tick(run_id=alone.pk, bar_ms=int(candles.time[-1]))
    expected = list(RunFill.objects.filter(run=alone).values_list("bar_ms", "amount", "price"))
    assert expected
    for other in (runs[0], runs[2], runs[3]):
        got = list(RunFill.objects.filter(run=other).values_list("bar_ms", "amount", "price"))
        assert got == expected
