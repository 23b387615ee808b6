"""From a study to a paper run: the numbers its folds chose saved as a new version of the
strategy studied (the document studied, with those numbers), then the paper run's form filled
in with the study's market and costs, and the run started. The choices are the planted regime
change's, worked out by hand in test_study_walk_forward.py: folds 1-5 choose a 10 % take-profit,
folds 6-8 choose 20 %."""

import pytest

from strategies import rules
from strategies.models import Backtest, Strategy, StrategyRun, Study, StudyStatus
from strategies.services.mine import strategy_create, strategy_version_save
from strategies.services.study_versions import study_parameters_save
from tests.strategies.mine_helpers import catalog_entry, page
from tests.strategies.test_runs_pages import kraken, verified  # noqa: F401 (kraken: a fixture)
from tests.strategies.test_studies import started
from tests.strategies.test_study_pages import run_jobs

pytestmark = pytest.mark.django_db

RUN_FORM = {"capital": "10000", "fee": "", "slippage_bps": "0", "max_volume_share": "0"}


def studied(user, **backtest_changes):
    study = started(user)
    Backtest.objects.filter(studies=study).update(**backtest_changes)
    Study.objects.filter(pk=study.pk).update(**backtest_changes)
    run_jobs(study)
    study.refresh_from_db()
    assert study.status == StudyStatus.DONE
    return study


def take_profit(version) -> float | None:
    return rules.parse(version.document).risk.take_profit_pct


@pytest.mark.usefixtures("kraken")  # the sandbox venue: the paper run asks for its market
def test_the_latest_folds_numbers_become_a_version_of_the_strategy_and_its_paper_run():
    client, user = verified("keeper@example.com")
    mine = strategy_create(owner=user, name="My take-profit", document=started(user).document)
    study = studied(user, strategy_version=mine.versions.get())

    shown = page(client.get(study.get_absolute_url()))
    response = client.post(f"/en/strategies/studies/{study.pk}/keep/", {"chosen": "0"})
    form = page(client.get(response["Location"]))

    # The latest fold's numbers first: 20 %, chosen by folds 6, 7 and 8.
    assert "risk.take_profit_pct 20 (folds 6, 7, 8, the latest)" in shown
    assert "risk.take_profit_pct 10 (folds 1, 2, 3, 4, 5)" in shown
    version = mine.versions.latest("number")
    assert (version.number, take_profit(version)) == (2, pytest.approx(0.2))
    assert version.note == f"Parameters chosen by study {study.pk}"
    assert response["Location"] == f"/en/runs/new/?study={study.pk}&strategy=mine%3A{mine.pk}"
    assert f'<option value="mine:{mine.pk}" selected>' in form
    assert 'value="BTC/USD"' in form
    assert '<option value="1d" selected>' in form

    fields = {"strategy": f"mine:{mine.pk}", "exchange": "kraken", "symbol": "BTC/USD"}
    started_run = client.post("/en/runs/new/", RUN_FORM | fields | {"timeframe": "1d"})
    run = StrategyRun.objects.get(owner=user)
    assert started_run["Location"] == run.get_absolute_url()
    assert run.strategy_version == version


def test_keeping_the_same_numbers_again_adds_no_version_and_an_earlier_choice_can_be_kept():
    client, user = verified("earlier@example.com")
    study = studied(user)
    url = f"/en/strategies/studies/{study.pk}/keep/"

    client.post(url, {"chosen": "0"})
    client.post(url, {"chosen": "0"})
    client.post(url, {"chosen": "1"})

    # No strategy of the user's ran the backtest (it was a document alone): one is made from
    # the document studied (its take-profit 10 %), then each kept choice is a version.
    strategy = Strategy.objects.get(owner=user)
    assert strategy.name == "take-profit-grid"
    versions = strategy.versions.order_by("number")
    assert [take_profit(v) for v in versions] == pytest.approx([0.1, 0.2, 0.1])
    assert [v.note for v in versions][1:] == [f"Parameters chosen by study {study.pk}"] * 2


