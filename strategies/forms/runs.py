"""Starting a paper run: the strategy, the market and the fill model's costs. The form checks
shapes and bounds; the market and the document are the service's to refuse."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange
from strategies.forms.backtests import TIMEFRAMES, CostsForm
from strategies.forms.markets import MarketField
from strategies.selectors.backtests import exchanges_offered


class PaperRunForm(CostsForm):
    field_order = (
        "strategy",
        "exchange",
        "symbol",
        "timeframe",
        "capital",
        "fee",
        "slippage_bps",
        "max_volume_share",
    )
    strategy = forms.ChoiceField(label=_("Strategy"))
    exchange = forms.ModelChoiceField(
        label=_("Exchange"), queryset=Exchange.objects.none(), to_field_name="slug"
    )
    symbol = MarketField()
    timeframe = forms.ChoiceField(
        label=_("Timeframe"), choices=[(t, t) for t in TIMEFRAMES], initial="1h"
    )

    def __init__(self, *args, strategy_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["strategy"].choices = list(strategy_choices)  # type: ignore[attr-defined]
        self.fields["exchange"].queryset = exchanges_offered()  # type: ignore[attr-defined]
        # A paper run should cost what a live one would: some slippage by default.
        self.fields["slippage_bps"].initial = Decimal(5)


class GoLiveForm(forms.Form):
    """Going live from a paper run: the key, the money the run may use, the cap on one order,
    the risk notice and a fresh code. The gates are the service's to check."""

    key = forms.ChoiceField(
        label=_("Exchange key"),
        help_text=_(
            "Only keys fit for trading are offered: a green connection test in the last 24 "
            "hours, and no permission to withdraw."
        ),
    )
    capital = forms.DecimalField(
        label=_("Capital the run may use"),
        min_value=Decimal("0.01"),
        max_digits=18,
        decimal_places=2,
        help_text=_("In the quote currency; the strategy's sizing applies to it, never more."),
    )
    notional_cap = forms.DecimalField(
        label=_("Most one order may be worth"),
        min_value=Decimal("0.01"),
        max_digits=18,
        decimal_places=2,
        help_text=_("In the quote currency: an order above it is made smaller."),
    )
    accept = forms.BooleanField(
        label=_("I have read the risk notice and my risk limits, and accept them"), required=False
    )
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        # The service checks (and uses up) the code only once everything else passes.
        help_text=_(
            "Checked last, once everything else is in order. If something else is refused, "
            "your code is not checked: type a fresh one when you send the form again."
        ),
    )

    def __init__(self, *args, keys=(), left_out=(), **kwargs) -> None:
        """`keys`: those fit for trading, offered; `left_out`: (key, gate saying why) of the
        others (live_start.key_choice)."""
        super().__init__(*args, **kwargs)
        self.keys = {str(key.pk): key for key in keys}
        self.left_out = {str(key.pk): (key, gate.missing) for key, gate in left_out}
        offered = [("", _("Choose a key")), *((pk, key.label) for pk, key in self.keys.items())]
        field = self.fields["key"]
        # A key left out is a valid value, refused by clean_key with its reason (a page opened
        # before its test turned red), but the select offers only the keys fit for trading.
        field.choices = [  # type: ignore[attr-defined]
            *offered,
            *((pk, key.label) for pk, (key, _why) in self.left_out.items()),
        ]
        field.widget.choices = offered
        field.required = False
        if self.left_out:  # the page lists them under the field, each with why
            described = f"{self['key'].auto_id}_helptext {self['key'].auto_id}_left_out"
            field.widget.attrs["aria-describedby"] = described

    def clean_key(self) -> str:
        chosen = self.cleaned_data.get("key") or ""
        if chosen in self.left_out:
            raise forms.ValidationError(self.left_out[chosen][1])
        return chosen

    def chosen_key(self):
        """The key sent (offered or left out, so the gates can say why), or else the one
        preselected on a page not sent yet."""
        chosen = self.data.get("key", "") if self.is_bound else self.initial.get("key", "")
        return self.keys.get(chosen) or self.left_out.get(chosen, (None, ""))[0]
