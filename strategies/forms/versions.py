"""The pair of versions a diff compares, picked from the strategy's own version numbers."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

NO_SUCH_VERSION = _("There is no version %(value)s of this strategy: pick one from the list.")
PICK_FROM = _("Pick the version to compare from.")
PICK_TO = _("Pick the version to compare to.")
VERSION_CHOICE = _("Version %(number)s")


class VersionPairForm(forms.Form):
    """?from=<n>&to=<m>: two version numbers of one strategy (possibly the same one)."""

    def __init__(self, data: Any = None, *, numbers: list[int], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        choices = [(number, VERSION_CHOICE % {"number": number}) for number in numbers]
        for name, label, required in (
            ("from", _("From"), PICK_FROM),
            ("to", _("To"), PICK_TO),
        ):
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=choices,
                coerce=int,
                error_messages={"invalid_choice": NO_SUCH_VERSION, "required": required},
            )
