"""Candles from a CSV file, every problem reported with its line (pure: numpy and stdlib).

Format: a header line `timestamp,open,high,low,close,volume`, then one closed bar per line,
the timestamp in milliseconds UTC at the bar's open (an integer), oldest first, each timestamp
once. Prices are positive, high >= low with open and close inside that range, volume >= 0;
prices and volumes stay within the document grammar's bound on numbers (MAX_MAGNITUDE).
The timeframe is the shortest step between timestamps unless given; every step must be a whole
number of bars (missing bars are gaps, kept as gaps). Shared by `manage.py backtest`,
`manage.py import_candles` and the candle import task. A problem keeps its code and parameters
beside its text, so that it can be stored and shown later in the reader's language.
"""

import io
import mmap
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import NoReturn

import numpy as np

from strategies import candles_parse as compiled
from strategies.candles_parse import COLUMNS
from strategies.i18n import gettext_lazy as _
from strategies.rules.limits import MAX_MAGNITUDE
from strategies.series import Candles, timeframe_ms, timeframe_of

MAX_BYTES = 256 * 1024 * 1024  # a million one-minute candles at full precision is ~110 MB
MAX_PROBLEMS = 20
BLOCK_ROWS = 100_000  # rows read between two progress reports (the careful reader)
# 2000-01-01 and 2100-01-01 in ms: outside, the timestamps are seconds or nonsense.
EARLIEST_MS, LATEST_MS = 946_684_800_000, 4_102_444_800_000

TOO_BIG = _("The file is larger than %(limit)s MB: split it or keep a shorter period.")
TOO_BIG_TO_CHECK = _(
    "The file is not in the plain shape read at full speed (a header, then six numbers on "
    "each line, no blank line), and it is larger than %(limit)s MB, the most whose lines are "
    "checked one by one: split it to see its problems."
)
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
TOO_LARGE = _(
    "“%(value)s” in the %(column)s column is too large: prices and volumes stay at or below "
    "%(limit)s."
)
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

# Each problem's code (stored with an import) and its message.
MESSAGES = {
    "too_big": TOO_BIG,
    "too_big_to_check": TOO_BIG_TO_CHECK,
    "not_utf8": NOT_UTF8,
    "empty": EMPTY,
    "no_rows": NO_ROWS,
    "wrong_columns": WRONG_COLUMNS,
    "wrong_count": WRONG_COUNT,
    "not_number": NOT_NUMBER,
    "not_integer_time": NOT_INTEGER_TIME,
    "time_range": TIME_RANGE,
    "not_positive": NOT_POSITIVE,
    "high_below_low": HIGH_BELOW_LOW,
    "outside_range": OUTSIDE_RANGE,
    "too_large": TOO_LARGE,
    "negative_volume": NEGATIVE_VOLUME,
    "not_finite_volume": NOT_FINITE_VOLUME,
    "duplicate": DUPLICATE,
    "unsorted": UNSORTED,
    "one_row": ONE_ROW,
    "bad_timeframe": BAD_TIMEFRAME,
    "bad_step": BAD_STEP,
    "more": MORE,
}

Params = dict[str, str | int]
Progress = Callable[[int, int], None]


def problem_text(code: str, params: Params) -> str:
    """A problem's message in the active language (KeyError for a code not in MESSAGES)."""
    message = MESSAGES[code]
    return str(message % params) if params else str(message)


@dataclass(frozen=True)
class CandleProblem:
    """A problem of the file; `line` is 1-based (the header is line 1), None for the file.
    `message` is in the language active when it was found; `code` and `params` rebuild it."""

    line: int | None
    message: str
    code: str = ""
    params: Params = field(default_factory=dict, hash=False)

    @classmethod
    def of(cls, line: int | None, code: str, **params: str | int) -> "CandleProblem":
        return cls(line, problem_text(code, params), code, params)

    def as_json(self) -> dict[str, object]:
        return {"line": self.line, "code": self.code, "params": self.params}


