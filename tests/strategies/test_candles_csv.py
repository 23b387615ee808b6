"""The CSV candle reader: good files become arrays, bad ones name each problem's line."""

import io

import numpy as np
import pytest

from strategies import candles_csv, candles_parse
from strategies.candles_csv import CandleFileError, read_candles

HEADER = "timestamp,open,high,low,close,volume\n"
T0 = 1_704_067_200_000  # 2024-01-01 00:00 UTC
HOUR = 3_600_000


def csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(row + "\n" for row in rows)).encode()


def problems(data: bytes, **options) -> list[tuple[int | None, str]]:
    with pytest.raises(CandleFileError) as refused:
        read_candles(data, **options)
    return [(problem.line, problem.message) for problem in refused.value.problems]


def test_a_good_file_gives_its_columns_and_timeframe():
    data = csv(f"{T0},1,2,0.5,1.5,10", f"{T0 + HOUR},1.5,3,1,2,0", f"{T0 + 3 * HOUR},2,2,2,2,5")

    candles = read_candles(io.BytesIO(data))

    assert candles.timeframe == "1h"  # the shortest step; the missing bar is a gap
    assert list(candles.time) == [T0, T0 + HOUR, T0 + 3 * HOUR]
    assert candles.time.dtype == np.int64
    assert list(candles.high) == [2, 3, 2]
    assert list(candles.volume) == [10, 0, 5]


def test_a_byte_order_mark_windows_line_ends_and_blank_lines_are_read():
    data = b"\xef\xbb\xbf" + csv(f"{T0},1,1,1,1,1", "", f"{T0 + 60_000},1,1,1,1,1").replace(
        b"\n", b"\r\n"
    )

    assert read_candles(data).timeframe == "1m"


def test_each_bad_value_is_reported_at_its_line():
    data = csv(
        f"{T0},1,2,3,1,1",  # line 2: high below low (and open outside the range)
        f"{T0 + HOUR},1,2,1,1,-1",  # line 3: negative volume
        f"{T0 + 2 * HOUR},1,2,0.5,3,1",  # line 4: close above the high
        f"{T0 + 3 * HOUR},0,1,0,1,1",  # line 5: a price of zero
    )

    found = problems(data)

    assert (2, "The high is below the low.") in found
    assert (3, "The volume is negative.") in found
    assert (4, "The open and the close must lie between the low and the high.") in found
    assert (5, "Prices must be positive numbers.") in found


def test_duplicate_and_unsorted_timestamps_name_both_lines():
    data = csv(f"{T0},1,1,1,1,1", f"{T0},1,1,1,1,1", f"{T0 - HOUR},1,1,1,1,1")

    assert problems(data) == [
        (3, "This timestamp already appears on line 2."),
        (4, "This timestamp is earlier than the one on line 3: sort the file, oldest first."),
    ]


def test_wrong_columns_are_refused_at_line_one():
    [(line, message)] = problems(csv(f"{T0},1,1,1,1", header="time,open,high,low,close\n"))

    assert line == 1
    assert "timestamp,open,high,low,close,volume" in message


def test_a_row_with_a_wrong_count_or_a_word_is_refused_at_its_line():
    data = csv(f"{T0},1,1,1,1,1", f"{T0 + HOUR},1,1,1", f"{T0 + 2 * HOUR},1,one,1,1,1")

    assert problems(data) == [
        (3, "Expected 6 values separated by commas, found 4."),
        (4, "“one” is not a number."),
    ]


def test_timestamps_in_seconds_are_explained():
    [(line, message)] = problems(csv("1704067200,1,1,1,1,1", "1704070800,1,1,1,1,1")[:-21])

    assert line == 2
    assert "milliseconds" in message


