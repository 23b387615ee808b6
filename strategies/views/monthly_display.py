"""A report's monthly returns as traders read them: a row per year, a column per month, and
the year's return compounded from its months."""

import math
from dataclasses import dataclass
from datetime import date

from django.utils import formats

from strategies.views.backtest_display import percent


@dataclass(frozen=True)
class YearRow:
    year: int
    months: list[str]  # twelve cells, "" for a month outside the period
    total: str


def month_names() -> list[str]:
    """January to December, abbreviated in the current language (Jan / janv.)."""
    return [formats.date_format(date(2000, month, 1), "M") for month in range(1, 13)]


def monthly_grid(monthly: list[list]) -> list[YearRow]:
    """The stored [["YYYY-MM", return], ...] laid out by year; a month whose return could not
    be computed (an equity of zero before it) reads as a dash."""
    by_year: dict[int, dict[int, float | None]] = {}
    for label, value in monthly:
        year, month = (int(part) for part in label.split("-"))
        by_year.setdefault(year, {})[month] = value
    rows = []
    for year, months in sorted(by_year.items()):
        cells = [_cell(months, month) for month in range(1, 13)]
        known = [value for value in months.values() if value is not None]
        total = math.prod(1 + value for value in known) - 1 if known else None
        rows.append(YearRow(year, cells, "—" if total is None else f"{percent(total)} %"))
    return rows


def _cell(months: dict[int, float | None], month: int) -> str:
    if month not in months:
        return ""
    value = months[month]
    return "—" if value is None else f"{percent(value)} %"
