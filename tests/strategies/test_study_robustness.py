"""The robustness score on hand-worked folds.

Returns are written as e^g - 1 (math.expm1(g)) so that each fold's log growth g is a number
read off the test, and the growth per day is g / days by hand.
"""

import math
from collections.abc import Sequence

import numpy as np
import pytest

from strategies.engine.study.robustness import FoldOutcome, robustness


def fold(
    in_sample_growth: float,
    out_of_sample_growth: float,
    parameters: tuple[float, ...] = (),
    in_sample_days: float = 60,
    out_of_sample_days: float = 30,
) -> FoldOutcome:
    """A fold whose windows grew by these logs: a return of e^growth - 1."""
    return FoldOutcome(
        in_sample_return=math.expm1(in_sample_growth),
        out_of_sample_return=math.expm1(out_of_sample_growth),
        in_sample_days=in_sample_days,
        out_of_sample_days=out_of_sample_days,
        parameters=parameters,
    )


def returns_fold(out_of_sample_return: float, in_sample_return: float = 0.2) -> FoldOutcome:
    """A fold given by its out-of-sample return (60 days in, 30 out, no parameter)."""
    return FoldOutcome(in_sample_return, out_of_sample_return, 60, 30, ())


THREE_FOLDS = [
    fold(0.6, 0.15, (0.2, 0.5)),
    fold(1.2, -0.06, (0.4, 0.5)),
    fold(0.3, 0.3, (0.4, 0.1)),
]


def test_each_component_on_three_hand_worked_folds():
    # in-sample growth per day:     0.6/60 = 0.01,   1.2/60 = 0.02,    0.3/60 = 0.005
    #   mean 0.035 / 3
    # out-of-sample growth per day: 0.15/30 = 0.005, -0.06/30 = -0.002, 0.3/30 = 0.01
    #   mean 0.013 / 3
    # efficiency = 0.013 / 0.035 = 13/35 = 0.3714286
    # consistency: folds 1 and 3 above 0: 2/3
    # stability: fold 1 -> 2 changes |0.2|, |0| -> mean 0.1; 2 -> 3: |0|, |0.4| -> mean 0.2;
    #   mean 0.15, stability 0.85
    # score = (0.3714286 + 0.6666667 + 0.85) / 3 = 1.8880952 / 3 = 0.6293651: above 0.6, robust
    # worst fold: e^-0.06 - 1 = -0.0582355
    result = robustness(THREE_FOLDS)

    assert result.efficiency == pytest.approx(13 / 35)
    assert result.consistency == pytest.approx(2 / 3)
    assert result.stability == pytest.approx(0.85)
    assert result.deflated_sharpe is None
    assert result.score == pytest.approx(0.6293651, abs=1e-7)
    assert result.verdict == "robust"
    assert result.folds == 3
    assert result.worst_fold_return == pytest.approx(-0.0582355, abs=1e-7)
    # 3 folds < 6; 2/3 > 0.5; -5.8 % is not below -10 %: only too few folds.
    assert result.trusted is False
    assert result.doubts == ("few_folds",)


def test_the_deflated_sharpe_joins_the_mean_when_given():
    # (0.3714286 + 0.6666667 + 0.85 + 0.2) / 4 = 2.0880952 / 4 = 0.5220238: now uncertain.
    result = robustness(THREE_FOLDS, deflated_sharpe=0.2)

    assert result.deflated_sharpe == 0.2
    assert result.score == pytest.approx(0.5220238, abs=1e-7)
    assert result.verdict == "uncertain"


def test_growth_per_day_is_averaged_over_folds_not_pooled():
    # in-sample:     0.6/60 = 0.01 and 0.6/30 = 0.02   -> mean 0.015
    # out-of-sample: 0.15/30 = 0.005 and 0.1/10 = 0.01 -> mean 0.0075
    # efficiency 0.0075 / 0.015 = 0.5 (pooling, (0.25/40) / (1.2/90) = 0.46875, would differ)
    folds = [
        fold(0.6, 0.15, in_sample_days=60, out_of_sample_days=30),
        fold(0.6, 0.1, in_sample_days=30, out_of_sample_days=10),
    ]

    assert robustness(folds).efficiency == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("in_sample_growth", "out_of_sample_growth", "expected"),
    [
        (0.6, 0.6, 1.0),  # 0.01 and 0.02 a day: 2, clamped to 1
        (0.6, -0.3, 0.0),  # 0.01 and -0.01 a day: -1, clamped to 0
        (0.0, 0.3, 0.0),  # no in-sample growth: 0 whatever out of sample
        (-0.6, -0.6, 0.0),  # -0.01 and -0.02 a day: 2 on paper, but losing in-sample is 0
    ],
)
def test_efficiency_is_clamped_and_zero_without_in_sample_growth(
    in_sample_growth, out_of_sample_growth, expected
):
    result = robustness([fold(in_sample_growth, out_of_sample_growth)])

    assert result.efficiency == expected


