"""The parameters form, generated from the indicator registry for one document.

One field per parameter of each declared indicator (named by its path in the document,
"indicators.<alias>.<param>", so the grammar's problems land on their field), then the risk
and sizing fields. Risk levels and the equity share are typed as percentages (5 means 5%)
and stored as the document's fractions (0.05).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from strategies import rules
from strategies.indicators import IndicatorSpec, Param
from strategies.indicators import get as indicator_spec
from strategies.rules import Document, Problem
from strategies.rules.limits import MAX_COOLDOWN_BARS, MAX_R_MULTIPLE
from strategies.rules.sentences import indicator_label

HUNDRED = Decimal(100)
PERCENT_OPEN = _("Enter a percentage above 0 and below 100, or leave it empty.")
PERCENT_UP_TO_100 = _("Enter a percentage above 0, up to 100.")
AMOUNT_POSITIVE = _("Enter an amount above 0.")
R_MULTIPLE_RANGE = _("Enter a number above 0, up to %(maximum)s, or leave it empty.")
NEEDED_FOR_SIZING = _("Fill this in for the position size you picked.")
WHOLE_RANGE = _("A whole number from %(minimum)s to %(maximum)s.")
NUMBER_RANGE = _("A number from %(minimum)s to %(maximum)s.")
LEGEND = _("%(alias)s: %(label)s (%(title)s)")
LEGEND_TIMEFRAME = _("%(alias)s: %(label)s (%(title)s), on the %(timeframe)s chart")

# What each registry parameter is called on the form, next to its name in the document (which
# stays English: it is the document's key). tests/strategies checks that none is missing.
PARAMETER_LABEL = _("%(label)s (%(name)s)")
PARAMETER_NAMES = {
    "atr_period": _("ATR period"),
    "band": _("Equilibrium band"),
    "cci_period": _("CCI period"),
    "d_period": _("D period"),
    "fast": _("Fast period"),
    "k_period": _("K period"),
    "k_smoothing": _("K smoothing"),
    "left": _("Bars on the left"),
    "multiplier": _("Multiplier"),
    "period": _("Period"),
    "right": _("Bars on the right"),
    "signal": _("Signal period"),
    "slope_lookback": _("Bars back for the slope"),
    "slow": _("Slow period"),
    "source": _("Source"),
    "stddev": _("Standard deviations"),
}

EQUITY_FRACTION, FIXED_QUOTE, RISK_PER_TRADE = "equity_fraction", "fixed_quote", "risk_per_trade"
RISK_PERCENTS = ("stop_loss_pct", "take_profit_pct", "trailing_stop_pct")
# The field each sizing kind needs, beside the kind.
SIZING_FIELDS = {EQUITY_FRACTION: "fraction", FIXED_QUOTE: "amount", RISK_PER_TRADE: "risk_pct"}


def _percent_open(value: Decimal | None) -> None:
    if value is not None and not 0 < value < HUNDRED:
        raise ValidationError(PERCENT_OPEN)


def _percent_up_to_100(value: Decimal | None) -> None:
    if value is not None and not 0 < value <= HUNDRED:
        raise ValidationError(PERCENT_UP_TO_100)


def _r_multiple(value: Decimal | None) -> None:
    if value is not None and not 0 < value <= MAX_R_MULTIPLE:
        raise ValidationError(R_MULTIPLE_RANGE % {"maximum": MAX_R_MULTIPLE})


def _positive(value: Decimal | None) -> None:
    if value is not None and value <= 0:
        raise ValidationError(AMOUNT_POSITIVE)


def as_percent(fraction: float | None) -> str | None:
    """0.05 -> "5", 0.125 -> "12.5": a stored fraction as the percentage a user types."""
    if fraction is None:
        return None
    return format((Decimal(repr(fraction)) * HUNDRED).normalize(), "f")


def as_fraction(percent: Decimal | None) -> float | None:
    """Decimal("5") -> 0.05: decimal arithmetic, so no float noise reaches the document."""
    return None if percent is None else float(percent / HUNDRED)


def _bounds_help(param: Param) -> str:
    if param.minimum is None or param.maximum is None or param.kind not in (int, float):
        return ""
    template = WHOLE_RANGE if param.kind is int else NUMBER_RANGE
    return str(template % {"minimum": param.minimum, "maximum": param.maximum})


def parameter_label(name: str) -> str:
    """ "Période (period)": the parameter in the reader's words, then its document key."""
    known = PARAMETER_NAMES.get(name)
    return name if known is None else str(PARAMETER_LABEL % {"label": known, "name": name})


