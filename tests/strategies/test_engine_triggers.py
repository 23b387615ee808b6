"""Entry triggers: after an entry rule fires, the entry waits up to max_wait_bars closes for
the trigger's rule; hand-checked bars, a plain loop over random signals, the document's
grammar and sentences, and what a backtest reports of expired signals."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.engine import FillModel, backtest, decide
from strategies.engine.decide import waited_entries
from strategies.i18n import override
from strategies.rules import DocumentError, dump, parse, sentences
from tests.strategies.backtest_helpers import bars

# Enter long when the close is above 105, once the low has come back to 100 or below.
PULLBACK = """name: pullback
entry: {lhs: {bar: close}, op: gt, rhs: {value: 105}}
entry_trigger:
  max_wait_bars: 2
  rule: {lhs: {bar: low}, op: lte, rhs: {value: 100}}
risk: {stop_loss_pct: 0.5}
"""


def flags(count: int, where) -> np.ndarray:
    marked = np.zeros(count, dtype=bool)
    marked[list(where)] = True
    return marked


def test_the_entry_is_decided_at_the_close_where_the_trigger_holds_within_the_wait():
    # Close 1 fires (106 > 105); close 2's low is 104, close 3's 99: the entry is decided at
    # close 3, the second close of the wait, and fills at bar 4's open (101).
    candles = bars(
        (100, 101, 99, 100), (106, 107, 105, 106), (105, 105, 104, 104), (101, 102, 99, 101),
        (101, 102, 100, 101), (101, 102, 100, 101),
    )  # fmt: skip
    document = parse(PULLBACK)

    signals = decide(document, candles)
    result = backtest(document, candles, capital=1000.0, model=FillModel(fee=0, slippage_bps=0))

    assert np.flatnonzero(signals.enter_long).tolist() == [3]
    assert not signals.expired_long.any()
    [trade] = result.open_trades
    assert (trade.entry_bar, trade.entry_price) == (4, 101)


def test_a_signal_whose_trigger_does_not_come_expires_at_the_end_of_its_wait():
    # Close 1 fires; closes 2 and 3 keep their lows above 100: the signal expires at close 3.
    # Close 4's low reaches 99, too late: nothing is entered.
    candles = bars(
        (100, 101, 99, 100), (106, 107, 105, 106), (104, 105, 103, 104), (104, 105, 103, 104),
        (101, 102, 99, 101), (101, 102, 100, 101),
    )  # fmt: skip
    document = parse(PULLBACK)

    signals = decide(document, candles)
    result = backtest(document, candles, capital=1000.0)

    assert not signals.enter_long.any()
    assert np.flatnonzero(signals.expired_long).tolist() == [3]
    assert result.trades == result.open_trades == []
    assert result.expired == [(3, "long")]


def test_a_new_signal_restarts_the_wait_and_the_triggering_close_starts_none():
    # Signals at 0, 1 and 3, wait 2, trigger at 2 and 4: the signal of close 1 (which replaced
    # close 0's) triggers at 2; close 3's triggers at 4. A trigger with no signal waiting
    # (close 6) does nothing.
    signals = flags(8, [0, 1, 3])
    triggers = flags(8, [2, 4, 6])

    entries, expiries = waited_entries(signals, triggers, 2)

    assert np.flatnonzero(entries).tolist() == [2, 4]
    assert not expiries.any()
    # Close 2 fires and triggers at once: that close's trigger serves the signal before it only.
    entries, expiries = waited_entries(flags(6, [0, 2]), flags(6, [2]), 3)
    assert np.flatnonzero(entries).tolist() == [2]
    assert np.flatnonzero(expiries).tolist() == []


def plain_waits(signals, triggers, wait):
    """The rule read literally, signal by signal."""
    entries, expiries, waiting = set(), set(), None
    for bar in range(len(signals)):
        if waiting is not None and triggers[bar]:
            entries.add(bar)
            waiting = None
            continue
        if waiting is not None and bar == waiting + wait:
            expiries.add(bar)
            waiting = None
        if signals[bar]:
            waiting = bar
    return entries, expiries


@settings(max_examples=60, deadline=None)
@given(
    signals=st.lists(st.booleans(), min_size=1, max_size=80),
    seed=st.integers(0, 1000),
    wait=st.integers(1, 6),
)
def test_the_compiled_wait_is_the_rule_read_literally(signals, seed, wait):
    rng = np.random.default_rng(seed)
    signals = np.array(signals, dtype=bool)
    triggers = rng.random(len(signals)) < 0.2

    entries, expiries = waited_entries(signals, triggers, wait)

    expected_entries, expected_expiries = plain_waits(signals.tolist(), triggers.tolist(), wait)
    assert set(np.flatnonzero(entries).tolist()) == expected_entries
    assert set(np.flatnonzero(expiries).tolist()) == expected_expiries


def test_the_trigger_reads_back_and_says_what_it_waits_for():
    document = parse(PULLBACK)

    assert parse(dump(document)) == document
    assert "entry_trigger:\n  max_wait_bars: 2\n" in dump(document)
    with override("en"):
        said = sentences(document)
    assert said[1] == (
        "After an entry signal, wait up to 2 bars for the low is at or below 100, and enter "
        "then; without it, the signal expires."
    )


@pytest.mark.parametrize(
    ("old", "new", "path", "line"),
    [
        ("max_wait_bars: 2", "max_wait_bars: 0", "entry_trigger.max_wait_bars", 4),
        ("rhs: {value: 100}", "rhs: {indicator: nowhere}", "entry_trigger.rule.rhs.indicator", 5),
        ("  max_wait_bars: 2\n", "", "entry_trigger.max_wait_bars", 3),
    ],
    ids=["zero-wait", "unknown-indicator", "no-wait"],
)
def test_a_broken_trigger_is_refused_on_its_line(old, new, path, line):
    with override("en"), pytest.raises(DocumentError) as refused:
        parse(PULLBACK.replace(old, new))

    [problem] = refused.value.errors
    assert (problem.path, problem.line) == (path, line)
