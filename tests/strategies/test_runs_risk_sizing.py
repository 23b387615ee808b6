"""Risk-based sizing and a target in R in a live run on the sandbox's Kraken Futures: the
entry sized as the fill model sizes it (from the run's cash and the risk), its stop and its
target resting at the exchange where the twin would take them. Expected figures are worked by
hand from the document and the venue's own prices, never read from the broker."""

import math

import pytest

from strategies.models import RunOrder
from strategies.services.run_ticks import run_tick
from tests.strategies.test_runs_live_futures import (
    NOW,
    PAIR,
    futures_orders,
    live_futures_run,
    on_tick,
)

pytestmark = pytest.mark.django_db

# Short at every close; risk 2 % of the equity at a 5 % stop (an equity fraction of 0.4) and
# a target of 2 R (2 x 5 % = 10 % below a short's entry).
RISKED_SHORT = """
name: risked-short
long_only: false
indicators: {}
entry:
  combine: OR
  rules: [{lhs: {bar: close}, op: gt, rhs: {value: 0}, direction: short}]
exit:
  combine: OR
  rules: [{lhs: {bar: close}, op: lt, rhs: {value: 0}, direction: short}]
risk: {stop_loss_pct: 0.05, take_profit_r: 2}
sizing: {kind: risk_per_trade, risk_pct: 0.02}
"""


def test_a_live_entry_is_sized_by_its_risk_and_rests_its_target_in_r(sandbox):
    sandbox.freeze_time(NOW)
    p = float(sandbox.state.market.price(PAIR, NOW))
    flat = [(p, p, p, p, 100.0)] * 4
    run, times = live_futures_run(sandbox, "risked@example.com", RISKED_SHORT, flat)
    last = float(sandbox.state.market.price(PAIR, NOW))  # the ticker the entry is sized at

    run_tick(run_id=run.pk, bar_ms=times[1])

    sold, *resting = futures_orders(sandbox)
    # 0.02 / 0.05 = 0.4 of the 1000 of cash, within the 1000 cap: 400 / (last x 1.001),
    # rounded down to the contract's 0.0001 step.
    expected = int(400 / (last * 1.001) / 0.0001) * 0.0001
    assert float(sold.filled) == pytest.approx(expected, abs=1e-9)
    entry = RunOrder.objects.get(run=run, leg="entry")
    assert entry.amount == pytest.approx(expected, abs=1e-9)
    (venue_fill,) = (sandbox.state.ledger.fills[f] for f in sold.fills)
    paid = float(venue_fill.price)
    stop, target = sorted(resting, key=lambda o: o.type)
    assert (stop.type, target.type) == ("stop-loss", "take-profit")
    assert float(stop.price) == on_tick(paid * 1.05)
    # 10 % below, to the 0.5 tick, a half tick rounded up as ccxt rounds prices.
    assert float(target.price) == pytest.approx(math.floor(paid * 0.9 / 0.5 + 0.5) * 0.5)
