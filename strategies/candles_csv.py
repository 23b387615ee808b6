"""Candles from a CSV file, every problem reported with its line (pure: numpy and stdlib).

Format: a header line `timestamp,open,high,low,close,volume`, then one closed bar per line,
the timestamp in milliseconds UTC at the bar's open (an integer), oldest first, each timestamp
once. Prices are positive, high >= low with open and close inside that range, volume >= 0.
The timeframe is the shortest step between timestamps unless given; every step must be a whole
number of bars (missing bars are gaps, kept as gaps). Shared by `manage.py backtest` and the
upload form.
"""

import io
from dataclasses import dataclass
from typing import NoReturn

import numpy as np

from strategies.i18n import gettext_lazy as _
from strategies.series import Candles, timeframe_ms, timeframe_of

COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")
MAX_BYTES = 256 * 1024 * 1024  # a million one-minute candles at full precision is ~110 MB
MAX_PROBLEMS = 20
# 2000-01-01 and 2100-01-01 in ms: outside, the timestamps are seconds or nonsense.
EARLIEST_MS, LATEST_MS = 946_684_800_000, 4_102_444_800_000

TOO_BIG = _("The file is larger than %(limit)s MB: split it or keep a shorter period.")
NOT_UTF8 = _("The file is not UTF-8 text.")
EMPTY = _("The file is empty.")
NO_ROWS = _("The file has a header but no candles.")
WRONG_COLUMNS = _(
    "The columns must be timestamp,open,high,low,close,volume (this file has: %(found)s)."
)
WRONG_COUNT = _("Expected 6 values separated by commas, found %(count)s.")
NOT_NUMBER = _("“%(value)s” is not a number.")
NOT_INTEGER_TIME = _("The timestamp must be a whole number of milliseconds.")
TIME_RANGE = _(
    "The timestamp %(value)s is not a date between 2000 and 2100 in milliseconds UTC "
    "(seconds have 10 digits, milliseconds 13)."
)
NOT_POSITIVE = _("Prices must be positive numbers.")
HIGH_BELOW_LOW = _("The high is below the low.")
OUTSIDE_RANGE = _("The open and the close must lie between the low and the high.")
NEGATIVE_VOLUME = _("The volume is negative.")
NOT_FINITE_VOLUME = _("The volume must be a finite number.")
DUPLICATE = _("This timestamp already appears on line %(other)s.")
UNSORTED = _(
    "This timestamp is earlier than the one on line %(other)s: sort the file, oldest first."
)
ONE_ROW = _("A single candle cannot show its timeframe: give the timeframe.")
BAD_TIMEFRAME = _("The step between candles (%(ms)s ms) is not a whole number of minutes.")
BAD_STEP = _(
    "The step from line %(other)s (%(ms)s ms) is not a whole number of %(timeframe)s bars."
)
MORE = _("… and %(count)s more problems.")


@dataclass(frozen=True)
class CandleProblem:
    """A problem of the file; `line` is 1-based (the header is line 1), None for the file."""

    line: int | None
    message: str