def parameter_field(param: Param, initial: Any) -> forms.Field:
    """A typed field for one registry parameter, with its bounds, choices and help."""
    help_text = " ".join(part for part in (str(param.help), _bounds_help(param)) if part)
    common: dict[str, Any] = {
        "label": parameter_label(param.name),
        "help_text": help_text,
        "initial": initial,
    }
    if param.choices:
        return forms.ChoiceField(choices=[(c, c) for c in param.choices], **common)
    if param.kind is int:
        low, high = param.minimum, param.maximum
        return forms.IntegerField(
            min_value=None if low is None else int(low),
            max_value=None if high is None else int(high),
            **common,
        )
    if param.kind is float:
        return forms.FloatField(min_value=param.minimum, max_value=param.maximum, **common)
    return forms.CharField(**common)


@dataclass(frozen=True)
class IndicatorGroup:
    """One declared indicator's fields, shown as a fieldset."""

    alias: str
    spec: IndicatorSpec
    legend: str
    field_names: tuple[str, ...]


def _legend(alias: str, spec: IndicatorSpec, params: dict[str, Any], timeframe: str | None) -> str:
    values = {
        "alias": alias,
        "label": indicator_label(spec, spec.with_defaults(params)),
        "title": spec.title,
        "timeframe": timeframe,
    }
    return str((LEGEND_TIMEFRAME if timeframe else LEGEND) % values)


