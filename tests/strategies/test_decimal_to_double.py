"""The compiled decimal-to-double conversion the candle reader uses past Clinger's fast path:
every result it decides is Python's float() of the same text (an independent, correctly rounded
conversion), and what it cannot decide it says so."""

import decimal

import numpy as np
import pytest

from strategies.decimal_to_double import decimal_to_double


def mantissa_and_exponent(text: str) -> tuple[int, int]:
    """'123.45e-3' -> (12345, -5): the digits as one integer and the power of ten."""
    body, _e, exponent = text.lower().partition("e")
    whole, _dot, fraction = body.partition(".")
    return int(whole + fraction), int(exponent or 0) - len(fraction)


def texts(seed: int, count: int) -> list[str]:
    rng = np.random.default_rng(seed)
    made = []
    for _ in range(count):
        kind = rng.integers(3)
        if kind == 0:  # Python's repr: the 17-digit values a pandas export writes
            made.append(repr(float(rng.random()) * 10 ** int(rng.integers(-8, 10))))
        elif kind == 1:  # any mantissa of up to 18 digits, any power in the table
            digits = int(rng.integers(1, 19))
            mantissa = int(rng.integers(10 ** (digits - 1), 10**digits))
            made.append(f"{mantissa}e{int(rng.integers(-40, 41))}")
        else:  # next to the midpoint of two neighbouring doubles: the hard roundings
            low = float(rng.random()) * 10 ** int(rng.integers(-5, 9))
            middle = (decimal.Decimal(low) + decimal.Decimal(float(np.nextafter(low, 2 * low)))) / 2
            made.append(f"{middle:.17e}")
    return made


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_decided_value_is_pythons_float(seed):
    undecided = 0
    for text in texts(seed, 20_000):
        decided, value = decimal_to_double(*mantissa_and_exponent(text))
        if decided:
            assert value == float(text), text
        else:
            undecided += 1
    assert undecided < 200  # the slow way is for the rare case, not the common one


def test_exact_cases_by_hand():
    assert decimal_to_double(1, 0) == (True, 1.0)
    assert decimal_to_double(0, 5) == (True, 0.0)
    # 0.1 + 0.2's repr; 2**53 + 2, a double; 2**53 + 1, exactly halfway between two doubles,
    # which the algorithm cannot tell from its truncated product (the slow way rounds it).
    assert decimal_to_double(30000000000000004, -17) == (True, 0.30000000000000004)
    assert decimal_to_double(9007199254740994, 0) == (True, 9007199254740994.0)
    assert decimal_to_double(9007199254740993, 0)[0] is False
    assert decimal_to_double(1, 400)[0] is False  # past the table
