"""Entry triggers in a paper run: an entry waits for its trigger as in a backtest, and a signal
whose trigger does not come is in the decision log, with what it waited for and how long."""

import numpy as np
import pytest
from django.test import Client

from strategies.models import RunDecision, RunOrder
from strategies.series import Candles
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.strategies.mine_helpers import page
from tests.strategies.run_helpers import paper_run, stored
from tests.strategies.test_engine_triggers import PULLBACK
from tests.strategies.test_runs_ticks import hand_candles

pytestmark = pytest.mark.django_db


ROWS = [
    (100, 101, 99, 100),  # history
    (106, 107, 105, 106),  # close 1: a signal; closes 2 and 3 stay above 100: it expires
    (104, 105, 103, 104),
    (104, 105, 103, 104),
    (106, 107, 105, 106),  # close 4: a signal, and close 5's low reaches 100: entry
    (102, 103, 100, 102),
    (101, 102, 100, 101),  # bought at this open
    (101, 102, 100, 101),
]


def waiting_run(email: str, document: str):
    """A paper run of `document` ticked through ROWS; its bars' times."""
    table = np.array([(*row, 1e9) for row in ROWS], dtype=np.float64)
    times = hand_candles().time[0] + 3_600_000 * np.arange(len(ROWS), dtype=np.int64)
    candles = Candles("1h", times, *(table[:, i].copy() for i in range(5)))
    stored(candles)
    run = paper_run(make_user(email), document, candles, start=1)
    bar_ms = candles.time.tolist()
    for at in bar_ms[1:]:
        run_tick(run_id=run.pk, bar_ms=at)
    return run, bar_ms


def test_a_paper_run_enters_on_the_trigger_and_logs_the_signal_that_expired():
    run, bar_ms = waiting_run("waits@example.com", PULLBACK)

    entry = RunOrder.objects.get(run=run, leg="entry")
    assert entry.bar_ms == bar_ms[6]
    logged = list(
        RunDecision.objects.filter(run=run).order_by("bar_ms").values_list("event", "bar_ms")
    )
    assert logged == [("expired_long", bar_ms[3]), ("enter_long", bar_ms[5])]
    client = Client()
    client.force_login(run.owner)
    shown = page(client.get(f"/en/runs/{run.pk}/"))
    assert "Long entry signal expired" in shown
    assert "2 bars passed without this holding: the low is at or below 100" in shown
    # The entry's reason is its trigger, which held at that close (the entry rule fired before).
    entered = RunDecision.objects.get(run=run, event="enter_long")
    assert entered.conditions == [[]]  # the trigger's whole rule, a single condition
    french = page(client.get(f"/fr/runs/{run.pk}/"))
    assert "Le signal d’entrée en position longue a expiré" in french
    assert "2 bougies sont passées sans que cette condition se vérifie" in french


def test_a_named_trigger_is_named_in_the_log_of_a_signal_that_expired():
    # The same wait as a pullback to 100, written by its name.
    named = PULLBACK.replace(
        "  rule: {lhs: {bar: low}, op: lte, rhs: {value: 100}}\n",
        "  kind: pullback\n  level: {value: 100}\n",
    )
    assert "kind: pullback" in named
    run, bar_ms = waiting_run("named@example.com", named)

    assert RunOrder.objects.get(run=run, leg="entry").bar_ms == bar_ms[6]  # as the rule did
    client = Client()
    client.force_login(run.owner)
    assert "2 bars passed without a pullback to 100" in page(client.get(f"/en/runs/{run.pk}/"))
    french = page(client.get(f"/fr/runs/{run.pk}/"))
    assert "2 bougies sont passées sans repli vers 100" in french
