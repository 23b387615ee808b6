from django import forms
from django.utils.translation import gettext_lazy as _

from notifications import addresses
from notifications.events import Event


class EventsForm(forms.Form):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=Event.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class AddressForm(forms.Form):
    url = forms.URLField(label=_("Webhook address"), max_length=500, assume_scheme="https")

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == "discord":
            self.fields["url"].help_text = _(
                "In Discord: the channel's settings, Integrations, Webhooks, “Copy Webhook URL”."
            )
        else:
            self.fields["url"].help_text = _(
                "We POST a signed JSON body to it; the recipe to check the signature is below."
            )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if self.kind == "discord":
            addresses.check_discord(url)
        else:
            addresses.check_public(url)
        return url
