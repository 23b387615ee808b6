"""Reads of studies with their owner's visibility: another user's study is a 404."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from strategies.engine.study.space import combination_key
from strategies.models import Study


def studies_of(user: User) -> QuerySet[Study]:
    """The user's studies, newest first, with how many of their folds have chosen."""
    return (
        Study.objects.filter(owner=user)
        .select_related("exchange")
        .annotate(folds_total=Count("folds"), folds_done=Count("folds", filter=Q(folds__done=True)))
    )


def study_of(user: User, study_id: int) -> Study:
    return get_object_or_404(studies_of(user), pk=study_id)


@dataclass(frozen=True)
class ChosenSet:
    """Numbers some folds of a study chose ({path: value}), and which folds."""

    parameters: dict[str, float]
    folds: list[int]


def chosen_sets(study: Study) -> list[ChosenSet]:
    """The distinct sets of numbers the study's folds chose, the latest fold's first (what a
    walk-forward would trade next), then by the latest fold that chose each."""
    sets: dict[tuple, ChosenSet] = {}
    for fold in reversed((study.result or {}).get("folds", [])):
        if fold["parameters"]:
            key = combination_key(fold["parameters"])
            found = sets.setdefault(key, ChosenSet(dict(fold["parameters"]), []))
            found.folds.insert(0, fold["number"])
    return list(sets.values())
