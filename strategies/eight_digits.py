"""Eight ASCII digits read and decoded at once (SWAR: one 64-bit word, a few multiplies), for
the candle reader's loop over a file's bytes.

A 17-digit value (Python's repr of a float) spent most of its time in the byte-by-byte loop;
prices and millisecond timestamps have runs of eight digits or more. The word tricks are the
ones simdjson and fast_float use (Lemire, "Number Parsing at a Gigabyte per Second", 2021).
The word is read little-endian, as every processor this runs on stores it.
"""

import sys

import numpy as np
from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic

from strategies.compiled import njit

if sys.byteorder != "little":  # the digit order inside the word below assumes it
    raise ImportError("eight_digits.py reads words little-endian")

ZEROS = np.uint64(0x3030303030303030)  # "00000000"
PAST_NINE = np.uint64(0x4646464646464646)  # adds to a byte above "9" set its top bit
TOP_BITS = np.uint64(0x8080808080808080)
PAIRS = np.uint64(0x000000FF000000FF)
HUNDRED_AND_MILLION = np.uint64(100 + (1_000_000 << 32))
ONE_AND_TEN_THOUSAND = np.uint64(1 + (10_000 << 32))
TEN = np.uint64(10)
EIGHT, SIXTEEN, THIRTY_TWO = np.uint64(8), np.uint64(16), np.uint64(32)
NOTHING = np.uint64(0)


@intrinsic
def load_word(typingctx, data, at):
    """The eight bytes of a uint8 array from index `at` as one 64-bit number (the caller checks
    that they are inside the array); an unaligned load, one instruction."""
    signature = types.uint64(data, types.intp)

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        pointer = builder.gep(array.data, [args[1]])
        word = builder.bitcast(pointer, ir.IntType(64).as_pointer())
        return builder.load(word, align=1)

    return signature, codegen


@njit(cache=True, nogil=True)
def all_digits(word):
    """Whether each of the word's eight bytes is an ASCII digit."""
    return (((word + PAST_NINE) | (word - ZEROS)) & TOP_BITS) == NOTHING


@njit(cache=True, nogil=True)
def digits_value(word):
    """The number eight ASCII digits write (the first byte in memory the most significant)."""
    word = word - ZEROS
    word = word * TEN + (word >> EIGHT)  # pairs of digits
    low = (word & PAIRS) * HUNDRED_AND_MILLION
    high = ((word >> SIXTEEN) & PAIRS) * ONE_AND_TEN_THOUSAND
    return (low + high) >> THIRTY_TWO


@njit(cache=True, nogil=True)
def eight_digits_at(data, at):
    """(whether the eight bytes of `data` from index `at` are all digits, the number they write
    as an int64 if so, else 0); the caller checks that they are inside the array."""
    word = load_word(data, at)  # type: ignore[call-arg,var-annotated]  # numba passes typingctx
    if not all_digits(word):
        return False, np.int64(0)
    return True, np.int64(digits_value(word))


@njit(cache=True, nogil=True)
def digits_by_eight(data, at, end, mantissa, digits):
    """Digits read from index `at` (before `end`) eight at a time, while the mantissa has room
    for them (18 digits in all), appended to `mantissa`, which holds `digits` digits so far:
    (where reading stopped, the mantissa, its digits). The byte loop reads what is left."""
    while at + 8 <= end and digits <= 10:
        whole, value = eight_digits_at(data, at)
        if not whole:
            break
        mantissa = mantissa * 100_000_000 + value
        digits += 8
        at += 8
    return at, mantissa, digits
