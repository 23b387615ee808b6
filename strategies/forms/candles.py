"""The form that imports a user's own candles from a CSV file. The file's content is the
service's to refuse (every problem with its line); the form checks the fields' shapes."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from strategies.candles_csv import TOO_BIG

# ccxt's spellings that the candle store reads (strategies.series.timeframe_ms).
TIMEFRAMES = ("1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w")
# ccxt's unified symbols: BASE/QUOTE for spot, BASE/QUOTE:SETTLE for perpetual swaps; dated
# futures and options (BTC/USD:BTC-240628) are not accepted. The case is kept as typed (ccxt
# has bases such as kPEPE), so BTC/USD and btc/usd are two series.
SYMBOL = re.compile(r"[A-Za-z0-9]+/[A-Za-z0-9]+(?::[A-Za-z0-9]+)?")
BAD_SYMBOL = _(
    "Write the market as BASE/QUOTE in letters and digits, as ccxt spells it: BTC/USD for "
    "spot, BTC/USDT:USDT (BASE/QUOTE:SETTLE) for a perpetual."
)


class CandleImportForm(forms.Form):
    """Symbol, optional timeframe and the file; `too_large_mb` is set when the upload was
    stopped at that limit, and the file field says so."""

    symbol = forms.CharField(
        label=_("Market"),
        max_length=60,
        help_text=_(
            "BASE/QUOTE as ccxt spells it, e.g. BTC/USD (BTC/USDT:USDT for a perpetual). "
            "Importing again into it adds the bars."
        ),
    )
    timeframe = forms.ChoiceField(
        label=_("Timeframe"),
        required=False,
        choices=[("", _("Guess from the file")), *((t, t) for t in TIMEFRAMES)],
        help_text=_("By default, the shortest step between two timestamps of the file."),
    )
    file = forms.FileField(
        label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})
    )

    def __init__(self, *args: object, too_large_mb: int | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.too_large_mb = too_large_mb

    def clean_symbol(self) -> str:
        symbol: str = self.cleaned_data["symbol"]  # stripped by the field
        if not SYMBOL.fullmatch(symbol):
            raise forms.ValidationError(BAD_SYMBOL, code="symbol")
        return symbol

    def full_clean(self) -> None:
        super().full_clean()
        # A stopped upload has no file: the "required" error would hide the real reason.
        if self.too_large_mb is not None and self.is_bound:
            self.errors["file"] = self.error_class([TOO_BIG % {"limit": self.too_large_mb}])
            if hasattr(self, "cleaned_data"):
                self.cleaned_data.pop("file", None)
