from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from strategies.models import Bias, Category, Skill

TIMEFRAMES = ["15m", "1h", "4h", "1d"]


class CatalogFilterForm(forms.Form):
    """The library's filters: a GET form that works without JavaScript."""

    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    bias = forms.ChoiceField(
        label=_("Direction"), required=False, choices=[("", _("Long or short")), *Bias.choices]
    )
    timeframe = forms.ChoiceField(
        label=_("Timeframe"),
        required=False,
        choices=[("", _("Any timeframe")), *((tf, tf) for tf in TIMEFRAMES)],
    )
    skill = forms.ChoiceField(
        label=_("Skill level"), required=False, choices=[("", _("Any level")), *Skill.choices]
    )

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid one is dropped (and its error shown by the form)."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # leaves the fields that validated in cleaned_data
            data = self.cleaned_data
        return {name: data.get(name) or "" for name in ("category", "bias", "timeframe", "skill")}
