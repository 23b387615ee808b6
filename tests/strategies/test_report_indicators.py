"""The strategy's indicators on a report's price chart: a value per price point, taken at the
point's last bar, named as the strategy's sentences name them, over the candles or in the pane
under them. Expected values worked out by hand."""

import numpy as np
import pytest
from django.urls import reverse

from strategies import rules
from strategies.indicators import REGISTRY
from strategies.models import CatalogEntry
from strategies.series import Candles
from strategies.services.backtest_results import indicator_points, price_points
from tests.strategies.mine_helpers import signed_in
from tests.strategies.test_page_edges import report

HOUR_MS = 3_600_000
SMA_2 = """
name: two-bar average
indicators:
  fast: {kind: sma, period: 2}
  zones: {kind: premium_discount_zones}
entry:
  combine: AND
  rules:
    - {lhs: {bar: close}, op: gt, rhs: {indicator: fast}}
exit:
  combine: AND
  rules:
    - {lhs: {bar: close}, op: lt, rhs: {indicator: fast}}
"""


def closing(closes: list[float]) -> Candles:
    times = HOUR_MS * np.arange(len(closes), dtype=np.int64)
    close = np.array(closes)
    return Candles("1h", times, close, close + 1, close - 1, close, np.ones(len(closes)))


def test_each_price_point_gets_the_value_at_its_last_bar():
    # Closes 1..7, one bar of warm-up: the period is bars 1-6, three points of two bars each
    # (bars 1-2, 3-4, 5-6). The two-bar average at bars 2, 4 and 6: 2.5, 4.5 and 6.5.
    candles = closing([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    document = rules.parse(SMA_2, base_timeframe="1h")

    drawn = indicator_points(document, candles, warmup=1, points=3)

    assert drawn["fast.value"] == [2.5, 4.5, 6.5]
    assert len(price_points(candles.slice(1, 7), points=3)) == 3
    # The zones' levels are drawn, their state (the current zone) is not.
    assert set(drawn) == {"fast.value", "zones.range_high", "zones.range_low", "zones.equilibrium"}


def test_every_drawn_output_is_one_of_its_indicators_and_no_state_is_drawn():
    for kind, spec in REGISTRY.items():
        drawn = set(spec.price_outputs) | set(spec.pane_outputs)
        assert drawn <= set(spec.outputs), kind
        assert not set(spec.price_outputs) & set(spec.pane_outputs), kind
        assert not {"state", "current_zone"} & drawn, kind


@pytest.mark.django_db
def test_the_chart_data_names_each_line_and_puts_oscillators_under_the_candles():
    client, owner = signed_in("lines@example.com")
    entry = CatalogEntry.objects.get(slug="rsi-mean-revert")
    prices = [[0, 1.0, 2.0, 0.5, 1.5], [HOUR_MS, 1.5, 3.0, 1.0, 2.0]]
    backtest = report(
        owner,
        catalog_entry=entry,
        document=entry.document,
        equity=[[HOUR_MS, 10_001.0]],
        prices=prices,
        indicators={"rsi_14.value": [None, 31.123456789]},
    )

    columns = client.get(reverse("strategies:backtests:chart", args=[backtest.pk])).json()

    assert columns["indicators"] == [{"label": "RSI 14", "pane": True, "values": [None, 31.123457]}]