class ParametersForm(forms.Form):
    """Every value of a document that can change without changing its rules."""

    def __init__(self, data: Any = None, *, document: Document) -> None:
        super().__init__(data)
        self.document = document
        self.groups: list[IndicatorGroup] = []
        for alias, indicator in document.indicators.items():
            spec = indicator_spec(indicator.kind)
            names = []
            for param in spec.params:
                name = f"indicators.{alias}.{param.name}"
                initial = indicator.params.get(param.name, param.default)
                self.fields[name] = parameter_field(param, initial)
                names.append(name)
            legend = _legend(alias, spec, indicator.params, indicator.timeframe)
            self.groups.append(IndicatorGroup(alias, spec, legend, tuple(names)))
        self._add_risk_fields()
        self._add_sizing_fields()

    def _add_risk_fields(self) -> None:
        risk = self.document.risk
        # No digit limits: the form accepts every value the grammar does.
        percent: dict[str, Any] = {"required": False, "validators": [_percent_open]}
        self.fields["risk.stop_loss_pct"] = forms.DecimalField(
            label=_("Stop-loss (percent of the entry price)"),
            help_text=_(
                "For example, 5 closes a long position 5 percent below its entry price. "
                "Leave it empty for no stop-loss."
            ),
            initial=as_percent(risk.stop_loss_pct),
            **percent,
        )
        self.fields["risk.take_profit_pct"] = forms.DecimalField(
            label=_("Take-profit (percent of the entry price)"),
            help_text=_(
                "For example, 10 closes a long position 10 percent above its entry price. "
                "Leave it empty for no take-profit."
            ),
            initial=as_percent(risk.take_profit_pct),
            **percent,
        )
        self.fields["risk.take_profit_r"] = forms.DecimalField(
            label=_("Take-profit in R (times the distance to the initial stop)"),
            help_text=_(
                "For example, 2 with a 3 percent stop-loss closes a long position 6 percent "
                "above its entry price. Use it or the take-profit percent, not both."
            ),
            required=False,
            validators=[_r_multiple],
            initial=risk.take_profit_r,
        )
        self.fields["risk.trailing_stop_pct"] = forms.DecimalField(
            label=_("Trailing stop (percent behind the best price since entry)"),
            help_text=_(
                "For example, 8 closes a long position 8 percent below its highest price since "
                "entry. Leave it empty for no trailing stop."
            ),
            initial=as_percent(risk.trailing_stop_pct),
            **percent,
        )
        self.fields["risk.cooldown_bars"] = forms.IntegerField(
            label=_("Cooldown, in bars"),
            help_text=_("Bars to wait after a position closes before the next entry."),
            min_value=0,
            max_value=MAX_COOLDOWN_BARS,
            initial=risk.cooldown_bars,
        )

    def _add_sizing_fields(self) -> None:
        sizing = self.document.sizing
        fraction = getattr(sizing, "fraction", None)
        self.fields["sizing.kind"] = forms.ChoiceField(
            label=_("Position size"),
            choices=[
                (EQUITY_FRACTION, _("A share of the equity")),
                (FIXED_QUOTE, _("A fixed amount of the quote currency")),
                (RISK_PER_TRADE, _("What a trade risks: a share of the equity lost at its stop")),
            ],
            initial=sizing.kind,
        )
        self.fields["sizing.fraction"] = forms.DecimalField(
            label=_("Share of the equity per entry (percent)"),
            help_text=_("100 commits all of the equity to each entry."),
            required=False,
            validators=[_percent_up_to_100],
            initial=as_percent(fraction) if fraction is not None else "100",
        )
        self.fields["sizing.amount"] = forms.DecimalField(
            label=_("Amount per entry, in the quote currency"),
            help_text=_("250 on BTC/USDT buys 250 USDT worth of BTC."),
            required=False,
            validators=[_positive],
            initial=getattr(sizing, "amount", None),
        )
        self.fields["sizing.risk_pct"] = forms.DecimalField(
            label=_("Risk per trade (percent of the equity lost at the initial stop)"),
            help_text=_("1 with a 4 percent stop-loss commits 25 percent of the equity."),
            required=False,
            validators=[_percent_open],
            initial=as_percent(getattr(sizing, "risk_pct", None)),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        needed = f"sizing.{SIZING_FIELDS.get(cleaned.get('sizing.kind', ''), 'fraction')}"
        if needed not in self.errors and cleaned.get(needed) is None:
            self.add_error(needed, NEEDED_FOR_SIZING)
        return cleaned

    def indicator_fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(legend, bound fields) per declared indicator, in the document's order."""
        return [(group.legend, [self[name] for name in group.field_names]) for group in self.groups]

    def risk_fields(self) -> list[forms.BoundField]:
        names = ("stop_loss_pct", "take_profit_pct", "take_profit_r", "trailing_stop_pct")
        return [self[f"risk.{name}"] for name in (*names, "cooldown_bars")]

    def sizing_fields(self) -> list[forms.BoundField]:
        return [self[f"sizing.{name}"] for name in ("kind", "fraction", "amount", "risk_pct")]

    def document_data(self) -> dict[str, Any]:
        """The document's data with the typed values in place; everything else unchanged."""
        data: dict[str, Any] = yaml.safe_load(rules.dump(self.document))
        values = self.cleaned_data
        for group in self.groups:
            for name in group.field_names:
                data["indicators"][group.alias][name.rsplit(".", 1)[1]] = values[name]
        anchor = data["risk"].get("stop_anchor")  # not on the form: kept as it is
        data["risk"] = {key: as_fraction(values[f"risk.{key}"]) for key in RISK_PERCENTS}
        if anchor is not None:
            data["risk"]["stop_anchor"] = anchor
        data["risk"]["cooldown_bars"] = values["risk.cooldown_bars"]
        if values["risk.take_profit_r"] is not None:
            data["risk"]["take_profit_r"] = float(values["risk.take_profit_r"])
        if values["sizing.kind"] == FIXED_QUOTE:
            data["sizing"] = {"kind": FIXED_QUOTE, "amount": float(values["sizing.amount"])}
        elif values["sizing.kind"] == RISK_PER_TRADE:
            risk_pct = as_fraction(values["sizing.risk_pct"])
            data["sizing"] = {"kind": RISK_PER_TRADE, "risk_pct": risk_pct}
        else:
            fraction = as_fraction(values["sizing.fraction"])
            data["sizing"] = {"kind": EQUITY_FRACTION, "fraction": fraction}
        return data

    def add_problems(self, problems: Sequence[Problem]) -> None:
        """The grammar's problems, each next to its field (or the indicator's first field)."""
        for problem in problems:
            name = self._field_of(problem.path)
            self.add_error(name, str(problem.message) if name else str(problem))

    def _field_of(self, path: str) -> str | None:
        if path in self.fields:
            return path
        for group in self.groups:
            prefix = f"indicators.{group.alias}"
            if (path == prefix or path.startswith(f"{prefix}.")) and group.field_names:
                return group.field_names[0]
        return None
