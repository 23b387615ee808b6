"""Up to eight ASCII digits read and decoded at once (SWAR: one 64-bit word, a few
multiplies), for the candle reader's loop over a file's bytes.

A 17-digit value (Python's repr of a float) spent most of its time in the byte-by-byte loop,
and so did the short runs of a plain price ("64123" and "5"): each word's leading digits are
counted with one instruction (the first byte that is not a digit) and decoded as eight, behind
zeros. The word tricks are the ones simdjson and fast_float use (Lemire, "Number Parsing at a
Gigabyte per Second", 2021). The word is read little-endian, as every processor this runs on
stores it.
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
SEVEN_BITS = np.uint64(0x7F7F7F7F7F7F7F7F)
LOW_BITS = np.uint64(0x0101010101010101)
PAIRS = np.uint64(0x000000FF000000FF)
HUNDRED_AND_MILLION = np.uint64(100 + (1_000_000 << 32))
ONE_AND_TEN_THOUSAND = np.uint64(1 + (10_000 << 32))
TEN = np.uint64(10)
POWERS_OF_TEN = np.array([10**power for power in range(9)], dtype=np.int64)
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


@intrinsic
def trailing_zeros(typingctx, word):
    """The zero bits below the lowest set bit of a 64-bit number, 64 for zero (LLVM's cttz:
    one instruction)."""
    signature = types.int64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 0))

    return signature, codegen


@intrinsic
def set_bits(typingctx, word):
    """How many bits of a 64-bit number are set (LLVM's ctpop: one instruction)."""
    signature = types.int64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return signature, codegen


@njit(cache=True, nogil=True)
def count_byte(data, start, end, byte):
    """How many bytes of `data` from `start` to `end` are `byte`: eight compared at once (a
    zero byte of the word XOR the byte repeated, found exactly: no borrow between bytes)."""
    repeated = np.uint64(byte) * LOW_BITS
    count = 0
    at = start
    while at + 8 <= end:
        word = load_word(data, at) ^ repeated  # type: ignore[call-arg]
        zero = ~(((word & SEVEN_BITS) + SEVEN_BITS) | word | SEVEN_BITS)
        count += set_bits(zero)
        at += 8
    while at < end:
        count += data[at] == byte
        at += 1
    return count


@njit(cache=True, nogil=True)
def not_digits(word):
    """The top bit of each byte of the word that is not an ASCII digit. Exact up to the first
    such byte (the lowest: the first in memory), which is all the callers read: a borrow or
    carry only travels from it upwards."""
    return ((word + PAST_NINE) | (word - ZEROS)) & TOP_BITS


@njit(cache=True, nogil=True)
def digits_value(word):
    """The number eight ASCII digits write (the first byte in memory the most significant)."""
    word = word - ZEROS
    word = word * TEN + (word >> EIGHT)  # pairs of digits
    low = (word & PAIRS) * HUNDRED_AND_MILLION
    high = ((word >> SIXTEEN) & PAIRS) * ONE_AND_TEN_THOUSAND
    return (low + high) >> THIRTY_TWO


@njit(cache=True, nogil=True)
def leading_digits_at(data, at):
    """(how many of the eight bytes of `data` from index `at` are digits before the first that
    is not, 0 to 8; the number those digits write, as an int64); the caller checks that the
    eight bytes are inside the array."""
    word = load_word(data, at)  # type: ignore[call-arg,var-annotated]  # numba passes typingctx
    count = trailing_zeros(not_digits(word)) >> 3
    if count == 0:
        return 0, np.int64(0)
    if count < 8:  # the digits moved to the word's end, behind "0"s: the same number
        word = (word << np.uint64(8 * (8 - count))) | (ZEROS >> np.uint64(8 * count))
    return count, np.int64(digits_value(word))


@njit(cache=True, nogil=True)
def digits_by_word(data, at, end, mantissa, digits):
    """Digits read from index `at` (before `end`) a word at a time, while the mantissa has room
    for eight more (18 digits in all), appended to `mantissa`, which holds `digits` digits so
    far: (where reading stopped, the mantissa, its digits). The byte loop reads what is left
    (near the end of the data, or past 18 digits)."""
    while at + 8 <= end and digits <= 10:
        count, value = leading_digits_at(data, at)
        mantissa = mantissa * POWERS_OF_TEN[count] + value
        digits += count
        at += count
        if count < 8:
            break
    return at, mantissa, digits
