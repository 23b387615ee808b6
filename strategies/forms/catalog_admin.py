from django import forms
from django.utils.translation import gettext_lazy as _

from strategies.models import Bias, CatalogEntry
from strategies.rules import DocumentError, dump, parse
from strategies.series import is_timeframe


class CatalogEntryAdminForm(forms.ModelForm):
    """Staff edits are validated by the grammar, for every suggested timeframe, and stored in
    canonical form: a catalog entry that does not parse never reaches a page."""

    class Meta:
        model = CatalogEntry
        fields = [
            "slug",
            "published",
            "position",
            "version",
            "category",
            "bias",
            "skill",
            "timeframes",
            "document",
        ]
        widgets = {
            "document": forms.Textarea(attrs={"rows": 30, "cols": 100, "spellcheck": "false"})
        }

    def clean_timeframes(self) -> list[str]:
        timeframes = self.cleaned_data["timeframes"]
        if (
            not isinstance(timeframes, list)
            or not timeframes
            or not all(map(is_timeframe, timeframes))
        ):
            raise forms.ValidationError(_('List ccxt timeframes, for example ["1h", "4h"].'))
        return timeframes

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        text, timeframes = cleaned.get("document"), cleaned.get("timeframes")
        if not text or not timeframes:
            return cleaned
        try:
            documents = [parse(text, base_timeframe=timeframe) for timeframe in timeframes]
        except DocumentError as error:
            self.add_error("document", [str(line) for line in str(error).splitlines()])
            return cleaned
        if documents[0].long_only != (cleaned.get("bias") == Bias.LONG_ONLY):
            self.add_error("bias", _("The document's long_only must agree with the bias."))
        cleaned["document"] = dump(documents[0])
        return cleaned
