"""Walk-forward folds: in-sample windows to choose parameters on, each followed by an
out-of-sample window to score them on.

Windows are calendar time from the first bar's open t0 (IS and OOS the two lengths in days):
fold k (k = 0, 1, ...) is scored on [t0 + IS + k x OOS, t0 + IS + (k + 1) x OOS) and chosen on
the IS days right before it ([t0 + k x OOS, t0 + IS + k x OOS)) or, anchored, on everything
since t0 ([t0, t0 + IS + k x OOS)). A bar belongs to the window its open falls in.

Calendar time rather than bar counts, so that a fold means the same span of market whatever the
timeframe, and so that a gap in the history shows as a short or empty window instead of
silently stretching a fold over weeks more than it says.
"""

from dataclasses import dataclass

import numpy as np

from strategies.series import DAY_MS

# The product's stated defaults: two months to choose, one month to score.
IN_SAMPLE_DAYS = 60
OUT_OF_SAMPLE_DAYS = 30


@dataclass(frozen=True)
class Fold:
    number: int  # 1, 2, ... in time order, over the folds kept
    in_sample: slice  # bar indices [start, stop) of `times`
    out_of_sample: slice  # bar indices [start, stop), right after the in-sample window


def walk_forward_folds(
    times: np.ndarray,
    bar_ms: int,
    *,
    in_sample_days: int = IN_SAMPLE_DAYS,
    out_of_sample_days: int = OUT_OF_SAMPLE_DAYS,
    anchored: bool = False,
) -> list[Fold]:
    """The folds over `times` (bar opens in ms UTC, int64, ascending, gaps allowed).

    Folds stop at the last out-of-sample window that ends no later than the last bar's close
    (times[-1] + bar_ms): a partial last window would be scored on fewer days than the others,
    and its score would not be comparable. A fold whose in-sample or out-of-sample window holds
    no bar (a gap in the history) is left out: there is nothing to choose or score on.
    """
    _check_lengths(bar_ms, in_sample_days, out_of_sample_days)
    if len(times) == 0:
        raise ValueError("no bars: walk-forward folds need a history")
    in_sample_ms = in_sample_days * DAY_MS
    out_of_sample_ms = out_of_sample_days * DAY_MS
    first_open = int(times[0])
    last_close = int(times[-1]) + bar_ms

    count = _whole_windows(last_close - first_open - in_sample_ms, out_of_sample_ms)
    out_starts = first_open + in_sample_ms + out_of_sample_ms * np.arange(count, dtype=np.int64)
    out_stops = out_starts + out_of_sample_ms
    in_starts = np.full(count, first_open) if anchored else out_starts - in_sample_ms

    in_sample = _bar_ranges(times, in_starts, out_starts)
    out_of_sample = _bar_ranges(times, out_starts, out_stops)
    kept = [
        (inside, outside)
        for inside, outside in zip(in_sample, out_of_sample, strict=True)
        if _holds_bars(inside) and _holds_bars(outside)
    ]
    return [Fold(number, inside, outside) for number, (inside, outside) in enumerate(kept, start=1)]


def _check_lengths(bar_ms: int, in_sample_days: int, out_of_sample_days: int) -> None:
    lengths = {
        "bar_ms": bar_ms,
        "in_sample_days": in_sample_days,
        "out_of_sample_days": out_of_sample_days,
    }
    for name, length in lengths.items():
        if length <= 0:
            raise ValueError(f"{name} must be positive, got {length}")


def _whole_windows(span_ms: int, window_ms: int) -> int:
    """How many whole windows fit in `span_ms` (0 when the span is short or negative)."""
    return max(0, span_ms // window_ms)


def _bar_ranges(times: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> list[slice]:
    """The bars whose open is in [start, stop), for each window."""
    first = np.searchsorted(times, starts, side="left")
    after_last = np.searchsorted(times, stops, side="left")
    return [slice(int(low), int(high)) for low, high in zip(first, after_last, strict=True)]


def _holds_bars(window: slice) -> bool:
    return window.stop > window.start
