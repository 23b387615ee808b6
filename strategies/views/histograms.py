"""Distributions drawn as small histograms, in SVG the page carries (no script, nothing the
CSP refuses): how many replays ended in each range, with the percentiles and what happened
marked. The table beside each one holds the same figures in words."""

from dataclasses import dataclass

import numpy as np

# The drawing's own units (the SVG scales to the page's width): the bars stand on the axis at
# BASE, the tallest reaching TOP.
WIDTH, TOP, BASE = 300.0, 4.0, 64.0
BINS = 30


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Mark:
    x: float
    kind: str  # "p5", "p50", "p95" or "happened"


@dataclass(frozen=True)
class Histogram:
    bars: list[Bar]
    marks: list[Mark]
    low: float  # the values at the drawing's left and right edges
    high: float


def histogram(values: np.ndarray, marks: dict[str, float], bins: int = BINS) -> Histogram | None:
    """`values` counted in `bins` equal ranges from the lowest to the highest of them and of
    the marks (the last range includes its upper end), each count a bar as tall as its share
    of the largest; `marks` ({"p5": value, ...}) placed on the same scale. Only finite values
    and marks are drawn; None when nothing is left to draw."""
    values = values[np.isfinite(values)]
    marks = {kind: value for kind, value in marks.items() if np.isfinite(value)}
    if not len(values):
        return None
    low = float(min(values.min(), *marks.values()))
    high = float(max(values.max(), *marks.values()))
    span = high - low
    if span <= 1e-9 * max(1.0, abs(low), abs(high)):
        # Every value equal, or but for rounding (a reshuffle's falls, say): one bar, the
        # marks on it. numpy cannot cut a range of 1e-16 in thirty.
        span = 1.0
    counts, _edges = np.histogram(values, bins=bins, range=(low, low + span))
    width = WIDTH / bins
    tallest = max(int(counts.max()), 1)
    bars = [
        Bar(x=index * width, y=BASE - height, width=width, height=height)
        for index, count in enumerate(counts.tolist())
        if (height := (BASE - TOP) * count / tallest) > 0
    ]
    placed = [Mark(x=WIDTH * (value - low) / span, kind=kind) for kind, value in marks.items()]
    return Histogram(bars, placed, low, high)