def test_a_catalog_strategy_is_copied_first_and_the_copy_gets_the_numbers():
    client, user = verified("catalog-keeper@example.com")
    entry = catalog_entry("ema-crossover")
    study = studied(user, catalog_entry=entry)

    client.post(f"/en/strategies/studies/{study.pk}/keep/", {"chosen": "0"})

    copy = Strategy.objects.get(owner=user)
    assert copy.copied_from == entry
    assert [v.number for v in copy.versions.order_by("number")] == [1, 2]
    assert take_profit(copy.versions.get(number=2)) == pytest.approx(0.2)


def test_a_choice_no_fold_made_or_another_users_study_saves_nothing():
    client, user = verified("bad-choice@example.com")
    study = studied(user)
    other, _other_user = verified("other-keeper@example.com")

    refused = client.post(f"/en/strategies/studies/{study.pk}/keep/", {"chosen": "7"}, follow=True)
    french = client.post(f"/fr/strategies/studies/{study.pk}/keep/", {"chosen": "x"}, follow=True)
    foreign = other.post(f"/en/strategies/studies/{study.pk}/keep/", {"chosen": "0"})

    assert "Choose one of the sets of numbers the folds chose." in page(refused)
    assert "Choisis" in page(french)
    assert foreign.status_code == 404
    assert not Strategy.objects.exists()


def test_two_keeps_from_one_loaded_study_make_one_strategy_and_say_what_they_did():
    client, user = verified("stale@example.com")
    study = studied(user)
    stale = Study.objects.get(pk=study.pk)  # loaded before either keep: kept_in is empty

    first = study_parameters_save(study=stale, parameters={"risk.take_profit_pct": 0.2})
    again = study_parameters_save(study=stale, parameters={"risk.take_profit_pct": 0.2})
    response = client.post(f"/en/strategies/studies/{study.pk}/keep/", {"chosen": "0"})
    said = page(client.get(response["Location"]))

    assert Strategy.objects.filter(owner=user).count() == 1
    assert (first.saved, again.saved) == (True, False)
    assert again.version == first.version
    assert "Version 2 of “take-profit-grid” already holds these numbers." in said


def test_a_version_saved_after_the_one_studied_is_named_and_a_draft_entry_is_not_copied():
    client, user = verified("edited@example.com")
    mine = strategy_create(owner=user, name="Edited later", document=started(user).document)
    study = studied(user, strategy_version=mine.versions.get())
    edited = started(user).document.replace("stop_loss_pct: 0.005", "stop_loss_pct: 0.006")
    strategy_version_save(strategy=mine, document=edited, note="Document edited")
    draft = catalog_entry("ema-crossover", published=False)
    drafted = studied(user, catalog_entry=draft)

    response = client.post(f"/en/strategies/studies/{study.pk}/keep/", {"chosen": "0"})
    said = page(client.get(response["Location"]))
    client.post(f"/en/strategies/studies/{drafted.pk}/keep/", {"chosen": "0"})

    assert "Saved as version 3 of “Edited later”. It is the version studied (1)" in said
    assert rules.parse(mine.versions.get(number=3).document).risk.stop_loss_pct == 0.005
    made = Strategy.objects.exclude(pk=mine.pk).get(owner=user)
    assert made.copied_from is None  # the draft's document is not the user's to copy
    assert made.versions.get(number=1).document == rules.dump(rules.parse(drafted.document))


def test_a_document_that_no_longer_validates_is_refused_in_words():
    client, user = verified("broken-doc@example.com")
    study = studied(user)
    Study.objects.filter(pk=study.pk).update(document="name: broken\nentry: [")

    response = client.post(f"/en/strategies/studies/{study.pk}/keep/", {"chosen": "0"}, follow=True)

    assert "the document studied no longer validates" in page(response)
    assert not Strategy.objects.exists()