class CandleFileError(ValueError):
    """The file cannot be read as candles; `problems` lists the first MAX_PROBLEMS."""

    def __init__(self, problems: list[CandleProblem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.message}" for p in problems))
        self.problems = problems


def read_candles(
    source: bytes | io.BufferedIOBase, *, timeframe: str | None = None, max_bytes: int = MAX_BYTES
) -> Candles:
    """Candles from CSV bytes or a binary file; CandleFileError with line-numbered problems."""
    raw = source if isinstance(source, bytes) else source.read(max_bytes + 1)
    if len(raw) > max_bytes:
        _refuse(None, TOO_BIG % {"limit": max_bytes // (1024 * 1024)})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        _refuse(None, NOT_UTF8)
    numbers, lines = _table(text)
    times = numbers[:, 0].astype(np.int64)
    (values, bad_values), (order, bad_order) = (
        _value_problems(numbers, lines),
        _order_problems(times, lines),
    )
    if values or order:
        found = [CandleProblem(line, text) for line, _o, text in sorted(values + order)]
        raise CandleFileError(_capped(found, bad_values + bad_order))
    timeframe = timeframe or _timeframe(times, lines)
    _check_steps(times, lines, timeframe)
    return Candles(timeframe, times, *(np.ascontiguousarray(numbers[:, c]) for c in range(1, 6)))


def _refuse(line: int | None, message) -> NoReturn:
    raise CandleFileError([CandleProblem(line, str(message))])


def _table(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The numbers (one row per candle) and each row's line number."""
    rows = text.splitlines()
    if not rows or not rows[0].strip():
        _refuse(1 if rows else None, EMPTY)
    header = tuple(name.strip().lower() for name in rows[0].split(","))
    if header != COLUMNS:
        _refuse(1, WRONG_COLUMNS % {"found": rows[0].strip()[:200]})
    numbered = [(number, row) for number, row in enumerate(rows[1:], start=2) if row.strip()]
    if not numbered:
        _refuse(None, NO_ROWS)
    lines = np.array([number for number, _row in numbered], dtype=np.int64)
    try:
        numbers = np.loadtxt(
            [row for _n, row in numbered], delimiter=",", dtype=np.float64, ndmin=2
        )
    except ValueError:
        raise CandleFileError(_parse_problems(numbered)) from None
    if numbers.shape[1] != len(COLUMNS):
        raise CandleFileError(_parse_problems(numbered))
    return numbers, lines


def _parse_problems(numbered: list[tuple[int, str]]) -> list[CandleProblem]:
    """The rows numpy could not read, found one by one (only on a bad file)."""
    found: list[CandleProblem] = []
    for number, row in numbered:
        values = row.split(",")
        if len(values) != len(COLUMNS):
            found.append(CandleProblem(number, str(WRONG_COUNT % {"count": len(values)})))
            continue
        for value in values:
            try:
                float(value)
            except ValueError:
                shown = value.strip()[:40]
                found.append(CandleProblem(number, str(NOT_NUMBER % {"value": shown})))
                break
    return _capped(found)


def _capped(found: list[CandleProblem], total: int | None = None) -> list[CandleProblem]:
    """The first MAX_PROBLEMS of `total` problems (all found when None), and a count of the rest."""
    total = len(found) if total is None else total
    if total <= MAX_PROBLEMS:
        return found
    rest = CandleProblem(None, str(MORE % {"count": total - MAX_PROBLEMS}))
    return [*found[:MAX_PROBLEMS], rest]


Found = tuple[list[tuple[int, int, str]], int]


def _value_problems(numbers: np.ndarray, lines: np.ndarray) -> Found:
    """(line, check's order, message) of the first bad values of each check, and their count."""
    time, open_, high, low, close, volume = numbers.T
    with np.errstate(invalid="ignore"):
        checks = [
            (time != np.floor(time), NOT_INTEGER_TIME),
            ((time < EARLIEST_MS) | (time >= LATEST_MS), TIME_RANGE),
            (
                ~(numbers[:, 1:5] > 0).all(axis=1) | ~np.isfinite(numbers[:, 1:5]).all(axis=1),
                NOT_POSITIVE,
            ),
            (high < low, HIGH_BELOW_LOW),
            ((np.minimum(open_, close) < low) | (np.maximum(open_, close) > high), OUTSIDE_RANGE),
            (volume < 0, NEGATIVE_VOLUME),
            (~np.isfinite(volume), NOT_FINITE_VOLUME),
        ]
    found: list[tuple[int, int, str]] = []
    total = 0
    for order, (bad, message) in enumerate(checks):
        total += int(np.count_nonzero(bad))
        for row in np.flatnonzero(bad)[: MAX_PROBLEMS + 1]:
            text = message % {"value": f"{time[row]:.0f}"} if message is TIME_RANGE else message
            found.append((int(lines[row]), order, str(text)))
    return found, total


def _order_problems(times: np.ndarray, lines: np.ndarray) -> Found:
    """The first duplicate or out-of-order timestamps (line, order, message), and their count."""
    steps = np.diff(times)
    found = []
    for row in np.flatnonzero(steps <= 0)[: MAX_PROBLEMS + 1]:
        message = DUPLICATE if steps[row] == 0 else UNSORTED
        found.append((int(lines[row + 1]), 9, str(message % {"other": lines[row]})))
    return found, int(np.count_nonzero(steps <= 0))


def _timeframe(times: np.ndarray, lines: np.ndarray) -> str:
    """The shortest step between timestamps, as a timeframe (times are strictly increasing)."""
    if len(times) < 2:
        _refuse(int(lines[0]), ONE_ROW)
    shortest = int(np.diff(times).min())
    try:
        return timeframe_of(shortest)
    except ValueError:
        raise CandleFileError(
            [CandleProblem(None, str(BAD_TIMEFRAME % {"ms": shortest}))]
        ) from None


def _check_steps(times: np.ndarray, lines: np.ndarray, timeframe: str) -> None:
    steps, bar_ms = np.diff(times), timeframe_ms(timeframe)
    found = []
    for row in np.flatnonzero(steps % bar_ms != 0)[: MAX_PROBLEMS + 1]:
        values = {"other": lines[row], "ms": int(steps[row]), "timeframe": timeframe}
        found.append(CandleProblem(int(lines[row + 1]), str(BAD_STEP % values)))
    if found:
        raise CandleFileError(_capped(found))