class CandleFileError(ValueError):
    """The file cannot be read as candles; `problems` lists the first MAX_PROBLEMS."""

    def __init__(self, problems: list[CandleProblem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.message}" for p in problems))
        self.problems = problems


def read_candles(
    source: bytes | io.BufferedIOBase,
    *,
    timeframe: str | None = None,
    max_bytes: int = MAX_BYTES,
    progress: Progress | None = None,
) -> Candles:
    """Candles from CSV bytes or a binary file; CandleFileError with line-numbered problems.
    `progress(rows read, rows)` is called as the rows are read, if given. A file on disk is
    mapped, not read into memory."""
    with _contents(source, max_bytes) as raw:
        fast = compiled.read_table(raw, progress)
        if fast is None:
            numbers, lines = _careful_table(raw, progress)
            columns = np.ascontiguousarray(numbers.T)
        else:
            columns, lines = fast, SecondLineOn()
    # The times and their steps' checks in one compiled pass (no array of steps: a million
    # fresh int64s cost more to fault in than to compute).
    times, shortest, *backward = compiled.time_steps(columns[0], MAX_PROBLEMS + 1)
    (values, bad_values), (order, bad_order) = (
        _value_problems(columns, lines),
        _order_problems(times, backward, lines),
    )
    if values or order:
        ranked = sorted(values + order, key=lambda found: found[:2])
        found = [problem for _line, _order, problem in ranked]
        raise CandleFileError(_capped(found, bad_values + bad_order))
    timeframe = timeframe or _timeframe(len(times), shortest, lines)
    _check_steps(times, lines, timeframe)
    return Candles(timeframe, times, *columns[1:6])


class SecondLineOn:
    """The line numbers of a file without blank lines: row r is on line r + 2 (the header is
    line 1). Read only where a problem is worded, so never made as an array."""

    def __getitem__(self, row: int) -> int:
        return int(row) + 2


Lines = np.ndarray | SecondLineOn


@contextmanager
def _contents(source: bytes | io.BufferedIOBase, max_bytes: int) -> Iterator[bytes | mmap.mmap]:
    """The file's bytes: mapped when it is a file on disk (the page cache holds them, not
    this process's memory), else read; CandleFileError when larger than `max_bytes`."""
    if isinstance(source, bytes):
        raw: bytes | mmap.mmap = source
    else:
        try:
            size = os.fstat(source.fileno()).st_size
        except (AttributeError, OSError, io.UnsupportedOperation):
            size = None
        if size is None or size == 0:  # an upload held in memory, or nothing to map
            raw = source.read(max_bytes + 1)
        elif size > max_bytes:
            _refuse(None, "too_big", limit=max_bytes // (1024 * 1024))
        else:
            raw = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
    if len(raw) > max_bytes:
        _refuse(None, "too_big", limit=max_bytes // (1024 * 1024))
    try:
        yield raw
    finally:
        if isinstance(raw, mmap.mmap):
            # A view still held by an exception's traceback keeps the map open: it closes
            # when that view goes.
            with suppress(BufferError):
                raw.close()


def _refuse(line: int | None, code: str, **params: str | int) -> NoReturn:
    raise CandleFileError([CandleProblem.of(line, code, **params)])


def _careful_table(raw: bytes | mmap.mmap, progress: Progress | None):
    """The numbers and line numbers by the careful reader, which words every problem (and
    holds the file several times over in memory: past MAX_BYTES it is refused)."""
    if len(raw) > MAX_BYTES:
        _refuse(None, "too_big_to_check", limit=MAX_BYTES // (1024 * 1024))
    try:
        text = bytes(raw).decode("utf-8-sig")
    except UnicodeDecodeError:
        _refuse(None, "not_utf8")
    return _table(text, progress)


def _table(text: str, progress: Progress | None) -> tuple[np.ndarray, np.ndarray]:
    """The numbers (one row per candle) and each row's line number."""
    rows = text.splitlines()
    if not rows or not rows[0].strip():
        _refuse(1 if rows else None, "empty")
    header = tuple(name.strip().lower() for name in rows[0].split(","))
    if header != COLUMNS:
        _refuse(1, "wrong_columns", found=rows[0].strip()[:200])
    numbered = [(number, row) for number, row in enumerate(rows[1:], start=2) if row.strip()]
    if not numbered:
        _refuse(None, "no_rows")
    lines = np.array([number for number, _row in numbered], dtype=np.int64)
    try:
        numbers = np.concatenate(list(_blocks(numbered, progress)))
    except ValueError:  # a value numpy cannot read, or blocks with different column counts
        raise CandleFileError(_parse_problems(numbered)) from None
    if numbers.shape[1] != len(COLUMNS):
        raise CandleFileError(_parse_problems(numbered))
    return numbers, lines


def _blocks(numbered: list[tuple[int, str]], progress: Progress | None) -> Iterator[np.ndarray]:
    """The rows' numbers, BLOCK_ROWS rows at a time, reporting progress after each block."""
    for first in range(0, len(numbered), BLOCK_ROWS):
        block = [row for _n, row in numbered[first : first + BLOCK_ROWS]]
        yield np.loadtxt(block, delimiter=",", dtype=np.float64, ndmin=2)
        if progress is not None:
            progress(min(first + BLOCK_ROWS, len(numbered)), len(numbered))


def _parse_problems(numbered: list[tuple[int, str]]) -> list[CandleProblem]:
    """The rows numpy could not read, found one by one (only on a bad file)."""
    found: list[CandleProblem] = []
    for number, row in numbered:
        values = row.split(",")
        if len(values) != len(COLUMNS):
            found.append(CandleProblem.of(number, "wrong_count", count=len(values)))
            continue
        for value in values:
            try:
                float(value)
            except ValueError:
                found.append(CandleProblem.of(number, "not_number", value=value.strip()[:40]))
                break
    return _capped(found)


def _capped(found: list[CandleProblem], total: int | None = None) -> list[CandleProblem]:
    """The first MAX_PROBLEMS of `total` problems (all found when None), and a count of the rest."""
    total = len(found) if total is None else total
    if total <= MAX_PROBLEMS:
        return found
    rest = CandleProblem.of(None, "more", count=total - MAX_PROBLEMS)
    return [*found[:MAX_PROBLEMS], rest]


Found = tuple[list[tuple[int, int, CandleProblem]], int]


def _value_problems(columns: np.ndarray, lines: Lines) -> Found:
    """(line, check's order, problem) of the first bad values of each check, and their count.
    `columns`: the file's six columns, one row each."""
    counts, first = compiled.bad_rows(
        np.ascontiguousarray(columns), EARLIEST_MS, LATEST_MS, MAX_MAGNITUDE, MAX_PROBLEMS + 1
    )
    found: list[tuple[int, int, CandleProblem]] = []
    for order, code in enumerate(compiled.CHECKS):
        for row in first[order][: min(int(counts[order]), MAX_PROBLEMS + 1)]:
            line = int(lines[row])
            params = _params(code, columns[:, row])
            found.append((line, order, CandleProblem.of(line, code, **params)))
    return found, int(counts.sum())


def _too_large(columns: np.ndarray) -> np.ndarray:
    """Prices and volumes past the bound on a document's numbers (the engine's float64 would
    hold them, but they are typing mistakes). Infinite and negative ones have their own
    problems. `columns`: the six columns (rows), or one candle's six values."""
    values = columns[1:6]
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (values > MAX_MAGNITUDE)


def _params(code: str, row: np.ndarray) -> Params:
    """What a value problem shows of its row."""
    if code == "time_range":
        return {"value": f"{row[0]:.0f}"}
    if code == "too_large":
        column = int(np.flatnonzero(_too_large(row))[0]) + 1
        limit = f"{MAX_MAGNITUDE:.0e}"
        return {"value": f"{row[column]:.6g}", "column": COLUMNS[column], "limit": limit}
    return {}


def _order_problems(times: np.ndarray, backward: list, lines: Lines) -> Found:
    """The first duplicate or out-of-order timestamps (line, order, problem), and their count;
    `backward`: how many steps between the times do not go forward, and the rows before the
    first of them (compiled.time_steps)."""
    count, rows = backward
    found = []
    for row in rows[: min(int(count), MAX_PROBLEMS + 1)]:
        code = "duplicate" if times[row + 1] == times[row] else "unsorted"
        line = int(lines[row + 1])
        found.append((line, 9, CandleProblem.of(line, code, other=int(lines[row]))))
    return found, int(count)


def _timeframe(rows: int, shortest: int, lines: Lines) -> str:
    """The shortest step between timestamps, as a timeframe (times are strictly increasing)."""
    if rows < 2:
        _refuse(int(lines[0]), "one_row")
    try:
        return timeframe_of(int(shortest))
    except ValueError:
        raise CandleFileError([CandleProblem.of(None, "bad_timeframe", ms=int(shortest))]) from None


def _check_steps(times: np.ndarray, lines: Lines, timeframe: str) -> None:
    bar_ms = timeframe_ms(timeframe)
    found = []
    count, rows = compiled.uneven_steps(times, bar_ms, MAX_PROBLEMS + 1)
    for row in rows[: min(int(count), MAX_PROBLEMS + 1)]:
        step = int(times[row + 1] - times[row])
        values: Params = {"other": int(lines[row]), "ms": step, "timeframe": timeframe}
        found.append(CandleProblem.of(int(lines[row + 1]), "bad_step", **values))
    if found:
        raise CandleFileError(_capped(found))
