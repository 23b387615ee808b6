"""Stop-and-reverse in a live run on the sandbox's Kraken Futures: the twin reverses at one
open, and the live run follows it there: its long's stop cancelled, the long sold reduce-only
with the reason "reversal", the short sold, the short's stop resting. The decision log says
which rule reversed it. A paper run of the same document reverses where its backtest does
(test_runs_parity ticks the catalog's Supertrend bar by bar)."""

import numpy as np
import pytest
from django.test import Client

from strategies.models import RunDecision, RunOrder, RunTrade
from strategies.series import Candles
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.strategies.mine_helpers import page
from tests.strategies.run_helpers import paper_run, stored
from tests.strategies.test_runs_live_futures import (
    NOW,
    PAIR,
    at_the_line,
    futures_orders,
    live_futures_run,
    position,
)
from tests.strategies.test_runs_ticks import hand_candles

pytestmark = pytest.mark.django_db


def test_a_live_run_follows_its_twins_reversal_at_the_same_open(sandbox):
    sandbox.freeze_time(NOW)
    p = float(sandbox.state.market.price(PAIR, NOW))
    rows = [
        (p, p, p, p, 100.0),  # history
        (p, p, p, p * 1.001, 100.0),  # close above the line: long decided
        (p * 1.001, p * 1.001, p * 0.98, p * 0.99, 100.0),  # close below: the short, a reversal
        (p, p, p, p, 100.0),
    ]
    run, times = live_futures_run(
        sandbox, "reverse@example.com", at_the_line(f"{p:.1f}", reverse=True), rows
    )

    run_tick(run_id=run.pk, bar_ms=times[1])  # long at bar 2's open
    run_tick(run_id=run.pk, bar_ms=times[2])  # the twin reverses at bar 3's open

    sent = [(o.side, o.type, o.status, o.reduce_only) for o in futures_orders(sandbox)]
    assert sent == [
        ("buy", "market", "closed", False),  # the long
        ("sell", "stop-loss", "canceled", True),  # its stop, cancelled before the exit
        ("sell", "market", "closed", True),  # the long sold, reduce-only
        ("sell", "market", "closed", False),  # the short, at the same open
        ("buy", "stop-loss", "open", True),  # the short's stop
    ]
    exit_row = RunOrder.objects.get(run=run, leg="exit")
    assert (exit_row.bar_ms, exit_row.reason) == (times[3], "reversal")
    short = RunOrder.objects.get(run=run, leg="entry", bar_ms=times[3])
    assert (short.side, short.status) == ("short", "filled")
    (long_trade,) = RunTrade.objects.filter(run=run)
    assert (long_trade.side, long_trade.exit_reason) == ("long", "reversal")
    run.refresh_from_db()
    assert run.held == -short.filled == float(position(sandbox))
    # The decision log: at bar 2's close the short entry's rule reversed the long.
    decision = RunDecision.objects.get(run=run, event="reversal")
    assert decision.bar_ms == times[2]
    assert decision.order == exit_row
    assert decision.conditions  # the short entry's condition, held at that close
    # The run page says so, in words from the short entry's rule.
    client = Client()
    client.force_login(run.owner)
    shown = page(client.get(f"/en/runs/{run.pk}/"))
    assert "Entry in the other direction fired: reversal" in shown
    assert f"the close is below {p:.1f}" in shown
    french = page(client.get(f"/fr/runs/{run.pk}/"))
    assert "Entrée dans l’autre sens déclenchée\u00a0: retournement" in french


def test_a_paper_runs_log_dates_a_reversal_entry_from_the_reversals_close():
    """The long's exit takes two bars (the volume limit): the short starts at bar 5's open,
    yet the close that decided it is bar 3's, where the short entry's rule held."""
    rows = [
        (100, 100, 100, 100, 1e9),  # history
        (100, 101, 99, 101, 1e9),  # close above the line: long decided
        (101, 102, 100, 101, 1e9),  # the long fills at 101
        (101, 101, 97, 99, 1e9),  # close below the line: the short, a reversal
        (99, 99, 98, 99, 6.0),  # half of it: 3 of the long's 5.93 units leave here
        (99, 99, 98, 99, 1e9),  # the rest of the exit, then the short
        (99, 99, 98, 99, 1e9),
    ]
    table = np.array(rows, dtype=np.float64)
    times = hand_candles().time[0] + 3_600_000 * np.arange(7, dtype=np.int64)
    candles = Candles("1h", times, *(table[:, i].copy() for i in range(5)))
    stored(candles)
    run = paper_run(
        make_user("logged@example.com"), at_the_line("100", reverse=True), candles, start=1,
        allows_shorts=True, max_volume_share=0.5,
    )  # fmt: skip
    times = candles.time.tolist()

    for bar_ms in times[1:]:
        run_tick(run_id=run.pk, bar_ms=bar_ms)

    short = RunOrder.objects.get(run=run, leg="entry", side="short")
    assert short.bar_ms == times[5]
    logged = dict(RunDecision.objects.filter(run=run).values_list("event", "bar_ms"))
    assert logged["reversal"] == logged["enter_short"] == times[3]
