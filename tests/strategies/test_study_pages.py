"""Studies' pages: the form from a finished report (each number with a box, its range and step,
risk levels in percent), its refusals in words, the study's progress, verdict, folds and chart,
the list, the cancel, in English and French; another user's study is a 404."""

import pytest

from strategies.models import Backtest, Study, StudyFold, StudyStatus
from strategies.services.studies import study_fold_turn, study_turn
from tests.strategies.mine_helpers import page, signed_in
from tests.strategies.test_studies import finished_backtest

pytestmark = pytest.mark.django_db

# Take-profit 5 % to 25 % by 5 %, the best total return within a 50 % drawdown.
FORM = {
    "vary__risk.take_profit_pct": "on",
    "low__risk.take_profit_pct": "5",
    "high__risk.take_profit_pct": "25",
    "step__risk.take_profit_pct": "5",
    "objective": "return",
    "drawdown_limit": "50",
    "method": "grid",
    "in_sample_days": "60",
    "out_of_sample_days": "30",
}


def numbers_offered(html: str) -> int:
    return html.count('name="vary__')


def run_jobs(study: Study) -> None:
    """What the long workers would do, folds in reverse order."""
    study_turn(study.pk)
    for fold in reversed(StudyFold.objects.filter(study=study)):
        study_fold_turn(fold.pk)
    study_turn(study.pk)


def test_a_report_is_studied_through_the_form_to_its_verdict_and_folds():
    client, user = signed_in("studier@example.com")
    backtest = finished_backtest(user)
    url = f"/en/strategies/backtests/{backtest.pk}/study/"

    form = page(client.get(url))
    response = client.post(url, FORM)

    # The take-profit (10 % in the document: offered 5 to 20 by 3.75), the stop-loss and the
    # cooldown.
    assert numbers_offered(form) == 3  # and the cooldown
    assert 'value="3.75"' in form
    study = Study.objects.get(owner=user)
    assert response["Location"] == study.get_absolute_url()
    assert study.dimensions == [
        {"path": "risk.take_profit_pct", "low": 0.05, "high": 0.25, "step": 0.05}
    ]
    assert study.drawdown_limit == pytest.approx(0.5)
    waiting = page(client.get(study.get_absolute_url()))
    assert "Cancel the study" in waiting
    run_jobs(study)
    shown = page(client.get(study.get_absolute_url()))
    french = page(client.get(study.get_absolute_url().replace("/en/", "/fr/")))
    listed = page(client.get("/en/strategies/studies/"))

    # By hand (test_study_walk_forward.py): folds 1-5 choose 10 %, folds 6-8 20 %; every fold
    # made money out of sample: consistency 1.
    assert shown.count("risk.take_profit_pct 10<") == 5
    assert shown.count("risk.take_profit_pct 20<") == 3
    assert "Robustness " in shown
    assert "Out-of-sample consistency</dt><dd>1.00</dd>" in shown
    assert 'id="backtest-chart-data"' in shown
    assert "Verdict" in shown
    assert "Verdict" in french
    assert "Plis" in french
    assert study.get_absolute_url() in listed


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"vary__risk.take_profit_pct": ""}, "Tick at least one number to vary."),
        ({"step__risk.take_profit_pct": ""}, "Give the range and the step of a number you vary."),
        ({"drawdown_limit": ""}, "The total return is chosen within a drawdown limit: give one."),
        (
            {"step__risk.take_profit_pct": "0.00001"},
            "combinations to try in every fold; at most 100,000",
        ),
        ({"high__risk.take_profit_pct": "120"}, "risk.take_profit_pct must stay between"),
        ({"method": "tpe", "trials": ""}, "Say how many combinations each fold tries."),
        ({"method": "tpe", "trials": "5", "seed": "-1"}, "greater than or equal to 0"),
        ({"method": "tpe", "trials": "301"}, "less than or equal to 300"),
    ],
)
def test_a_study_that_cannot_run_is_refused_in_words_and_keeps_what_was_typed(changes, sentence):
    client, user = signed_in("refusals@example.com")
    url = f"/en/strategies/backtests/{finished_backtest(user).pk}/study/"

    html = page(client.post(url, FORM | changes))

    assert sentence in html
    assert not Study.objects.exists()
    assert 'name="in_sample_days" value="60"' in html


def test_cancel_and_another_users_study():
    client, user = signed_in("cancel@example.com")
    backtest = finished_backtest(user)
    client.post(f"/en/strategies/backtests/{backtest.pk}/study/", FORM)
    study = Study.objects.get(owner=user)
    other, _stranger = signed_in("stranger@example.com")

    for path in ("", "progress/"):
        assert other.get(f"/en/strategies/studies/{study.pk}/{path}").status_code == 404
    assert other.post(f"/en/strategies/studies/{study.pk}/cancel/").status_code == 404
    client.post(f"/en/strategies/studies/{study.pk}/cancel/")

    study.refresh_from_db()
    assert study.status == StudyStatus.CANCELLED
    assert "Cancelled" in page(client.get(study.get_absolute_url()))


