"""Up to eight digits read as one word: how many lead the word and the number they write agree
with Python's own reading of the same eight bytes (the bytes 0-9 before the first other one,
int()), for digits, their neighbours in the ASCII table and any byte at all, wherever in the
word the odd byte sits; and a whole value read word by word as Python reads its digits."""

import numpy as np
import pytest

from strategies.candles_parse import time_steps
from strategies.eight_digits import count_byte, digits_by_word, leading_digits_at


def python_reading(chunk: bytes) -> tuple[int, int]:
    count = 0
    while count < len(chunk) and 48 <= chunk[count] <= 57:
        count += 1
    return count, int(chunk[:count]) if count else 0


def words(seed: int, count: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    near = [ord("/"), ord(":"), ord(" "), ord("."), 0x80, 0xB0, 0xFF, 0x00]
    made = [b"00000000", b"99999999", b"00000001", b"10000000", b"12345678"]
    for _ in range(count):
        digits = bytearray(rng.integers(48, 58, size=8, dtype=np.uint8).tobytes())
        kind = int(rng.integers(3))
        if kind == 1:  # one byte just outside the digits (or a high one)
            digits[int(rng.integers(8))] = near[int(rng.integers(len(near)))]
        elif kind == 2:  # any bytes
            digits = bytearray(rng.integers(0, 256, size=8, dtype=np.uint8).tobytes())
        made.append(bytes(digits))
    return made


@pytest.mark.parametrize("seed", [1, 2])
def test_the_word_reads_as_python_reads_the_bytes(seed):
    for chunk in words(seed, 20_000):
        # At an odd offset in a longer buffer: the load is unaligned.
        data = np.frombuffer(b"x" + chunk + b"yyyyyyy", dtype=np.uint8)
        assert leading_digits_at(data, 1) == python_reading(chunk), chunk


@pytest.mark.parametrize(
    "text",
    [b"1", b"12345", b"1234567", b"12345678", b"123456789", b"1704067200000", b"000000000123"],
)
def test_a_run_of_digits_reads_word_by_word_as_python_reads_it(text):
    # Followed by a comma and padding: every word read stays inside the buffer.
    data = np.frombuffer(b"," + text + b",99999999", dtype=np.uint8)

    at, mantissa, digits = digits_by_word(data, 1, len(data), 0, 0)

    # Up to 18 digits fit; the 9-digit one stops at 8 + 1 as the comma ends the second word.
    assert (at, mantissa, digits) == (1 + len(text), int(text), len(text))


def test_the_words_stop_where_the_mantissa_would_overflow():
    # 11 digits held already: no word more (the byte loop reads the rest).
    data = np.frombuffer(b"12345678,", dtype=np.uint8)

    assert digits_by_word(data, 0, len(data), 12_345_678_901, 11) == (0, 12_345_678_901, 11)


@pytest.mark.parametrize("seed", [3, 4])
def test_a_byte_counted_eight_at_a_time_as_python_counts_it(seed):
    rng = np.random.default_rng(seed)
    # Newlines among their neighbours (0x09, 0x0B, 0x8A: one bit away) and any byte at all.
    near = np.array([10, 10, 10, 9, 11, 0x8A, 0, 0xFF], dtype=np.uint8)
    for _ in range(300):
        size = int(rng.integers(0, 80))
        picked = near[rng.integers(len(near), size=size)]
        anything = rng.integers(0, 256, size=size, dtype=np.uint8)
        data = np.where(rng.random(size) < 0.5, picked, anything).astype(np.uint8).tobytes()
        start = int(rng.integers(0, size + 1))
        end = int(rng.integers(start, size + 1))

        counted = count_byte(np.frombuffer(data, dtype=np.uint8), start, end, 10)

        assert counted == data.count(b"\n", start, end), (data, start, end)


def test_the_steps_between_times_match_numpys_reading_even_past_an_unreadable_time():
    # numpy turns NaN and 1e30 into the smallest int64 and wraps the differences: the old
    # reader's problems came from that, and the compiled pass must give the same ones.
    stamps = np.array([0.0, 60.0, np.nan, 180.0, 1e30, 300.0, 300.0, 240.0, 420.0])
    with np.errstate(invalid="ignore", over="ignore"):
        old_times = stamps.astype(np.int64)
        old_steps = np.diff(old_times)

    times, shortest, count, rows = time_steps(stamps, 4)

    assert times.tolist() == old_times.tolist()
    backward = np.flatnonzero(old_steps <= 0)
    assert count == len(backward)
    assert rows.tolist() == [*backward[:4].tolist(), *[-1] * (4 - min(4, len(backward)))]
    assert shortest == old_steps[old_steps > 0].min()
