"""The fast path of reading a candle file: the CSV's bytes parsed straight into six columns.

numba compiles a loop over the bytes (cached on disk as the fill loop is): no text decoding, no
list of lines, no per-value Python object, so a million candles take well under a tenth of a
second and the memory is the columns' own. `read_table` cuts the file into chunks that end at a
line's end and parses them on every core (the loop releases the GIL). It accepts only the
plain shape every exporter writes (ASCII numbers, six per line, no blank line); anything else
makes it give up, and the careful reader in candles_csv.py, which finds and words every
problem with its line, takes over.

Numbers are decoded exactly as Python's float() would: a decimal mantissa of up to 15 digits
times a power of ten up to 1e22 is one correctly rounded operation on two exact doubles
(Clinger's fast path); up to 18 digits (a 17-digit repr, say), the Eisel-Lemire algorithm
(decimal_to_double.py). What neither decides (more digits, a halfway case, a subnormal) is
copied out and converted by numpy's correctly rounded string conversion, all at once.
"""

import mmap
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from strategies.compiled import njit
from strategies.decimal_to_double import decimal_to_double
from strategies.eight_digits import count_byte, digits_by_word

COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")
FIELDS = len(COLUMNS)
BOM = b"\xef\xbb\xbf"
WHITESPACE = frozenset(b" \t\r\n")
CHUNK_BYTES = 4 * 1024 * 1024  # bytes parsed by one thread at a time
PARSERS = min(os.cpu_count() or 1, 4)
WIDEST = 32  # bytes of the longest value handed to numpy's conversion
EXACT_DIGITS = 15  # a mantissa below 10**15 < 2**53 is an exact double
POWERS = np.array([10.0**power for power in range(23)])  # exact doubles, 1e0 to 1e22

# The candle checks, in the order bad_rows reports them (each a problem code of candles_csv).
CHECKS = (
    "not_integer_time",
    "time_range",
    "not_positive",
    "high_below_low",
    "outside_range",
    "too_large",
    "negative_volume",
    "not_finite_volume",
)

# What parse_rows reports.
DONE, GIVE_UP = 0, 1

COMMA, NEWLINE, RETURN, SPACE, TAB = 44, 10, 13, 32, 9
MINUS, PLUS, DOT, ZERO, NINE, LOWER_E, UPPER_E = 45, 43, 46, 48, 57, 101, 69