def test_consistency_counts_only_returns_above_zero():
    # +5 %, 0 %, -5 %, +1 %: two of four above 0 (0 is not above).
    folds = [returns_fold(0.05), returns_fold(0.0), returns_fold(-0.05), returns_fold(0.01)]

    assert robustness(folds).consistency == 0.5


def test_stability_over_three_parameters():
    # (0, 0.5, 1) -> (0.3, 0.5, 0.4): changes 0.3, 0, 0.6 -> mean 0.3
    # (0.3, 0.5, 0.4) -> (0.3, 0.2, 0.4): changes 0, 0.3, 0 -> mean 0.1
    # stability 1 - (0.3 + 0.1) / 2 = 0.8
    folds = [
        fold(0.6, 0.3, (0.0, 0.5, 1.0)),
        fold(0.6, 0.3, (0.3, 0.5, 0.4)),
        fold(0.6, 0.3, (0.3, 0.2, 0.4)),
    ]

    assert robustness(folds).stability == pytest.approx(0.8)


def test_stability_is_one_with_a_single_fold_or_no_parameters():
    assert robustness([fold(0.6, 0.3, (0.1, 0.9))]).stability == 1.0
    assert robustness([fold(0.6, 0.3), fold(0.3, 0.1), fold(0.9, -0.1)]).stability == 1.0


# Score edges: in-sample losses make efficiency 0, no parameters make stability 1, and the
# deflated Sharpe sets the rest. Sums are exact in binary up to one rounding, so
# 2.4 / 4 == 0.6 and 1.6 / 4 == 0.4 as floats.
ALL_WIN_OUT_OF_SAMPLE = [fold(-0.3, 0.3), fold(-0.3, 0.3)]  # consistency 1
HALF_WIN_OUT_OF_SAMPLE = [fold(-0.3, 0.3), fold(-0.3, -0.03)]  # consistency 0.5


@pytest.mark.parametrize(
    ("folds", "deflated_sharpe", "score", "verdict"),
    [
        (ALL_WIN_OUT_OF_SAMPLE, 0.44, 0.61, "robust"),  # (0 + 1 + 1 + 0.44) / 4
        (ALL_WIN_OUT_OF_SAMPLE, 0.4, 0.6, "uncertain"),  # (0 + 1 + 1 + 0.4) / 4: not above
        (HALF_WIN_OUT_OF_SAMPLE, 0.1, 0.4, "uncertain"),  # (0 + 0.5 + 1 + 0.1) / 4: not below
        (HALF_WIN_OUT_OF_SAMPLE, 0.06, 0.39, "curve_fit"),  # (0 + 0.5 + 1 + 0.06) / 4
    ],
)
def test_verdict_thresholds(folds, deflated_sharpe, score, verdict):
    result = robustness(folds, deflated_sharpe)

    assert result.efficiency == 0.0
    assert result.stability == 1.0
    assert result.score == pytest.approx(score)
    assert result.verdict == verdict


def test_a_score_of_exactly_the_thresholds_is_uncertain():
    # The same two cases, held to exact equality: the edge itself is neither side.
    assert robustness(ALL_WIN_OUT_OF_SAMPLE, 0.4).score == 0.6
    assert robustness(HALF_WIN_OUT_OF_SAMPLE, 0.1).score == 0.4


