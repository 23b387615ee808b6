"""The market field of the backtest and paper-run forms: a text input that, with JavaScript,
offers the chosen exchange's markets in a <datalist> (strategies/markets.js fills it from
the markets endpoint). Without JavaScript it is a plain text input, and the service still
resolves the exchange's own names and names close matches."""

from django import forms
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

# Stands for the exchange's slug in the endpoint's address; the script puts the slug there.
SLUG_SLOT = "exchange-slug"


def _list_id(attrs: dict | None, name: str) -> str:
    return f"{(attrs or {}).get('id') or name}_markets"


class MarketInput(forms.TextInput):
    """A text input tied to an empty <datalist> that the script fills."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = _list_id(context["widget"]["attrs"], name)
        context["widget"]["attrs"].update(
            {
                "list": list_id,
                # The browser's own suggestions (earlier entries) would hide the markets.
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "data-markets-url": reverse("strategies:markets", kwargs={"exchange": SLUG_SLOT}),
                "data-markets-slot": SLUG_SLOT,
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        html = super().render(name, value, attrs, renderer)
        list_id = _list_id(attrs, name)
        return format_html(
            '{}<datalist id="{}"></datalist><script src="{}" defer></script>',
            html,
            list_id,
            static("strategies/markets.js"),
        )


class MarketField(forms.CharField):
    """The market: ccxt's symbol or one of the exchange's own names for it."""

    widget = MarketInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Market"))
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault(
            "help_text",
            _(
                "Choose from the exchange's markets as you type, or type one: BTC/USD for "
                "spot, BTC/USD:USD for a perpetual. The exchange's own names work too "
                "(XBT/USD or XXBTZUSD on Kraken)."
            ),
        )
        super().__init__(**kwargs)
