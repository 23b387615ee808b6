"""Weekly returns: from one week's last close to the next, weeks from Monday 00:00 UTC; the
report's summary of them. Expected values worked out by hand."""

import numpy as np
import pytest
from django.utils import translation

from strategies.engine.metrics import weekly_returns
from strategies.views.weekly_display import weekly_summary
from tests.strategies.mine_helpers import page, signed_in
from tests.strategies.test_page_edges import report

DAY_MS = 86_400_000
SAT_DEC_30_2023 = 1_703_894_400_000  # 2023-12-30 00:00 UTC; Monday January 1st 2024 follows


def test_each_week_from_the_last_close_of_the_one_before():
    # Closes: Sat Dec 30 10,100, Sun Dec 31 10,200 | Mon Jan 1 10,000, Fri Jan 5 10,500 |
    # Mon Jan 8 9,975. The week of Dec 25 from the capital 10,000 to 10,200: +2 %; the week of
    # Jan 1 from 10,200 to 10,500: +2.9412 %; the week of Jan 8 from 10,500 to 9,975: -5 %.
    days = [0, 1, 2, 6, 9]
    times = SAT_DEC_30_2023 + DAY_MS * np.array(days, dtype=np.int64)
    equity = np.array([10_100.0, 10_200.0, 10_000.0, 10_500.0, 9_975.0])

    found = weekly_returns(equity, times, 10_000.0)

    assert found == [
        ["2023-12-25", pytest.approx(0.02)],
        ["2024-01-01", pytest.approx(300 / 10_200)],
        ["2024-01-08", pytest.approx(-0.05)],
    ]
    assert weekly_returns(np.empty(0), np.empty(0, dtype=np.int64), 10_000.0) == []


def test_the_summary_counts_the_weeks_up_and_down_and_names_the_best_and_the_worst():
    with translation.override("en"):
        weeks = weekly_summary([["2024-01-01", 0.02], ["2024-01-08", None], ["2024-01-15", -0.05]])

    assert weeks is not None
    assert (weeks.up, weeks.down, weeks.best, weeks.worst) == (1, 1, "2.00 %", "-5.00 %")
    assert [row.text for row in weeks.rows] == ["2.00 %", "—", "-5.00 %"]
    assert weekly_summary([]) is None


@pytest.mark.django_db
def test_the_report_sums_up_its_weeks_and_folds_the_list_away():
    client, owner = signed_in("weeks@example.com")
    weekly = [["2024-01-01", 0.02], ["2024-01-08", 0.01], ["2024-01-15", -0.05]]

    html = page(client.get(report(owner, weekly=weekly).get_absolute_url()))
    french = page(
        client.get(report(owner, weekly=weekly).get_absolute_url().replace("/en/", "/fr/"))
    )

    assert "3 weeks: 2 up, 1 down; the best 2.00 %, the worst -5.00 %." in html
    assert "<summary>Every week</summary>" in html
    assert "3 semaines" in french
