from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from exchanges import validation
from exchanges.credentials import Credentials
from exchanges.models import Exchange, ExchangeKey

# ccxt's name for each credential -> our form field.
CCXT_FIELDS = {"apiKey": "api_key", "secret": "secret", "password": "passphrase", "uid": "uid"}


# The exchanges' own names for what our form calls "API key" and "Secret", as their guides
# write them: the form says both, so the words match the ones the user copies from.
EXCHANGE_NAMES: dict[str, dict[str, str]] = {
    "kraken": {"secret": "Private Key"},
    "krakenfutures": {"api_key": "Public Key", "secret": "Private Key"},
    "binance": {"secret": "Secret Key"},
    "bitfinex": {"secret": "API Key Secret"},
    "bitget": {"secret": "Secret Key"},
    "bybit": {"secret": "API Secret"},
    "coinbase": {"api_key": "API key name", "secret": "Private key"},
    "okx": {"secret": "Secret key"},
}
_NO_AUTOFILL = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}


class _UnechoedTextInput(forms.TextInput):
    """Shown as typed (an API key is read back against the exchange's page), never rendered
    back after an error, like the secret."""

    def format_value(self, value: object) -> None:
        return None


def _credential_input(name: str) -> forms.Widget:
    # Neither is offered by the browser's autofill; only the secret is masked.
    if name == "api_key":
        return _UnechoedTextInput(attrs=_NO_AUTOFILL)
    return forms.PasswordInput(render_value=False, attrs=_NO_AUTOFILL)


def credential_label(exchange: Exchange, name: str) -> str:
    """Our label for a credential, with the exchange's own name for it when that differs."""
    ours = str(validation.CREDENTIAL_LABELS[name])
    theirs = EXCHANGE_NAMES.get(exchange.ccxt_id, {}).get(name, "")
    if not theirs or theirs.casefold() == ours.casefold():
        return ours
    return _("%(ours)s (%(exchange)s calls it %(theirs)s)") % {
        "ours": ours,
        "exchange": exchange.name,
        "theirs": theirs,
    }


class ExchangeKeyForm(forms.Form):
    """The credentials `exchange` issues, checked; plus a label when the key is new."""

    label = forms.CharField(
        label=_("Label"),
        max_length=50,
        help_text=_("Your name for this key, e.g. kraken-spot."),
    )
    expires_on = forms.DateField(
        label=_("Expires on (optional)"),
        required=False,
        help_text=_("If you set an expiry date on the exchange, give it here: we remind you."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self, *args, exchange: Exchange, user: User, key: ExchangeKey | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.exchange, self.user, self.key = exchange, user, key
        self.stripped: list[str] = []
        for ccxt_name in exchange.credentials:
            name = CCXT_FIELDS.get(ccxt_name)
            if name:
                self.fields[name] = forms.CharField(
                    label=credential_label(exchange, name),
                    # No max_length here: validation gives an over-long paste its own message,
                    # and Django's request size limit bounds what reaches us.
                    strip=False,
                    widget=_credential_input(name),
                )
        if key is not None:  # rotation: same label, same expiry field
            del self.fields["label"]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        for name in CCXT_FIELDS.values():
            if name not in self.fields or name not in cleaned:
                continue
            try:
                value, stripped = validation.clean_credential(
                    cleaned[name],
                    multiline=validation.multiline_allowed(self.exchange.ccxt_id, name),
                )
                validation.check_shape(self.exchange.ccxt_id, name, value)
            except forms.ValidationError as error:
                self.add_error(name, error)
                continue
            cleaned[name] = value
            if stripped:
                self.stripped.append(str(validation.CREDENTIAL_LABELS[name]))
        return cleaned

    def clean_label(self) -> str:
        label = self.cleaned_data["label"].strip()
        if ExchangeKey.objects.owned_by(self.user).filter(label=label).exists():
            raise forms.ValidationError(_("You already have a key with this label."))
        return label

    def credentials(self) -> Credentials:
        data = self.cleaned_data
        return Credentials(
            api_key=data["api_key"],
            secret=data["secret"],
            passphrase=data.get("passphrase"),
            uid=data.get("uid"),
        )
