"""Studies as long work: planned by one job, each fold chosen by its own (in any order, as
workers finish them), assembled by one more; cancelled, refused with a sentence, failed when a
worker is lost. The market is study_helpers' planted regime change, whose every choice and
return is worked out by hand in test_study_walk_forward.py."""

import dataclasses

import numpy as np
import pytest

from accounts.models import User
from strategies.candles.store import candles_write, series_for
from strategies.engine import Market
from strategies.engine.study.space import dimension
from strategies.engine.study.walk_forward import walk_forward
from strategies.models import (
    Backtest,
    FundingRate,
    FundingSeries,
    LongJob,
    Study,
    StudyFold,
    StudyStatus,
)
from strategies.services import studies as studies_service
from strategies.services.long_jobs import Turn
from strategies.services.studies import (
    StudyRefused,
    study_cancel,
    study_fold_lost,
    study_fold_turn,
    study_start,
    study_turn,
)
from tests.strategies.run_helpers import kraken
from tests.strategies.study_helpers import (
    CAPITAL,
    DAY_MS,
    START_MS,
    TAKE_PROFIT_DOCUMENT,
    regimes,
    setting,
)

pytestmark = pytest.mark.django_db

TAKE_PROFIT = [{"path": "risk.take_profit_pct", "low": 0.05, "high": 0.25, "step": 0.05}]


def finished_backtest(owner: User, days: int = 300) -> Backtest:
    """A finished report over `days` of the regimes' daily candles, kept in the store."""
    half = days // 2
    candles = regimes((half, 0.10), (days - half, 0.20))
    series = series_for(exchange=kraken(), symbol="BTC/USD", timeframe="1d")
    end = START_MS + days * DAY_MS
    candles_write(series=series, candles=candles, covered=(START_MS, end), source="exchange")
    return Backtest.objects.create(
        owner=owner,
        strategy_name="take-profit-grid",
        document=TAKE_PROFIT_DOCUMENT,
        exchange=kraken(),
        symbol="BTC/USD",
        timeframe="1d",
        start_ms=START_MS,
        end_ms=end,
        capital=CAPITAL,
        fee=0.0,
        slippage_bps=0.0,
        max_volume_share=0.0,
        tie="stop_first",
        status="done",
        stats={},
        bars=days,
        gaps=0,
    )


def started(owner: User, **changes) -> Study:
    values = {"dimensions": TAKE_PROFIT, "constraints": [], "objective": "return"}
    return study_start(owner=owner, backtest=finished_backtest(owner), **values | changes)


def jobs(kind: str) -> set[int]:
    return set(LongJob.objects.filter(kind=kind).values_list("target_id", flat=True))


def test_a_study_is_planned_chosen_fold_by_fold_in_any_order_and_assembled():
    owner = User.objects.create_user("study@example.com")
    study = started(owner)
    assert jobs("study") == {study.pk}
    assert study.combinations == 5

    assert study_turn(study.pk) is Turn.WAIT  # it waits on its folds
    folds = list(StudyFold.objects.filter(study=study))
    assert [fold.number for fold in folds] == list(range(1, 9))
    assert jobs("study_fold") == {fold.pk for fold in folds}
    for fold in reversed(folds):  # workers finish in any order
        assert study_fold_turn(fold.pk) is Turn.DONE
    study.refresh_from_db()
    assert study.status == StudyStatus.ASSEMBLING
    assert study_turn(study.pk) is Turn.DONE

    study.refresh_from_db()
    assert study.status == StudyStatus.DONE
    found = study.result
    # By hand (test_study_walk_forward.py): folds 1-5 choose 10 %, folds 6-8 choose 20 %; the
    # stitched equity ends at 1.1^30 x 1.2^18 times the capital.
    chosen = [fold["parameters"]["risk.take_profit_pct"] for fold in found["folds"]]
    assert chosen == [0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2]
    assert found["folds"][0]["out_of_sample"] == [START_MS + 60 * DAY_MS, START_MS + 90 * DAY_MS]
    assert found["equity"][-1][1] == pytest.approx(CAPITAL * 1.1**30 * 1.2**18, rel=1e-9)
    assert found["robustness"]["folds"] == 8
    assert found["robustness"]["trusted"] is True


