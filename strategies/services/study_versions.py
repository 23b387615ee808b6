"""What a study found, kept: the numbers its folds chose, saved as a new version of the
strategy it studied, ready for a paper run.

The version is the document the study ran (frozen when its backtest was asked for) with the
chosen numbers in place, not the strategy's latest version with them: what was studied is
what is saved. A catalog strategy is first copied into a strategy of the user's (version 1 the
catalog's document), and a strategy deleted since is made again from the document studied;
the next version holds the numbers.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from strategies import rules, version_notes
from strategies.engine.study.space import with_parameters
from strategies.models import CatalogEntry, Strategy, StrategyVersion, Study
from strategies.selectors.studies import chosen_sets
from strategies.services.mine import (
    free_name,
    strategy_copy_from_catalog,
    strategy_create,
    strategy_version_save,
)


class NotChosen(ValueError):
    """Numbers no fold of the study chose."""


@dataclass(frozen=True)
class Kept:
    """The version holding the numbers; whether this keep saved it (False: the latest already
    held them); and when the strategy had versions after the one studied, its number."""

    version: StrategyVersion
    saved: bool
    studied_number: int | None = None


@transaction.atomic
def study_parameters_save(*, study: Study, parameters: Mapping[str, float]) -> Kept:
    """A new version of the study's strategy holding `parameters` (a set its folds chose), or
    the latest version when it already holds exactly that document. DocumentError when the
    document studied no longer validates; StrategyNameTaken when a copy cannot be named."""
    # Locked and read again: two keeps of one study at once make one strategy, not two.
    study = Study.objects.select_for_update().get(pk=study.pk)
    if dict(parameters) not in [each.parameters for each in chosen_sets(study)]:
        raise NotChosen(parameters)
    studied = rules.parse(study.document, base_timeframe=study.timeframe)
    strategy = _strategy_for(study)
    note = version_notes.stored_note(version_notes.FROM_STUDY, study=study.pk)
    edited = _edited_since(study, note)
    saved = strategy_version_save(
        strategy=strategy, document=with_parameters(studied, parameters), note=note
    )
    latest = strategy.versions.latest("number")
    return Kept(saved or latest, saved is not None, edited)


def _edited_since(study: Study, note: str) -> int | None:
    """The number of the version studied when the user saved other versions after it (not
    this study's own keeps): the kept version leaves their changes out."""
    studied = study.strategy_version
    if studied is None:
        return None
    later = studied.strategy.versions.filter(number__gt=studied.number).exclude(note=note)
    return studied.number if later.exists() else None


def _strategy_for(study: Study) -> Strategy:
    """The user's strategy the study's backtest ran, or the one made for it the first time its
    numbers were kept: a copy of the catalog entry it ran (while it is published), or a
    strategy holding the document studied."""
    if study.strategy_version is not None:
        return study.strategy_version.strategy
    if study.kept_in is not None:
        return study.kept_in
    entry = study.catalog_entry
    if entry is not None and CatalogEntry.objects.published().filter(pk=entry.pk).exists():
        made = strategy_copy_from_catalog(owner=study.owner, entry=entry)
    else:
        name = free_name(owner=study.owner, base=study.strategy_name)
        made = strategy_create(owner=study.owner, name=name, document=study.document)
    Study.objects.filter(pk=study.pk).update(kept_in=made)
    study.kept_in = made
    return made
