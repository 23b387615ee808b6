"""The objective over two numbers varied, worked out by hand."""

from strategies.engine.study.heatmap import objective_grid
from strategies.engine.study.space import Dimension

A = Dimension("a.period", (1, 2))
B = Dimension("b.period", (10, 20))
C = Dimension("risk.cooldown_bars", (0, 5))


def test_each_cell_is_the_best_over_the_other_numbers_and_none_where_nothing_ranked():
    # a=1, b=20 never ranked; a=2, b=10 scored 0.3 with c=0 and 0.5 with c=5: the best, 0.5.
    combinations = [
        {"a.period": a, "b.period": b, "risk.cooldown_bars": c}
        for a in (1, 2)
        for b in (10, 20)
        for c in (0, 5)
    ]
    scores = [0.1, 0.05, None, None, 0.3, 0.5, 0.2, None]

    grid = objective_grid([A, B, C], combinations, scores)

    assert grid == {
        "x": "a.period",
        "y": "b.period",
        "xs": [1, 2],
        "ys": [10, 20],
        "cells": [[0.1, 0.5], [None, 0.2]],
    }


def test_one_number_varied_makes_no_grid():
    assert objective_grid([A], [{"a.period": 1}, {"a.period": 2}], [0.1, 0.2]) is None
