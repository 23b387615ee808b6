"""Starting a paper run: the strategy, the market and the fill model's costs. The form checks
shapes and bounds; the market and the document are the service's to refuse."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange
from strategies.forms.backtests import TIMEFRAMES, CostsForm
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
    symbol = forms.CharField(
        label=_("Market"),
        max_length=60,
        help_text=_("As ccxt spells it: BTC/USD for spot, BTC/USD:USD for a perpetual."),
    )
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

    key = forms.ChoiceField(label=_("Exchange key"))
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
        label=_("I have read the risk notice and accept it"), required=False
    )
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, keys=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.keys = {str(key.pk): key for key in keys}
        self.fields["key"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a key")),
            *((pk, key.label) for pk, key in self.keys.items()),
        ]
        self.fields["key"].required = False

    def chosen_key(self):
        return self.keys.get(self.data.get("key") or self.initial.get("key") or "")
