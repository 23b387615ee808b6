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
