from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from exchanges.models import Region


class GuideFilterForm(forms.Form):
    """The guides index's filters: a GET form that works without JavaScript."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True)
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices]
    )
    spot = forms.BooleanField(label=_("Spot"), required=False)
    futures = forms.BooleanField(label=_("Futures"), required=False)

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid one is dropped (and its error shown by the form)."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # leaves the fields that validated in cleaned_data
            data = self.cleaned_data
        return {
            "query": data.get("q") or "",
            "region": data.get("region") or "",
            "spot": bool(data.get("spot")),
            "futures": bool(data.get("futures")),
        }
