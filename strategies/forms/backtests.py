"""The backtest form and the history's filters. The form checks shapes and bounds; what needs
the exchange or the document (market, shorts, timeframe) is the service's to refuse."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange
from strategies.forms.markets import MarketField
from strategies.models import BacktestStatus, TieRule
from strategies.selectors.backtests import exchanges_offered

TIMEFRAMES = ("1m", "5m", "15m", "30m", "1h", "4h", "1d")
DAY_MS = 86_400_000


def day_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


EXCHANGE_DATA = "exchange"
# <input type="date"> reads and writes ISO dates whatever the page's language (the browser
# shows them in the user's format): a localized value ("07/09/2026" in French) leaves it empty.
ISO_DATE = "%Y-%m-%d"


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)


class PercentField(forms.DecimalField):
    """A share typed in percent (0.4 for 0.4 %), bounded in percent, cleaned to the fraction
    the fill model takes (0.004); an initial value is a fraction too, shown in percent. The
    one place where costs cross between percent and fraction."""

    def clean(self, value) -> float | None:
        percent = super().clean(value)
        return None if percent is None else self.fraction(percent)

    @staticmethod
    def fraction(percent: Decimal) -> float:
        return float(percent / 100)

    def prepare_value(self, value):
        # Typed text (a bound form shown again) stays as typed; numbers are fractions.
        if isinstance(value, bool) or not isinstance(value, (Decimal, float, int)):
            return value
        percent = Decimal(str(value)) * 100
        if self.decimal_places is not None:
            percent = percent.quantize(Decimal(1).scaleb(-self.decimal_places))
        return f"{percent.normalize():f}"


class CostsForm(forms.Form):
    """What backtests and paper runs fill with: the capital, fee, slippage and volume share."""

    capital = forms.DecimalField(
        label=_("Starting capital"),
        min_value=Decimal("0.01"),
        max_digits=18,
        decimal_places=2,
        initial=Decimal(10000),
        help_text=_("In the quote currency (USD for BTC/USD)."),
    )
    fee = PercentField(
        label=_("Taker fee (%)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(10),
        decimal_places=4,
        help_text=_(
            "Paid on both legs. Empty: your own fee tier, as the exchange told it to your "
            "key's last passing connection test, or else its entry-tier taker fee."
        ),
    )
    slippage_bps = forms.DecimalField(
        label=_("Slippage (basis points)"),
        min_value=Decimal(0),
        max_value=Decimal(1000),
        decimal_places=2,
        initial=Decimal(0),
        help_text=_("Moves every fill against you, both legs: 10 is 0.1 %."),
    )
    max_volume_share = PercentField(
        label=_("Share of a candle's volume one order may take (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        initial=Decimal("0.1"),  # a fraction: 10 %
        help_text=_("0 turns the limit off."),
    )


class BacktestForm(CostsForm):
    field_order = (
        "strategy",
        "candles",
        "exchange",
        "symbol",
        "allows_shorts",
        "timeframe",
        "start",
        "end",
        "capital",
        "fee",
        "slippage_bps",
        "max_volume_share",
        "tie",
    )
    strategy = forms.ChoiceField(label=_("Strategy"))
    # Shown only to users who imported candles; absent means an exchange's.
    candles = forms.ChoiceField(label=_("Candles"), initial=EXCHANGE_DATA, required=False)
    exchange = forms.ModelChoiceField(
        label=_("Exchange"),
        queryset=Exchange.objects.none(),
        to_field_name="slug",
        required=False,
    )
    symbol = MarketField(required=False)
    allows_shorts = forms.BooleanField(
        label=_("This market allows selling short (futures, perpetuals, margin)"),
        required=False,
        help_text=_("Only for your imported candles: an exchange's markets say it themselves."),
    )
    timeframe = forms.ChoiceField(
        label=_("Timeframe"), choices=[(t, t) for t in TIMEFRAMES], initial="1h"
    )
    start = forms.DateField(label=_("From"), widget=date_input(), help_text=_("UTC."))
    end = forms.DateField(
        label=_("To (included)"),
        widget=date_input(),
        help_text=_("UTC. A period reaching today stops at the last closed candle."),
    )
    tie = forms.ChoiceField(
        label=_("When a stop and a take-profit are both reached in one candle"),
        choices=TieRule.choices,
        initial=TieRule.STOP_FIRST,
    )

    def __init__(self, *args, strategy_choices=(), own_series=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["strategy"].choices = list(strategy_choices)  # type: ignore[attr-defined]
        self.fields["exchange"].queryset = exchanges_offered()  # type: ignore[attr-defined]
        self.own_series = {str(series.pk): series for series in own_series}
        mine = [
            (pk, _("Your candles: %(symbol)s %(timeframe)s") % vars(series))
            for pk, series in self.own_series.items()
        ]
        self.fields["candles"].choices = [  # type: ignore[attr-defined]
            (EXCHANGE_DATA, _("An exchange's candles")),
            *mine,
        ]

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period is empty: its end must come after its start."))
        series = self.series()
        if series is None:
            for name in ("exchange", "symbol"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, forms.Field.default_error_messages["required"])
        else:
            if data.get("fee") is None:
                self.add_error("fee", _("Give the fee: your own candles come with none."))
            if data.get("timeframe") and data["timeframe"] != series.timeframe:
                message = _("Your candles are %(timeframe)s bars: choose %(timeframe)s.")
                self.add_error("timeframe", message % {"timeframe": series.timeframe})
        return data

    def series(self):
        """The user's own candle series chosen, or None for an exchange's candles."""
        return self.own_series.get(self.cleaned_data.get("candles") or EXCHANGE_DATA)

    def period_ms(self) -> tuple[int, int]:
        """[first day's 00:00 UTC, the day after the last day's 00:00 UTC)."""
        data = self.cleaned_data
        return day_ms(data["start"]), day_ms(data["end"] + timedelta(days=1))


class HistoryFilterForm(forms.Form):
    strategy = forms.CharField(label=_("Strategy"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *BacktestStatus.choices],
    )

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}
