"""A report's weekly returns: how many weeks went up and down, the best and the worst, and
every week on demand (a year is 52 rows: folded away under the summary)."""

from dataclasses import dataclass
from datetime import date

from strategies.views.backtest_display import percent


@dataclass(frozen=True)
class WeekRow:
    monday: date
    text: str  # "1.25 %", or a dash where it could not be computed


@dataclass(frozen=True)
class Weeks:
    rows: list[WeekRow]
    up: int
    down: int
    best: str
    worst: str


def weekly_summary(weekly: list[list]) -> Weeks | None:
    """The stored [["YYYY-MM-DD", return], ...] summed up; None for a report without weeks
    (stored before they were kept, or without any bar)."""
    known = [value for _monday, value in weekly if value is not None]
    if not known:
        return None
    rows = [
        WeekRow(date.fromisoformat(monday), "—" if value is None else _shown(value))
        for monday, value in weekly
    ]
    up = sum(value > 0 for value in known)
    down = sum(value < 0 for value in known)
    return Weeks(rows, up, down, _shown(max(known)), _shown(min(known)))


def _shown(value: float) -> str:
    return f"{percent(value)} %"
