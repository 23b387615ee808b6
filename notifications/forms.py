from decimal import Decimal
from zoneinfo import available_timezones

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from notifications import addresses
from notifications.events import Event

# Every time zone a user may live in, by its IANA name.
ZONE_CHOICES = [(zone, zone) for zone in sorted(available_timezones() - {"localtime"})]


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


class PreferencesForm(forms.Form):
    drift_threshold_pct = forms.DecimalField(
        label=_("Drift worth telling (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "A live fill this much dearer (or cheaper, for a sale) than its paper twin's is told."
        ),
    )
    summary_hour = forms.IntegerField(
        label=_("Daily summary at (hour)"),
        validators=[MinValueValidator(0), MaxValueValidator(23)],
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=ZONE_CHOICES)
