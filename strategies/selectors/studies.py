"""Reads of studies with their owner's visibility: another user's study is a 404."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
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
