"""Entry triggers: after an entry rule fires, the entry waits up to max_wait_bars closes for
the trigger's rule; hand-checked bars, a plain loop over random signals, the document's
grammar and sentences, and what a backtest reports of expired signals."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.engine import FillModel, backtest, decide
from strategies.engine.waits import waited_entries
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

    entries, expiries = waited_entries(signals, triggers, flags(8, []), 2)

    assert np.flatnonzero(entries).tolist() == [2, 4]
    assert not expiries.any()
    # Close 2 fires and triggers at once: that close's trigger serves the signal before it only.
    entries, expiries = waited_entries(flags(6, [0, 2]), flags(6, [2]), flags(6, []), 3)
    assert np.flatnonzero(entries).tolist() == [2]
    assert np.flatnonzero(expiries).tolist() == []


def plain_waits(signals, triggers, exits, wait):
    """The rule as the statement words it, signal by signal: each signal (at a close where
    the exit rule does not fire) looks ahead at its own closes, and a later signal takes over
    from the close it fires at; the close that decides an entry starts no wait."""
    entries, expiries = set(), set()
    starts = [bar for bar in range(len(signals)) if signals[bar] and not exits[bar]]
    for number, start in enumerate(starts):
        if start in entries:  # that close decided the wait before it: it starts none
            continue
        taken_over = next((later for later in starts[number + 1 :] if later not in entries), None)
        for bar in range(start + 1, min(start + wait, len(signals) - 1) + 1):
            if taken_over is not None and bar > taken_over:
                break  # replaced by the later signal before this close
            if exits[bar]:
                expiries.add(bar)
                break
            if triggers[bar]:
                entries.add(bar)
                break
            if bar == start + wait:
                expiries.add(bar)
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
    exits = rng.random(len(signals)) < 0.1

    entries, expiries = waited_entries(signals, triggers, exits, wait)

    expected_entries, expected_expiries = plain_waits(
        signals.tolist(), triggers.tolist(), exits.tolist(), wait
    )
    assert set(np.flatnonzero(entries).tolist()) == expected_entries
    assert set(np.flatnonzero(expiries).tolist()) == expected_expiries


def test_the_trigger_reads_back_and_says_what_it_waits_for():
    document = parse(PULLBACK)

    assert parse(dump(document)) == document
    assert "entry_trigger:\n  max_wait_bars: 2\n" in dump(document)
    with override("en"):
        said = sentences(document)
    assert said[1] == (
        "After an entry signal, wait up to 2 bars until the low is at or below 100, then "
        "enter; without it, the signal expires."
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


def test_the_exit_rule_ends_a_wait_and_starts_none():
    # Signal at 0 waits 3; the exit rule fires at 1: the signal expires there, and the trigger
    # at 2 decides nothing. A signal at 4 where the exit rule fires too starts no wait.
    entries, expiries = waited_entries(flags(8, [0, 4]), flags(8, [2, 5]), flags(8, [1, 4]), 3)

    assert not entries.any()
    assert np.flatnonzero(expiries).tolist() == [1]


TWO_SIDED = """name: two sides
long_only: false
entry:
  combine: OR
  rules:
    - {lhs: {bar: close}, op: gt, rhs: {value: 105}, direction: long}
    - {lhs: {bar: close}, op: lt, rhs: {value: 95}, direction: short}
entry_trigger:
  max_wait_bars: 2
  rule:
    combine: OR
    rules:
      - {lhs: {bar: high}, op: gte, rhs: {value: 100}, direction: short}
risk: {stop_loss_pct: 0.5}
"""


def test_a_direction_that_enters_needs_a_trigger_of_its_own():
    with override("en"), pytest.raises(DocumentError) as refused:
        parse(TWO_SIDED)

    [problem] = refused.value.errors
    assert (problem.path, problem.line) == ("entry_trigger.rule", 10)
    assert str(problem.message).startswith("the entry trigger has no alternative for the long")
    both = TWO_SIDED.replace("rhs: {value: 100}, direction: short}", "rhs: {value: 100}}")
    assert parse(both).trigger_branches()["long"] is not None


def test_a_signal_that_expires_while_a_position_is_held_is_not_reported():
    # Close 1's signal triggers at close 2 (bought at bar 3's open, 104). Close 4's signal
    # waits while the position is held and expires at close 6: nothing to report. The 30 %
    # stop (72.8) closes the position in bar 7; flat, close 8's signal expires at close 10:
    # reported.
    quiet = (104, 105, 103, 104)
    signal = (106, 107, 105, 106)
    rows = [
        (100, 101, 99, 100), signal, (101, 102, 99, 101), quiet, signal, quiet, quiet,
        (104, 105, 60, 104), signal, quiet, quiet, quiet,
    ]  # fmt: skip
    document = parse(PULLBACK.replace("stop_loss_pct: 0.5", "stop_loss_pct: 0.3"))

    result = backtest(document, bars(*rows), capital=1000.0)

    [trade] = result.trades
    assert (trade.entry_bar, trade.exit_bar, trade.exit_reason) == (3, 7, "stop_loss")
    assert np.flatnonzero(decide(document, bars(*rows)).expired_long).tolist() == [6, 10]
    assert result.expired == [(10, "long")]
