"""A decimal (an integer mantissa of up to 18 digits times a power of ten) to the nearest double,
exactly as Python's float() rounds it, compiled: the Eisel-Lemire algorithm (Lemire, "Number
Parsing at a Gigabyte per Second", 2021; the one Go's strconv and Rust's core use).

The mantissa, shifted so its top bit is set, is multiplied by a 128-bit truncation of the power
of ten; the product's top 54 bits give the double unless they sit so close to a halfway point
that the truncation could have moved them, which the algorithm detects and reports as not
decided (then the caller converts the text the slow, exact way). The candle reader uses it for
the values Clinger's fast path cannot take: 16 to 18 digits (Python's repr of a float writes
17), or a power of ten past 1e22.
"""

import numpy as np
from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic

from strategies.compiled import njit

LOWEST, HIGHEST = -64, 64  # the powers of ten tabled: far past any price or volume


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """The high and low 64 bits of 10**e as a 128-bit number whose top bit is set, truncated
    (rounded down) where it does not fit, for e from LOWEST to HIGHEST."""
    high, low = [], []
    for exponent in range(LOWEST, HIGHEST + 1):
        if exponent >= 0:
            power = 10**exponent
            bits = power.bit_length()
            wide = power << (128 - bits) if bits <= 128 else power >> (bits - 128)
        else:
            divisor = 10**-exponent
            wide = (1 << (127 + divisor.bit_length())) // divisor
        high.append(wide >> 64)
        low.append(wide & ((1 << 64) - 1))
    return np.array(high, dtype=np.uint64), np.array(low, dtype=np.uint64)


POWER_HIGH, POWER_LOW = _tables()
LOW_NINE_BITS = np.uint64(0x1FF)
ONE = np.uint64(1)
FRACTION_BITS = np.uint64((1 << 52) - 1)


@intrinsic
def _high_half(typingctx, a, b):
    """The top 64 bits of the 128-bit product of two 64-bit numbers: one multiply instruction
    (LLVM's i128), where four 32-bit products and their carries cost five times as much."""
    signature = types.uint64(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

    return signature, codegen


@intrinsic
def _leading_zeros(typingctx, a):
    """The zero bits above the highest set bit of a nonzero 64-bit number (LLVM's ctlz)."""
    signature = types.int64(types.uint64)

    def codegen(context, builder, signature, args):
        count = builder.ctlz(args[0], ir.Constant(ir.IntType(1), 1))
        return count

    return signature, codegen


@intrinsic
def _as_double(typingctx, bits):
    """The double whose IEEE 754 bits are `bits`."""
    signature = types.float64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return signature, codegen


@njit(cache=True, nogil=True)
def _multiply(a, b):
    """The 128-bit product of two 64-bit numbers, as (high, low) 64-bit halves."""
    return _high_half(a, b), a * b  # type: ignore[call-arg]  # numba passes typingctx


@njit(cache=True, nogil=True)
def decimal_to_double(mantissa, exponent):
    """(decided, mantissa x 10**exponent as the nearest double); `mantissa` a non-negative
    int64. Not decided: a power of ten outside the table, a result outside the normal doubles,
    or a product too close to a halfway point to tell."""
    if mantissa == 0:
        return True, 0.0
    if exponent < LOWEST or exponent > HIGHEST:
        return False, 0.0
    man = np.uint64(mantissa)
    leading: int = _leading_zeros(man)  # type: ignore[call-arg]  # numba passes typingctx
    man = man << np.uint64(leading)
    index = exponent - LOWEST
    high, low = _multiply(man, POWER_HIGH[index])
    if (high & LOW_NINE_BITS) == LOW_NINE_BITS and low + man < man:
        # The truncated low half of the power may change the top bits: take it in.
        extra_high, extra_low = _multiply(man, POWER_LOW[index])
        merged_high, merged_low = high, low + extra_high
        if merged_low < low:
            merged_high += ONE
        if (
            (merged_high & LOW_NINE_BITS) == LOW_NINE_BITS
            and merged_low + ONE == np.uint64(0)
            and extra_low + man < man
        ):
            return False, 0.0
        high, low = merged_high, merged_low
    top = int(high >> np.uint64(63))
    bits54 = high >> np.uint64(top + 9)
    # floor(exponent x log2(10)) + 64 + the double's bias, less the normalising shift.
    binary_exponent = ((217706 * exponent) >> 16) + 64 + 1023 - leading - (1 ^ top)
    exact_product = low == np.uint64(0) and (high & LOW_NINE_BITS) == np.uint64(0)
    if exact_product and (bits54 & np.uint64(3)) == ONE:
        return False, 0.0  # exactly halfway by the truncated power: cannot tell
    bits54 += bits54 & ONE  # to 53 bits, halfway to even
    bits53 = bits54 >> ONE
    if bits53 >> np.uint64(53) != np.uint64(0):
        bits53 = bits53 >> ONE
        binary_exponent += 1
    if binary_exponent <= 0 or binary_exponent >= 0x7FF:
        return False, 0.0  # subnormal or infinite: the slow way says which
    bits = (np.uint64(binary_exponent) << np.uint64(52)) | (bits53 & FRACTION_BITS)
    return True, _as_double(bits)
