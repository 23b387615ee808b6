"""A stop anchored to the chart, live against the sandbox venue (Kraken Spot's dialect): the
entry risks its share of the equity at the stop the decision candle sets, and the stop rests
at the exchange at that candle's low; one too wide is not entered, as the twin does not."""

import numpy as np
import pytest

from strategies.models import RunMode
from strategies.rules import parse
from strategies.series import Candles
from strategies.services import live_levels, live_ticks
from strategies.services.run_ticks import run_tick
from tests.accounts.helpers import make_user
from tests.strategies.run_helpers import paper_run, sandbox_key, stored, venue_orders
from tests.strategies.test_runs_live_ladder import NOW, PAIR, on_tick
from tests.strategies.test_runs_ticks import hand_candles

pytestmark = pytest.mark.django_db

# Entered at every close; the stop at the deciding candle's low, 5 % away at most; 1 % risked.
ANCHORED = """
name: anchored-live
indicators: {}
entry: {lhs: {bar: close}, op: gt, rhs: {value: 0}}
risk: {stop_anchor: {at: signal_candle, max_pct: 0.05, too_wide: skip}}
sizing: {kind: risk_per_trade, risk_pct: 0.01}
"""


def anchored_run(venue, email: str, dip: float):
    """A prepared live run of ANCHORED whose deciding candle (bar 1) dips to `dip` times the
    venue's price; the others flat at it."""
    price = float(venue.state.market.price(PAIR, NOW))
    flat, decided = (price,) * 4, (price, price, price * dip, price)
    table = np.array([(*bar, 100.0) for bar in (flat, decided, flat, flat)])
    candles = Candles("1h", hand_candles().time[:4], *(table[:, i].copy() for i in range(5)))
    stored(candles)
    owner = make_user(email)
    run = paper_run(owner, ANCHORED, candles, start=1, capital=1000.0)
    run.mode, run.key = RunMode.LIVE, sandbox_key(venue, owner, "spot-full")
    run.notional_cap = 1000.0
    run.save()
    assert live_ticks.live_prepare(run)
    return run, candles.time.tolist(), price


def test_the_entry_risks_its_share_at_the_signal_candles_low_and_the_stop_rests_there(sandbox):
    sandbox.freeze_time(NOW)
    run, times, price = anchored_run(sandbox, "anchored@example.com", dip=0.98)

    run_tick(run_id=run.pk, bar_ms=times[1])

    bought, stop = venue_orders(sandbox)
    assert (bought.type, stop.type, stop.status) == ("market", "stop-loss", "open")
    assert float(stop.price) == on_tick(price * 0.98)  # the deciding candle's low
    # 1 % of 1000 lost at a stop 2 % under the price: 500 of it committed, fee included.
    paid = float(bought.cost / bought.filled)
    share = (paid - price * 0.98) / paid
    assert float(bought.filled) == pytest.approx(10 / share / (paid * 1.001), rel=2e-3)


def test_a_candle_too_far_under_the_price_is_not_entered(sandbox):
    sandbox.freeze_time(NOW)
    run, times, _price = anchored_run(sandbox, "too-far@example.com", dip=0.9)  # 10 % away

    run_tick(run_id=run.pk, bar_ms=times[1])

    assert venue_orders(sandbox) == []
    run.refresh_from_db()
    assert run.held == 0.0


def test_live_never_skips_an_entry_its_twin_took_and_reads_a_swing_over_the_history():
    swing = parse(ANCHORED.replace("at: signal_candle", "at: swing, bars: 3"))
    # Lows 97, 98, 99 up to the deciding close (index 2): the swing's low is 97, 3 % under 100.
    history = Candles(
        "1h",
        hand_candles().time[:3],
        *(np.array(column, dtype=np.float64) for column in (
            (100, 100, 100), (101, 101, 101), (97, 98, 99), (100, 100, 100), (1, 1, 1),
        )),
    )  # fmt: skip

    assert live_levels.entered_share(swing, "long", 100.0, history, 2) == pytest.approx(0.03)
    # Measured at a price the anchor is beyond (96: the twin filled at its own open), or with
    # too few candles behind the decision: the widest stop, not a skipped entry.
    assert live_levels.entered_share(swing, "long", 96.0, history, 2) == 0.05
    assert live_levels.entered_share(swing, "long", 100.0, history, 1) == 0.05
