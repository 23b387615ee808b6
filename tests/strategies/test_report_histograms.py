"""The Monte Carlo distributions drawn: bars counted in equal ranges and scaled to the tallest,
the percentiles and what happened placed on the same scale. Worked out by hand."""

import numpy as np
import pytest

from strategies.views.histograms import BASE, TOP, WIDTH, Bar, Mark, histogram
from tests.strategies.mine_helpers import page, signed_in
from tests.strategies.test_page_edges import report


def test_values_are_counted_in_equal_ranges_and_the_marks_placed_on_the_same_scale():
    # From 0.1 to 0.4 in three ranges of 0.1: [0.1, 0.2) holds 2 values, [0.2, 0.3) 1 and
    # [0.3, 0.4] 1 (the last range holds its upper end). The tallest bar rises from the axis
    # (64) to the top (4): 60 units; the others 30. The median 0.2 is a third of the way.
    drawn = histogram(np.array([0.1, 0.1, 0.2, 0.4]), {"p50": 0.2, "happened": 0.4}, bins=3)

    assert (drawn.low, drawn.high) == (0.1, 0.4)
    assert drawn.bars == [
        Bar(x=0.0, y=TOP, width=100.0, height=BASE - TOP),
        Bar(x=100.0, y=34.0, width=100.0, height=30.0),
        Bar(x=200.0, y=34.0, width=100.0, height=30.0),
    ]
    assert drawn.marks == [Mark(x=pytest.approx(100.0), kind="p50"), Mark(x=WIDTH, kind="happened")]


def test_a_mark_outside_the_values_widens_the_scale_and_empty_ranges_draw_nothing():
    # What happened (0.0) lies below every replay: the scale runs from 0 to 0.3, in three
    # ranges; [0, 0.1) holds nothing and draws no bar.
    drawn = histogram(np.array([0.15, 0.25, 0.3]), {"happened": 0.0}, bins=3)

    assert [bar.x for bar in drawn.bars] == [100.0, 200.0]
    assert drawn.marks == [Mark(x=0.0, kind="happened")]


def test_values_equal_but_for_rounding_make_one_bar_with_the_marks_on_it():
    # A reshuffle's falls: the same 50 % in every run, give or take the last bit.
    values = np.array([0.5, 0.5 - 1e-16, 0.5, 0.5 + 1e-16])

    drawn = histogram(values, {"p50": 0.5, "happened": 0.5}, bins=3)

    assert drawn.bars == [Bar(x=0.0, y=TOP, width=100.0, height=BASE - TOP)]
    assert [mark.x for mark in drawn.marks] == [pytest.approx(0.0), pytest.approx(0.0)]


@pytest.mark.django_db
def test_the_report_draws_each_distribution_under_its_table():
    client, owner = signed_in("drawn@example.com")
    pnls = [100.0, -50.0, 30.0, -20.0, 80.0, -10.0, 40.0, -60.0, 25.0, 15.0, -5.0, 35.0]
    trades = [
        {"side": "long", "entry_time": 0, "entry_price": 100.0, "size": 1.0, "pnl": pnl}
        | {"fees": 0.0, "exit_time": 3_600_000, "exit_price": 100.0, "exit_reason": "signal"}
        for pnl in pnls
    ]

    html = page(client.get(report(owner, trades=trades, stats={"trades": 12}).get_absolute_url()))

    assert html.count('<figure class="histogram">') == 3
    assert 'class="histogram-mark histogram-happened"' in html
    assert "Deepest fall, trades drawn at random</figcaption>" in html
