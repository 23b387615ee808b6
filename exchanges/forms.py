from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from exchanges import selectors, validation
from exchanges.credentials import Credentials
from exchanges.models import Exchange, ExchangeKey

LABEL_TAKEN = _("You already have a key with this label.")


def duplicate_key_error(label: str) -> forms.ValidationError:
    return forms.ValidationError(
        _(
            "You already saved this API key, as %(label)s. Two programs using one key clash on "
            "its nonces: create another key on the exchange for this one."
        ),
        code="duplicate",
        params={"label": label},
    )


# ccxt's name for each credential -> our form field.
CCXT_FIELDS = {"apiKey": "api_key", "secret": "secret", "password": "passphrase", "uid": "uid"}


# The exchanges' own names for what our form calls "API key" and "Secret", as their guides
# write them: the form says both, so the words match the ones the user copies from.
EXCHANGE_NAMES: dict[str, dict[str, str]] = {
    "kraken": {"secret": "Private Key"},
    "krakenfutures": {"api_key": "Public Key", "secret": "Private Key"},
    "binance": {"secret": "Secret Key"},
    "binanceusdm": {"secret": "Secret Key"},
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

    label = forms.CharField(label=_("Label"), max_length=50)
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
        # The optional date last: what the exchange's page shows is pasted first.
        self.fields["expires_on"] = self.fields.pop("expires_on")
        if key is not None:  # rotation: same label, same expiry field
            del self.fields["label"]
        else:
            # The example fits this exchange (kraken-futures on Kraken Futures): the label
            # the page suggests, or else the exchange's own short name.
            example = self.initial.get("label") or exchange.slug
            self.fields["label"].help_text = _("Your name for this key, e.g. %(example)s.") % {
                "example": example
            }

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        try:
            # Before any other check: a swapped pair breaks them all, for a simpler reason.
            if isinstance(cleaned.get("api_key"), str) and isinstance(cleaned.get("secret"), str):
                validation.check_not_swapped(
                    self.exchange.ccxt_id, cleaned["api_key"].strip(), cleaned["secret"].strip()
                )
        except forms.ValidationError as error:
            self.add_error("api_key", error)
            return cleaned
        pasted = self._clean_pasted(cleaned)
        for name, value in pasted.items():
            try:
                validation.check_shape(self.exchange.ccxt_id, name, value)
            except forms.ValidationError as error:
                self.add_error(name, error)
        if "api_key" in pasted and "api_key" not in self.errors:
            self._refuse_a_key_saved_already(pasted["api_key"])
        return cleaned

    def _refuse_a_key_saved_already(self, api_key: str) -> None:
        same = selectors.key_with_api_key(self.user, api_key, other_than=self.key)
        if same is not None:
            self.add_error("api_key", duplicate_key_error(same.label))

    def _clean_pasted(self, cleaned: dict) -> dict[str, str]:
        """Each credential without surrounding blanks, or its error; the clean ones by name."""
        pasted: dict[str, str] = {}
        for name in CCXT_FIELDS.values():
            if name not in self.fields or name not in cleaned:
                continue
            try:
                value, stripped = validation.clean_credential(
                    cleaned[name],
                    multiline=validation.multiline_allowed(self.exchange.ccxt_id, name),
                )
            except forms.ValidationError as error:
                self.add_error(name, error)
                continue
            cleaned[name] = pasted[name] = value
            if stripped:
                self.stripped.append(str(validation.CREDENTIAL_LABELS[name]))
        return pasted

    def clean_expires_on(self) -> date | None:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is not None and expires_on < timezone.localdate():
            raise forms.ValidationError(
                _(
                    "This date is in the past: a key that has expired no longer works. Create a "
                    "new key on the exchange, or leave the date empty if it does not expire."
                ),
                code="past",
            )
        return expires_on

    def clean_label(self) -> str:
        label = self.cleaned_data["label"].strip()
        if ExchangeKey.objects.owned_by(self.user).filter(label=label).exists():
            raise forms.ValidationError(LABEL_TAKEN)
        return label

    def add_conflict(self, field: str, label: str) -> None:
        """What the service found taken meanwhile (services.KeyConflict), as this form says it."""
        self.add_error(field, LABEL_TAKEN if field == "label" else duplicate_key_error(label))

    def credentials(self) -> Credentials:
        data = self.cleaned_data
        return Credentials(
            api_key=data["api_key"],
            secret=data["secret"],
            passphrase=data.get("passphrase"),
            uid=data.get("uid"),
        )
