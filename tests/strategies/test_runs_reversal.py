"""Stop-and-reverse in a live run on the sandbox's Kraken Futures: the twin reverses at one
open, and the live run follows it there: its long's stop cancelled, the long sold reduce-only
with the reason "reversal", the short sold, the short's stop resting. The decision log says
which rule reversed it. A paper run of the same document reverses where its backtest does
(test_runs_parity ticks the catalog's Supertrend bar by bar)."""

import pytest
from django.test import Client

from strategies.models import RunDecision, RunOrder, RunTrade
from strategies.services.run_ticks import run_tick
from tests.strategies.mine_helpers import page
from tests.strategies.test_runs_live_futures import (
    NOW,
    PAIR,
    futures_orders,
    live_futures_run,
    position,
)

pytestmark = pytest.mark.django_db


def reversing(line: str) -> str:
    """Long above the line, short below it, no exit rule: only a reversal or the 5 % stop
    leaves a position."""
    return f"""
name: reverse-at-the-line
long_only: false
stop_and_reverse: true
indicators: {{}}
entry:
  combine: OR
  rules:
    - {{lhs: {{bar: close}}, op: gt, rhs: {{value: {line}}}, direction: long}}
    - {{lhs: {{bar: close}}, op: lt, rhs: {{value: {line}}}, direction: short}}
risk: {{stop_loss_pct: 0.05}}
sizing: {{kind: fixed_quote, amount: 600}}
"""


def test_a_live_run_follows_its_twins_reversal_at_the_same_open(sandbox):
    sandbox.freeze_time(NOW)
    p = float(sandbox.state.market.price(PAIR, NOW))
    rows = [
        (p, p, p, p, 100.0),  # history
        (p, p, p, p * 1.001, 100.0),  # close above the line: long decided
        (p * 1.001, p * 1.001, p * 0.98, p * 0.99, 100.0),  # close below: the short, a reversal
        (p, p, p, p, 100.0),
    ]
    run, times = live_futures_run(sandbox, "reverse@example.com", reversing(f"{p:.1f}"), rows)

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