def test_a_tpe_study_keeps_what_each_fold_tried_and_repeats_exactly_from_its_seed():
    owner = User.objects.create_user("tpe@example.com")
    fine = [{"path": "risk.take_profit_pct", "low": 0.01, "high": 0.30, "step": 0.01}]

    def run(seed: int | None) -> Study:
        study = started(owner, dimensions=fine, method="tpe", trials=6, seed=seed)
        study_turn(study.pk)
        for fold in StudyFold.objects.filter(study=study):
            study_fold_turn(fold.pk)
        study_turn(study.pk)
        return Study.objects.get(pk=study.pk)

    first, again, drawn = run(9), run(9), run(None)

    assert first.status == again.status == StudyStatus.DONE
    tried = [fold.tried for fold in first.folds.all()]
    assert all(len({each["risk.take_profit_pct"] for each in fold}) == 6 for fold in tried)
    every = {each["risk.take_profit_pct"] for fold in tried for each in fold}
    # The deflated Sharpe ratio and the heatmap count every value some fold tried, once.
    assert first.result["period_trials"] == len(every)
    assert first.result == again.result
    assert drawn.seed is not None  # drawn, and kept to repeat the study


def test_a_grid_fold_past_its_turn_goes_on_where_it_stopped_and_chooses_as_in_one(monkeypatch):
    monkeypatch.setattr(studies_service, "FOLD_TURN_S", 0.0)
    monkeypatch.setattr(studies_service, "FOLD_PART", 2)  # five take-profits: parts 2, 2, 1
    owner = User.objects.create_user("turns@example.com")
    study = started(owner)
    study_turn(study.pk)

    stopped_at = []
    for fold in StudyFold.objects.filter(study=study):
        while study_fold_turn(fold.pk, deadline=0.0) is Turn.AGAIN:  # past its deadline
            stopped_at.append(StudyFold.objects.get(pk=fold.pk).progress["next"])
    study_turn(study.pk)

    assert stopped_at == [2, 4] * 8  # each fold in three turns
    found = Study.objects.get(pk=study.pk).result
    # As in one turn, by hand: folds 1-5 choose 10 %, 6-8 choose 20 %.
    chosen = [fold["parameters"]["risk.take_profit_pct"] for fold in found["folds"]]
    assert chosen == [0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2]
    assert found["equity"][-1][1] == pytest.approx(CAPITAL * 1.1**30 * 1.2**18, rel=1e-9)


def test_a_fold_run_twice_or_after_the_study_ended_changes_nothing():
    owner = User.objects.create_user("twice@example.com")
    study = started(owner)
    study_turn(study.pk)
    first = StudyFold.objects.filter(study=study).first()
    study_fold_turn(first.pk)
    chosen = StudyFold.objects.get(pk=first.pk).chosen

    assert study_fold_turn(first.pk) is Turn.DONE
    assert StudyFold.objects.get(pk=first.pk).chosen == chosen
    assert study_cancel(study=study)
    assert not study_cancel(study=study)  # already ended
    later = StudyFold.objects.filter(study=study, done=False).first()
    study_fold_turn(later.pk)
    assert not StudyFold.objects.get(pk=later.pk).done
    assert Study.objects.get(pk=study.pk).status == StudyStatus.CANCELLED
    assert jobs("study_fold") == set()  # the waiting folds left the line


def test_a_fold_whose_worker_was_lost_fails_the_study_and_empties_its_line():
    owner = User.objects.create_user("lost@example.com")
    study = started(owner)
    study_turn(study.pk)

    study_fold_lost(StudyFold.objects.filter(study=study).first().pk)

    study.refresh_from_db()
    assert study.status == StudyStatus.FAILED
    assert study.error_code == "interrupted"
    assert jobs("study_fold") == set()


