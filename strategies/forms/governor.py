"""The risk limits form: each limit optional, in the units the page states."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

from notifications.forms import ZONE_CHOICES


def amount_field(label, help_text) -> forms.DecimalField:
    """An optional amount in the limits' currency, in cents."""
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=20,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=help_text,
    )


class RiskLimitsForm(forms.Form):
    max_drawdown_pct = forms.DecimalField(
        label=_("Maximum drawdown (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("100"))],
        help_text=_("From the peak of your live runs' combined equity. Empty: no limit."),
    )
    daily_loss_limit = amount_field(
        _("Daily loss limit"),
        _("What your live runs may lose in one day, open positions included."),
    )
    day_starts_at = forms.IntegerField(
        label=_("The day starts at (hour)"),
        initial=0,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=ZONE_CHOICES, initial="UTC")
    max_exposure = amount_field(
        _("Maximum exposure"),
        _("The most your live runs may hold at once, at the last prices."),
    )
    max_live_runs = forms.IntegerField(
        label=_("Maximum active live runs"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    currency = forms.CharField(
        label=_("Currency of the amounts"),
        initial="USD",
        max_length=8,
        validators=[RegexValidator(r"^[A-Za-z0-9]{2,8}$", _("A currency code such as USD."))],
        help_text=_("Live runs under these limits trade in this quote currency."),
    )
    flatten_on_breach = forms.BooleanField(
        label=_("On a drawdown or daily loss breach, close the positions"), required=False
    )
    code = forms.CharField(
        label=_("Authenticator code (only to loosen a limit)"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()
