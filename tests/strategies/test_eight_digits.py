"""Eight digits read as one word: the check and the value agree with Python's own reading of
the same eight bytes (str.isdigit on ASCII, int()), for digits, their neighbours in the ASCII
table and any byte at all, wherever in the word the odd byte sits."""

import numpy as np
import pytest

from strategies.eight_digits import eight_digits_at


def python_reading(chunk: bytes) -> tuple[bool, int | None]:
    is_digits = all(48 <= byte <= 57 for byte in chunk)
    return is_digits, int(chunk) if is_digits else None


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
        is_digits, value = eight_digits_at(data, 1)
        expected_digits, expected_value = python_reading(chunk)
        assert is_digits == expected_digits, chunk
        if expected_digits:
            assert value == expected_value, chunk