def test_a_period_too_short_for_one_fold_says_so():
    owner = User.objects.create_user("short@example.com")
    study = study_start(
        owner=owner,
        backtest=finished_backtest(owner, days=60),
        dimensions=TAKE_PROFIT,
        constraints=[],
        objective="return",
    )

    assert study_turn(study.pk) is Turn.DONE
    study.refresh_from_db()
    assert (study.status, study.error_code) == (StudyStatus.FAILED, "no_folds")
    assert study.error_params == {"in_sample": 60, "out": 30}


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        (
            {"dimensions": [{"path": "ema.period", "low": 5, "high": 10, "step": 1}]},
            "“ema.period” is not a number of this strategy that a study can vary.",
        ),
        (
            {"dimensions": [{**TAKE_PROFIT[0], "step": 0.0000001}]},
            "That is 2,000,001 combinations to try in every fold; at most 100,000",
        ),
        (
            {"constraints": ["risk.take_profit_pct < risk.take_profit_pct"]},
            "No combination meets the constraints: nothing would be tried.",
        ),
    ],
)
def test_a_space_that_cannot_be_searched_is_refused_with_a_sentence(changes, sentence):
    owner = User.objects.create_user("refused@example.com")

    with pytest.raises(StudyRefused) as refused:
        started(owner, **changes)

    assert sentence in refused.value.message
    assert not Study.objects.exists()


def test_only_a_finished_backtest_can_be_studied():
    owner = User.objects.create_user("unfinished@example.com")
    backtest = finished_backtest(owner)
    Backtest.objects.filter(pk=backtest.pk).update(status="running")
    backtest.refresh_from_db()

    with pytest.raises(StudyRefused) as refused:
        study_start(
            owner=owner,
            backtest=backtest,
            dimensions=TAKE_PROFIT,
            constraints=[],
            objective="sharpe",
        )

    assert "Only a finished backtest can be studied" in refused.value.message


def test_a_perpetuals_study_pays_the_funding_its_backtest_paid():
    # 0.1 % due from longs an hour into every day: the study trades with the rates the
    # backtest's fill left in the store (nothing fetched), as the engine does when handed one
    # rate in every daily bar.
    owner = User.objects.create_user("perpetual@example.com")
    backtest = finished_backtest(owner)
    Backtest.objects.filter(pk=backtest.pk).update(perpetual=True, allows_shorts=True)
    backtest.refresh_from_db()
    funding = FundingSeries.objects.create(
        exchange=kraken(),
        symbol="BTC/USD",
        asked_from_ms=START_MS,
        asked_through_ms=backtest.end_ms,
    )
    FundingRate.objects.bulk_create(
        FundingRate(series=funding, time_ms=START_MS + day * DAY_MS + 3_600_000, rate=0.001)
        for day in range(300)
    )
    study = study_start(
        owner=owner, backtest=backtest, dimensions=TAKE_PROFIT, constraints=[], objective="return"
    )
    study_turn(study.pk)
    for fold in StudyFold.objects.filter(study=study):
        study_fold_turn(fold.pk)
    study_turn(study.pk)

    candles = regimes((150, 0.10), (150, 0.20))
    rates = np.full(len(candles), 0.001)
    plain = setting(candles)
    paying = dataclasses.replace(
        plain, market=Market(allows_shorts=True, perpetual=True), funding=rates
    )
    take_profit = dimension(plain.document, "risk.take_profit_pct", 0.05, 0.25, 0.05)
    expected = walk_forward(paying, [take_profit], start=0)
    study.refresh_from_db()
    assert study.status == StudyStatus.DONE
    assert study.result["equity"][-1][1] == pytest.approx(float(expected.equity[-1]), rel=1e-9)
    assert study.result["equity"][-1][1] < CAPITAL * 1.1**30 * 1.2**18  # the funding was paid