@pytest.mark.parametrize(
    ("out_of_sample_returns", "doubts"),
    [
        ([0.05, 0.02, 0.01, 0.03, 0.04, 0.06], ()),  # 6 folds, all above 0, none deep
        ([0.05, 0.02, 0.01, 0.03, 0.04], ("few_folds",)),  # 5 folds
        ([0.05, -0.02, 0.01, -0.03, 0.04, -0.06], ("inconsistent",)),  # 3/6 = 0.5, not above
        ([0.05, 0.02, 0.01, 0.03, 0.04, -0.10], ()),  # -10 % exactly is not below -10 %
        ([0.05, 0.02, 0.01, 0.03, 0.04, -0.11], ("deep_fold",)),  # 5/6 above 0
        ([0.05, -0.2], ("few_folds", "inconsistent", "deep_fold")),
    ],
)
def test_trusted_and_its_doubts(out_of_sample_returns, doubts):
    result = robustness([returns_fold(value) for value in out_of_sample_returns])

    assert result.doubts == doubts
    assert result.trusted is (doubts == ())
    assert result.worst_fold_return == min(out_of_sample_returns)


def plain_robustness(
    folds: Sequence[FoldOutcome], deflated_sharpe: float | None
) -> tuple[float, float, float, float]:
    """The formula again, written out loop by loop as the docs state it: (score, efficiency,
    consistency, stability)."""
    in_sample_total = 0.0
    out_of_sample_total = 0.0
    wins = 0
    for each in folds:
        in_sample_total += math.log(1 + each.in_sample_return) / each.in_sample_days
        out_of_sample_total += math.log(1 + each.out_of_sample_return) / each.out_of_sample_days
        if each.out_of_sample_return > 0:
            wins += 1
    in_sample_rate = in_sample_total / len(folds)
    out_of_sample_rate = out_of_sample_total / len(folds)
    if in_sample_rate <= 0:
        efficiency = 0.0
    else:
        efficiency = out_of_sample_rate / in_sample_rate
        efficiency = 0.0 if efficiency < 0 else 1.0 if efficiency > 1 else efficiency
    consistency = wins / len(folds)
    pair_changes: list[float] = []
    for i in range(1, len(folds)):
        before, after = folds[i - 1].parameters, folds[i].parameters
        total = 0.0
        for j in range(len(before)):
            total += abs(after[j] - before[j])
        pair_changes.append(total / len(before))
    stability = 1 - sum(pair_changes) / len(pair_changes)
    parts = [efficiency, consistency, stability]
    if deflated_sharpe is not None:
        parts.append(deflated_sharpe)
    return sum(parts) / len(parts), efficiency, consistency, stability


@pytest.mark.parametrize("seed", range(20))
def test_random_folds_match_a_plain_reimplementation(seed):
    generator = np.random.default_rng(seed)
    parameter_count = int(generator.integers(1, 5))
    folds = [
        FoldOutcome(
            in_sample_return=float(generator.uniform(-0.3, 0.8)),
            out_of_sample_return=float(generator.uniform(-0.4, 0.4)),
            in_sample_days=float(generator.choice([30, 60, 90])),
            out_of_sample_days=float(generator.choice([10, 30])),
            parameters=tuple(float(value) for value in generator.random(parameter_count)),
        )
        for _ in range(int(generator.integers(2, 11)))
    ]
    deflated_sharpe = float(generator.random()) if seed % 2 else None

    result = robustness(folds, deflated_sharpe)
    score, efficiency, consistency, stability = plain_robustness(folds, deflated_sharpe)

    assert result.efficiency == pytest.approx(efficiency)
    assert result.consistency == pytest.approx(consistency)
    assert result.stability == pytest.approx(stability)
    assert result.score == pytest.approx(score)


@pytest.mark.parametrize(
    ("folds", "deflated_sharpe", "message"),
    [
        ([], None, "no folds"),
        ([returns_fold(-1.0)], None, "wiped out"),
        ([returns_fold(0.1, in_sample_return=-1.5)], None, "wiped out"),
        ([FoldOutcome(0.1, 0.1, 0, 30, ())], None, "in-sample window must last more than 0"),
        ([FoldOutcome(0.1, 0.1, 60, -30, ())], None, "out-of-sample window must last more"),
        ([FoldOutcome(0.1, math.nan, 60, 30, ())], None, "must be numbers"),
        ([fold(0.6, 0.3, (1.2,))], None, r"scaled to \[0, 1\]"),
        ([fold(0.6, 0.3, (-0.1, 0.5))], None, r"scaled to \[0, 1\]"),
        ([fold(0.6, 0.3, (0.1,)), fold(0.6, 0.3, (0.1, 0.2))], None, "fold 2: 2 parameters"),
        ([fold(0.6, 0.3)], 1.5, "probability"),
    ],
)
def test_errors(folds, deflated_sharpe, message):
    with pytest.raises(ValueError, match=message):
        robustness(folds, deflated_sharpe)
