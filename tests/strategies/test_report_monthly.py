"""Monthly returns: from one UTC month's last close to the next, laid out by year."""

import numpy as np
import pytest
from django.utils import translation

from strategies.engine.metrics import monthly_returns
from strategies.views.monthly_display import month_names, monthly_grid
from tests.strategies.mine_helpers import signed_in
from tests.strategies.test_page_edges import report

DAY_MS = 86_400_000
JAN_30_2024 = 1_706_572_800_000  # 2024-01-30 00:00 UTC


def test_each_month_from_the_last_close_of_the_one_before():
    # Daily closes: Jan 30 11,000, Jan 31 12,000 | Feb 1 9,000, Feb 29 13,200 | Mar 1 13,200.
    # January from the capital 10,000 to 12,000: +20 %; February from 12,000 to 13,200:
    # +10 %; March: 0 %.
    days = [0, 1, 2, 30, 31]
    times = JAN_30_2024 + DAY_MS * np.array(days, dtype=np.int64)
    equity = np.array([11_000.0, 12_000.0, 9_000.0, 13_200.0, 13_200.0])

    found = monthly_returns(equity, times, 10_000.0)

    assert found == [
        ["2024-01", pytest.approx(0.2)],
        ["2024-02", pytest.approx(0.1)],
        ["2024-03", 0.0],
    ]
    assert monthly_returns(np.empty(0), np.empty(0, dtype=np.int64), 10_000.0) == []


def test_the_grid_has_a_row_per_year_and_compounds_the_year():
    # 2023: December +10 %; 2024: January +20 %, March -50 % (no February bar):
    # 1.2 x 0.5 - 1 = -40 %.
    with translation.override("en"):
        rows = monthly_grid([["2023-12", 0.1], ["2024-01", 0.2], ["2024-03", -0.5]])
        names = month_names()

    assert [row.year for row in rows] == [2023, 2024]
    assert rows[0].months == [""] * 11 + ["10.00 %"]
    assert rows[1].months[:3] == ["20.00 %", "", "-50.00 %"]
    assert (rows[0].total, rows[1].total) == ("10.00 %", "-40.00 %")
    assert names[0] == "Jan"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Monthly returns"), ("fr", "Rendements mensuels")]
)
def test_the_report_page_shows_the_months(language, heading):
    client, owner = signed_in("months@example.com")
    backtest = report(owner, monthly=[["2024-01", 0.0525]])

    text = client.get(f"/{language}/strategies/backtests/{backtest.pk}/").content.decode()

    assert heading in text
    assert "5.25 %" in text or "5,25 %" in text
