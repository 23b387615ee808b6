"""Array helpers shared by the indicators: rolling extremes, shifts, forward fill, true range.

All of them keep the no-look-ahead contract: the value at index i reads indices 0..i only.
"""

import numpy as np
import talib


def rolling_max(values: np.ndarray, count: int) -> np.ndarray:
    """Highest of the last `count` values, the current one included (NaN before count-1)."""
    # TA-Lib refuses a one-bar window, which is the values themselves.
    return values.astype(np.float64) if count == 1 else talib.MAX(values, timeperiod=count)


def rolling_min(values: np.ndarray, count: int) -> np.ndarray:
    """Lowest of the last `count` values, the current one included (NaN before count-1)."""
    return values.astype(np.float64) if count == 1 else talib.MIN(values, timeperiod=count)


def rolling_sum(values: np.ndarray, count: int) -> np.ndarray:
    """Sum of the last `count` values, the current one included (NaN before count-1)."""
    return values.astype(np.float64) if count == 1 else talib.SUM(values, timeperiod=count)


def shifted(values: np.ndarray, bars: int) -> np.ndarray:
    """The value `bars` bars earlier (NaN where there is none)."""
    out = np.full(len(values), np.nan)
    if bars < len(values):
        out[bars:] = values[: len(values) - bars]
    return out


def forward_filled(values: np.ndarray) -> np.ndarray:
    """Each NaN replaced by the latest earlier finite value (leading NaNs stay NaN)."""
    # Position 0 stands for "none yet": it is NaN itself then, or the right value.
    positions = np.where(np.isnan(values), 0, np.arange(len(values)))
    result: np.ndarray = values[np.maximum.accumulate(positions)]
    return result


def true_range(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> np.ndarray:
    """Wilder's true range; NaN on the first bar, which has no previous close."""
    previous_close = shifted(close, 1)
    ranges = np.maximum(high - low, np.abs(high - previous_close))
    return np.maximum(ranges, np.abs(low - previous_close))