def test_two_numbers_varied_give_the_objective_over_both():
    client, user = signed_in("heatmap@example.com")
    backtest = finished_backtest(user)
    both = FORM | {
        "vary__risk.stop_loss_pct": "on",
        "low__risk.stop_loss_pct": "0.5",
        "high__risk.stop_loss_pct": "1.5",
        "step__risk.stop_loss_pct": "0.5",
    }
    client.post(f"/en/strategies/backtests/{backtest.pk}/study/", both)
    study = Study.objects.get(owner=user)
    run_jobs(study)

    html = page(client.get(study.get_absolute_url()))

    # The stop-loss across (0.5, 1 and 1.5 %, the form's first number), the take-profit down
    # (5 to 25 %): 5 rows of 3 cells.
    assert "risk.take_profit_pct down, risk.stop_loss_pct across" in html
    table = html.split('<table class="heatmap">')[1].split("</table>")[0]
    assert table.count('<td class="heat-') == 15
    assert table.count("heat-4") >= 1


def test_staff_see_studies_read_only_in_the_admin(admin_client):
    _client, user = signed_in("admin-view@example.com")
    client_post = _client.post(
        f"/en/strategies/backtests/{finished_backtest(user).pk}/study/", FORM
    )
    study = Study.objects.get(owner=user)

    listed = page(admin_client.get("/en/admin/strategies/study/"))
    shown = page(admin_client.get(f"/en/admin/strategies/study/{study.pk}/change/"))

    assert client_post.status_code == 302
    assert "admin-view@example.com" in listed
    assert "take-profit-grid" in shown
    assert 'name="_save"' not in shown  # read-only
    assert admin_client.get("/en/admin/strategies/study/add/").status_code == 403


def test_a_report_row_without_its_candle_counts_still_shows():
    client, user = signed_in("no-bars@example.com")
    backtest = finished_backtest(user)
    Backtest.objects.filter(pk=backtest.pk).update(bars=None, gaps=None)

    assert client.get(backtest.get_absolute_url()).status_code == 200


def test_a_grid_study_ignores_what_was_typed_for_tpe():
    client, user = signed_in("grid-typed@example.com")
    url = f"/en/strategies/backtests/{finished_backtest(user).pk}/study/"

    response = client.post(url, FORM | {"trials": "abc", "seed": "-5"})

    study = Study.objects.get(owner=user)
    assert response["Location"] == study.get_absolute_url()
    assert (study.method, study.trials, study.seed) == ("grid", None, None)


def test_a_tpe_study_says_its_budget_and_seed_and_leaves_untried_pairs_blank():
    client, user = signed_in("tpe@example.com")
    url = f"/en/strategies/backtests/{finished_backtest(user).pk}/study/"
    # Take-profit 1 % to 30 % by 1 %, stop-loss 0.5 % and 1 %: 60 combinations, 6 a fold.
    fine = {"low__risk.take_profit_pct": "1", "high__risk.take_profit_pct": "30"}
    fine |= {"step__risk.take_profit_pct": "1", "method": "tpe", "trials": "6", "seed": "9"}
    fine |= {"vary__risk.stop_loss_pct": "on", "low__risk.stop_loss_pct": "0.5"}
    fine |= {"high__risk.stop_loss_pct": "1", "step__risk.stop_loss_pct": "0.5"}

    client.post(url, FORM | fine)
    study = Study.objects.get(owner=user)
    study_turn(study.pk)  # planned: its folds are being chosen
    choosing = page(client.get(study.get_absolute_url()))
    run_jobs(study)
    shown = page(client.get(study.get_absolute_url()))
    french = page(client.get(study.get_absolute_url().replace("/en/", "/fr/")))

    assert (study.method, study.trials, study.seed) == ("tpe", 6, 9)
    assert "TPE (Optuna): 6 trials a fold among 60 combinations, seed 9" in shown
    assert "0 of 8 folds chosen, 6 combinations tried in each." in choosing
    assert "graine 9" in french
    # 60 cells, at most 48 of them tried by the 8 folds: the others are left blank.
    heatmap = shown[shown.index('<table class="heatmap">') : shown.index("</table>")]
    assert heatmap.count("<td class=") == 60
    assert heatmap.count('<td class="heat-none">—</td>') >= 12
    assert "Blank cells: pairs no fold tried." in shown
    assert shown.count("<td>6</td>") == 8  # each fold's combinations tried, in its row
    assert Study.objects.get(pk=study.pk).status == StudyStatus.DONE