def test_a_file_too_big_is_refused_before_it_is_read_in_full():
    data = csv(*(f"{T0 + i * HOUR},1,1,1,1,1" for i in range(100)))

    [(line, message)] = problems(io.BytesIO(data), max_bytes=1024 * 1024 // 2000)
    assert line is None
    assert "larger than" in message


def test_steps_that_are_not_whole_bars_are_refused():
    data = csv(f"{T0},1,1,1,1,1", f"{T0 + HOUR},1,1,1,1,1", f"{T0 + 2 * HOUR + 60_000},1,1,1,1,1")

    [(line, message)] = problems(data)
    assert line == 4
    assert "not a whole number of 1h bars" in message


def test_empty_files_and_headers_alone_are_refused():
    assert problems(b"") == [(None, "The file is empty.")]
    assert problems(csv()) == [(None, "The file has a header but no candles.")]


def test_problems_are_capped_with_a_count_of_the_rest():
    data = csv(*(f"{T0 + i * HOUR},1,1,1,1,-1" for i in range(25)))

    found = problems(data)

    assert len(found) == 21
    assert found[-1] == (None, "… and 5 more problems.")


def test_messages_follow_the_active_language():
    from strategies.i18n import override

    with override("fr"):
        [(_line, message)] = problems(csv(f"{T0},1,1,1,1,-1"))

    assert message != "The volume is negative."


# --- the compiled reader -------------------------------------------------------------------

# Values as exporters write them: integers, tenths, eight decimals, Python's 17-digit repr
# (past Clinger's fast path: Eisel-Lemire), 21 digits (past both: numpy's conversion),
# exponents, signs and padding; each row stays a valid candle.
WRITTEN = (
    "100",
    "100.1",
    "0.00012345",
    "100.10000000000001",
    "100.100000000000000001",
    "1.001e2",
    "+100.2",
    " 100.3 ",
)


def test_the_compiled_reader_gives_python_floats_on_every_core(monkeypatch, tmp_path):
    monkeypatch.setattr(candles_parse, "CHUNK_BYTES", 64)  # dozens of chunks, parsed in threads

    def careful(*args):
        raise AssertionError("the compiled reader gave up on a plain file")

    monkeypatch.setattr(candles_csv, "_careful_table", careful)
    rows, expected = [], []
    for index in range(300):
        price = WRITTEN[index % len(WRITTEN)]
        volume = WRITTEN[(index + 3) % len(WRITTEN)]
        # A plain reading, independent of the reader: Python's own float() of each value.
        value = float(price)
        rows.append(f"{T0 + index * 60_000},{price},{value * 2},{value / 2},{price},{volume}")
        expected.append((T0 + index * 60_000, value, value * 2, value / 2, value, float(volume)))
    path = tmp_path / "candles.csv"
    path.write_bytes(csv(*rows).replace(b"\n", b"\r\n"))

    with path.open("rb") as source:
        candles = read_candles(source)

    read = zip(
        candles.time.tolist(),
        *(candles.field(name).tolist() for name in ("open", "high", "low", "close", "volume")),
        strict=True,
    )
    assert list(read) == expected
    assert candles.timeframe == "1m"


def test_a_file_the_compiled_reader_gives_up_on_is_read_with_its_problems(monkeypatch):
    monkeypatch.setattr(candles_parse, "CHUNK_BYTES", 64)
    good = [f"{T0 + index * HOUR},1,2,1,1,1" for index in range(20)]
    # A blank line after the header and ten rows (line 12), then a word on line 13.
    data = csv(*good[:10], "", f"{T0 + 10 * HOUR},1,2,1,1,lots", *good[11:])

    assert problems(data) == [(13, "“lots” is not a number.")]


def test_a_big_file_the_compiled_reader_gives_up_on_is_refused_plainly(monkeypatch):
    # The careful reader holds a file several times over: past MAX_BYTES it is not tried
    # (the command reads files far larger than uploads, when they are in the plain shape).
    monkeypatch.setattr(candles_csv, "MAX_BYTES", 60)
    data = csv(f"{T0},1,2,1,1,1", "", f"{T0 + HOUR},1,2,1,1,1")

    [(line, message)] = problems(data, max_bytes=10_000)

    assert line is None
    assert message.startswith("The file is not in the plain shape read at full speed")
    assert "larger than 0 MB" in message


def test_a_header_with_a_control_character_is_read_as_the_careful_reader_reads_it():
    # A form feed ends a line for Python's splitlines(): the header is "timestamp" alone.
    data = csv(f"{T0},1,2,1,1,1", header="timestamp\x0c,open,high,low,close,volume\n")

    [(line, message)] = problems(data)

    assert line == 1
    assert message.startswith("The columns must be timestamp,open,high,low,close,volume")
