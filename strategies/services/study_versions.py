"""What a study found, kept: the numbers its folds chose, saved as a new version of the
strategy it studied, ready for a paper run.

The version is the document the study ran (frozen when its backtest was asked for) with the
chosen numbers in place, not the strategy's latest version with them: what was studied is
what is saved. A catalog strategy is first copied into a strategy of the user's (version 1 the
catalog's document), and a strategy deleted since is made again from the document studied;
the next version holds the numbers.
"""

from collections.abc import Mapping

from django.db import transaction

from strategies import rules, version_notes
from strategies.engine.study.space import with_parameters
from strategies.models import Strategy, StrategyVersion, Study
from strategies.selectors.studies import chosen_sets
from strategies.services.mine import (
    free_name,
    strategy_copy_from_catalog,
    strategy_create,
    strategy_version_save,
)


class NotChosen(ValueError):
    """Numbers no fold of the study chose."""


@transaction.atomic
def study_parameters_save(*, study: Study, parameters: Mapping[str, float]) -> StrategyVersion:
    """A new version of the study's strategy holding `parameters` (a set its folds chose), or
    the latest version when it already holds exactly that document."""
    if dict(parameters) not in [each.parameters for each in chosen_sets(study)]:
        raise NotChosen(parameters)
    studied = rules.parse(study.document, base_timeframe=study.timeframe)
    strategy = _strategy_for(study)
    note = version_notes.stored_note(version_notes.FROM_STUDY, study=study.pk)
    saved = strategy_version_save(
        strategy=strategy, document=with_parameters(studied, parameters), note=note
    )
    return saved or strategy.versions.latest("number")


def _strategy_for(study: Study) -> Strategy:
    """The user's strategy the study's backtest ran, or the one made for it the first time its
    numbers were kept: a copy of the catalog entry it ran, or of the document studied."""
    if study.strategy_version is not None:
        return study.strategy_version.strategy
    if study.kept_in is not None:
        return study.kept_in
    if study.catalog_entry is not None:
        made = strategy_copy_from_catalog(owner=study.owner, entry=study.catalog_entry)
    else:
        name = free_name(owner=study.owner, base=study.strategy_name)
        made = strategy_create(owner=study.owner, name=name, document=study.document)
    Study.objects.filter(pk=study.pk).update(kept_in=made)
    study.kept_in = made
    return made