@njit(cache=True, nogil=True)
def parse_rows(data, at, columns, first_row, last_row):
    """Parse rows first_row..last_row-1 from byte `at` into `columns` (six rows of floats, one
    column of the file each). A value past the fast path is left as NaN and its row, field,
    start and end are listed. Returns (status, the hard values' table). Releases the GIL:
    blocks of rows are parsed side by side."""
    end_of_data = len(data)
    hard = np.empty((16, 4), dtype=np.int64)
    hard_count = 0
    for row in range(first_row, last_row):
        for field in range(FIELDS):
            while at < end_of_data and (data[at] == SPACE or data[at] == TAB):
                at += 1
            start = at
            negative = False
            if at < end_of_data and (data[at] == MINUS or data[at] == PLUS):
                negative = data[at] == MINUS
                at += 1
            # Digits (leading zeros included: a mantissa of 15 digits stays exact either way);
            # past 18 (what an int64 holds) only their count matters: the value goes the hard way.
            # Digits are read a word (up to eight) at a time (eight_digits.py); near the data's
            # end, one by one.
            mantissa, digits, scale = 0, 0, 0
            at, mantissa, digits = digits_by_word(data, at, end_of_data, mantissa, digits)
            while at < end_of_data and ZERO <= data[at] <= NINE:
                if digits < 18:
                    mantissa = mantissa * 10 + (data[at] - ZERO)
                else:
                    scale += 1
                digits += 1
                at += 1
            if at < end_of_data and data[at] == DOT:
                at += 1
                before = digits
                at, mantissa, digits = digits_by_word(data, at, end_of_data, mantissa, digits)
                scale -= digits - before
                while at < end_of_data and ZERO <= data[at] <= NINE:
                    if digits < 18:
                        mantissa = mantissa * 10 + (data[at] - ZERO)
                        scale -= 1
                    digits += 1
                    at += 1
            if digits == 0:
                return GIVE_UP, hard[:hard_count]
            if at < end_of_data and (data[at] == LOWER_E or data[at] == UPPER_E):
                at += 1
                sign = 1
                if at < end_of_data and (data[at] == MINUS or data[at] == PLUS):
                    sign = -1 if data[at] == MINUS else 1
                    at += 1
                exponent, exponent_digits = 0, 0
                while at < end_of_data and ZERO <= data[at] <= NINE:
                    exponent = min(exponent * 10 + (data[at] - ZERO), 100_000)
                    exponent_digits += 1
                    at += 1
                if exponent_digits == 0:
                    return GIVE_UP, hard[:hard_count]
                scale += sign * exponent
            end = at
            while at < end_of_data and (data[at] == SPACE or data[at] == TAB):
                at += 1
            decided = False
            if digits <= EXACT_DIGITS and -22 <= scale <= 22:
                value = float(mantissa)
                value = value * POWERS[scale] if scale >= 0 else value / POWERS[-scale]
                decided = True
            elif digits <= 18:
                decided, value = decimal_to_double(mantissa, scale)
            if decided:
                columns[field, row] = -value if negative else value
            elif end - start >= WIDEST:
                return GIVE_UP, hard[:hard_count]
            else:
                columns[field, row] = np.nan
                if hard_count == hard.shape[0]:
                    grown = np.empty((hard.shape[0] * 2, 4), dtype=np.int64)
                    grown[:hard_count] = hard[:hard_count]
                    hard = grown
                hard[hard_count, 0], hard[hard_count, 1] = row, field
                hard[hard_count, 2], hard[hard_count, 3] = start, end
                hard_count += 1
            # The separator: a comma between values, the line's end after the sixth.
            if field < FIELDS - 1:
                if at >= end_of_data or data[at] != COMMA:
                    return GIVE_UP, hard[:hard_count]
                at += 1
            else:
                if at < end_of_data and data[at] == RETURN:
                    at += 1
                if at < end_of_data:
                    if data[at] != NEWLINE:
                        return GIVE_UP, hard[:hard_count]
                    at += 1
                    # A blank line would shift the line numbers problems are reported with.
                    if at < end_of_data and (data[at] == NEWLINE or data[at] == RETURN):
                        return GIVE_UP, hard[:hard_count]
    return DONE, hard[:hard_count]


@njit(cache=True)
def copy_hard(data, hard):
    """The hard values' bytes, one fixed-width row each, for numpy's conversion."""
    out = np.zeros((len(hard), WIDEST), dtype=np.uint8)
    for index in range(len(hard)):
        start, end = hard[index, 2], hard[index, 3]
        out[index, : end - start] = data[start:end]
    return out


@njit(cache=True, nogil=True)
def bad_rows(columns, earliest, latest, largest, keep):
    """The candle checks in one pass over the six columns (candles_csv.py words them, in
    CHECKS' order): per check, how many rows fail it and the first `keep` of them (-1 after).
    NaN fails as numpy's comparisons make it fail."""
    counts = np.zeros(len(CHECKS), dtype=np.int64)
    first = np.full((len(CHECKS), keep), -1, dtype=np.int64)
    for row in range(columns.shape[1]):
        time, open_, high, low = columns[0, row], columns[1, row], columns[2, row], columns[3, row]
        close, volume = columns[4, row], columns[5, row]
        positive = open_ > 0 and high > 0 and low > 0 and close > 0
        finite = np.isfinite(open_) and np.isfinite(high) and np.isfinite(low)
        outside = False
        if not (np.isnan(open_) or np.isnan(close)):
            outside = min(open_, close) < low or max(open_, close) > high
        too_large = False
        for field in range(1, 6):
            value = columns[field, row]
            too_large = too_large or (np.isfinite(value) and value > largest)
        failed = (
            time != np.floor(time),
            time < earliest or time >= latest,
            not positive or not (finite and np.isfinite(close)),
            high < low,
            outside,
            too_large,
            volume < 0,
            not np.isfinite(volume),
        )
        for check in range(len(CHECKS)):
            if failed[check]:
                if counts[check] < keep:
                    first[check, counts[check]] = row
                counts[check] += 1
    return counts, first


# A timestamp numpy's conversion to int64 gives no number for (NaN, out of range): x86's
# answer, stated so the compiled loop is defined too. bad_rows reports such a time.
NO_TIME = np.iinfo(np.int64).min
INT64_BOUND = 2.0**63


