"""The objective over two of a study's numbers: a grid of the first two numbers varied, each cell
the best score over the whole period among the combinations with that pair of values (the
other numbers at whatever did best). Where the best cells cluster, the strategy does not hang on
one lucky pair of values; a lone best cell is what curve-fitting looks like."""

from collections.abc import Mapping, Sequence

from strategies.engine.study.space import Dimension


def objective_grid(
    dimensions: Sequence[Dimension],
    combinations: Sequence[Mapping[str, float]],
    scores: Sequence[float | None],
) -> dict | None:
    """{"x", "y": the two paths, "xs", "ys": their values, "cells": a row per y value, a column
    per x value, None where no combination could be ranked}; None with fewer than two numbers
    varied."""
    if len(dimensions) < 2:
        return None
    x, y = dimensions[0], dimensions[1]
    best: dict[tuple[float, float], float] = {}
    for parameters, score in zip(combinations, scores, strict=True):
        if score is None:
            continue
        cell = (parameters[x.path], parameters[y.path])
        best[cell] = max(score, best.get(cell, score))
    return {
        "x": x.path,
        "y": y.path,
        "xs": list(x.values),
        "ys": list(y.values),
        "cells": [[best.get((xv, yv)) for xv in x.values] for yv in y.values],
    }