@njit(cache=True, nogil=True)
def time_steps(stamps, keep):
    """The timestamps as integers, and in the same pass what the reader checks of the steps
    between them, without an array of steps: (the times, the shortest forward step (or the
    largest int64 without one), how many steps do not go forward (a duplicate or out of order),
    the first `keep` of them by the row of the earlier time (-1 after))."""
    count = len(stamps)
    times = np.empty(count, dtype=np.int64)
    backward = np.full(keep, -1, dtype=np.int64)
    backward_count = 0
    shortest = np.int64(np.iinfo(np.int64).max)
    for row in range(count):
        stamp = stamps[row]
        times[row] = np.int64(stamp) if -INT64_BOUND <= stamp < INT64_BOUND else NO_TIME
        if row:
            # Wrapping as numpy's subtraction wraps (an unreadable time is NO_TIME): the same
            # problems as before, and no overflow the compiler may assume away.
            step = np.int64(np.uint64(times[row]) - np.uint64(times[row - 1]))
            if step <= 0:
                if backward_count < keep:
                    backward[backward_count] = row - 1
                backward_count += 1
            elif step < shortest:
                shortest = step
    return times, shortest, backward_count, backward


@njit(cache=True, nogil=True)
def uneven_steps(times, bar_ms, keep):
    """How many steps between the times are not a whole number of bars, and the first `keep`
    of them by the row of the earlier time (-1 after). The remainder is taken only where a
    step is not exactly one bar: most are."""
    uneven = np.full(keep, -1, dtype=np.int64)
    uneven_count = 0
    for row in range(len(times) - 1):
        step = np.int64(np.uint64(times[row + 1]) - np.uint64(times[row]))
        if step != bar_ms and step % bar_ms != 0:
            if uneven_count < keep:
                uneven[uneven_count] = row
            uneven_count += 1
    return uneven_count, uneven


Progress = Callable[[int, int], None]


def read_table(raw: bytes | mmap.mmap, progress: Progress | None) -> np.ndarray | None:
    """The file's six columns (a row each) by the compiled parser, its chunks on every core;
    None when the file is not in its plain shape, for the careful reader to take over.
    `progress(rows read, rows)` after each chunk."""
    start = 3 if raw[:3] == BOM else 0
    header_end = raw.find(b"\n", start)
    if header_end < 0:
        return None
    line = bytes(raw[start:header_end])
    if any(byte < 0x20 and byte not in b"\t\r" for byte in line):
        return None  # a control character the careful reader counts as a line end
    try:
        header = line.decode("ascii").strip().lower()
    except UnicodeDecodeError:
        return None
    if tuple(name.strip() for name in header.split(",")) != COLUMNS:
        return None
    data = np.frombuffer(raw, dtype=np.uint8)
    end = len(data)
    while end > header_end and data[end - 1] in WHITESPACE:  # trailing blank lines
        end -= 1
    data = data[:end]
    if end <= header_end + 1:
        return None
    chunks = _chunks(raw, header_end + 1, end)
    with ThreadPoolExecutor(max_workers=PARSERS) as parsers:
        # Rows per chunk (the last line may lack its newline), then each chunk's first row.
        counted = list(
            parsers.map(lambda chunk: count_byte(data, chunk[0], chunk[1], NEWLINE), chunks)
        )
        counted[-1] += data[end - 1] != NEWLINE
        firsts = np.r_[0, np.cumsum(counted)]
        rows = int(firsts[-1])
        columns = np.empty((len(COLUMNS), rows))

        def parse(index: int):
            first, last = int(firsts[index]), int(firsts[index + 1])
            return parse_rows(data, chunks[index][0], columns, first, last)

        # The compiled parser releases the GIL: the chunks are parsed on every core.
        hard = []
        for index, (status, found) in enumerate(parsers.map(parse, range(len(chunks)))):
            if status != DONE:
                return None
            hard.append(found)
            if progress is not None:
                progress(int(firsts[index + 1]), rows)
    cells = np.concatenate(hard)
    if len(cells):
        text = copy_hard(data, cells).view(f"S{WIDEST}").ravel()
        columns[cells[:, 1], cells[:, 0]] = text.astype(np.float64)
    return columns


def _chunks(raw: bytes | mmap.mmap, start: int, end: int) -> list[tuple[int, int]]:
    """Byte ranges of about CHUNK_BYTES covering start..end, each ending after a newline."""
    chunks, at = [], start
    while at < end:
        cut = raw.find(b"\n", min(at + CHUNK_BYTES, end - 1), end)
        cut = end if cut < 0 else cut + 1
        chunks.append((at, cut))
        at = cut
    return chunks
