"""The study form, generated from a backtest's document: each number the study may vary (its
indicators' numeric parameters, the risk's levels), with a box to vary it and its range and
step; the objective; the folds. Risk levels are typed in percent, as on the parameters form.
What the space as a whole allows (its size, its constraints) is the service's to refuse."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from strategies.engine.study.objective import OBJECTIVES
from strategies.engine.study.space import RISK_FIELDS
from strategies.engine.study.tpe import TPE
from strategies.forms.parameters import parameter_label
from strategies.indicators import get as indicator_spec
from strategies.models.studies import StudyMethod
from strategies.rules import Document
from strategies.rules.sentences import indicator_label

OBJECTIVE_CHOICES = dict(
    zip(
        OBJECTIVES,
        (
            _("Sharpe ratio"),
            _("Sortino ratio"),
            _("Calmar ratio"),
            _("Profit factor"),
            _("Total return, within a drawdown limit"),
        ),
        strict=True,
    )
)
RISK_LABELS = {
    "stop_loss_pct": _("Stop-loss (percent of the entry price)"),
    "take_profit_pct": _("Take-profit (percent of the entry price)"),
    "take_profit_r": _("Take-profit in R (times the distance to the initial stop)"),
    "trailing_stop_pct": _("Trailing stop (percent behind the best price since entry)"),
    "cooldown_bars": _("Cooldown, in bars"),
}
STEPS = 4  # the range offered at first: the value halved to doubled, in four steps
SEED_MAX = 2**31 - 1
# TPE's own cost grows with the square of its trials: 300 a fold stay within seconds of it.
MAX_TRIALS = 300
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Number:
    """A number of the document a study may vary, as the form offers it."""

    path: str
    label: str
    integer: bool
    percent: bool  # a risk level: typed in percent, a fraction in the document
    value: float  # the document's, as typed


def variable_numbers(document: Document) -> list[Number]:
    """The indicators' numeric parameters, then the risk's levels, in the document's order."""
    numbers = []
    for alias, declared in document.indicators.items():
        spec = indicator_spec(declared.kind)
        params = spec.with_defaults(declared.params)
        shown = indicator_label(spec, params)
        for param in spec.params:
            if param.kind in (int, float):
                label = f"{alias}: {shown}, {parameter_label(param.name)}"
                numbers.append(
                    (f"{alias}.{param.name}", label, param.kind is int, False, params[param.name])
                )
    risk = document.risk
    for name, (integer, _low, _high) in RISK_FIELDS.items():
        value = getattr(risk, name, None)
        if value is None:
            continue  # a level the document does not set: nothing to vary around
        percent = name.endswith("_pct")
        numbers.append(
            (
                f"risk.{name}",
                str(RISK_LABELS[name]),
                integer,
                percent,
                value * (100 if percent else 1),
            )
        )
    return [Number(*row) for row in numbers]


class StudyForm(forms.Form):
    objective = forms.ChoiceField(
        label=_("Choose each fold's parameters by"), choices=OBJECTIVE_CHOICES.items()
    )
    drawdown_limit = forms.DecimalField(
        label=_("Drawdown limit (percent)"),
        help_text=_("With the total return: parameters whose fall went deeper are never chosen."),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal(100),
    )
    constraints = forms.CharField(
        label=_("Constraints, one a line"),
        help_text=_("Between two numbers varied, such as “ema_fast.period < ema_slow.period”."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    method = forms.ChoiceField(
        label=_("Search"),
        choices=StudyMethod.choices,
        initial=StudyMethod.GRID,
        help_text=_(
            "TPE tries the combinations that look most promising given those tried so far: for "
            "a space too large to try whole."
        ),
    )
    trials = forms.IntegerField(
        label=_("Trials a fold (TPE)"),
        initial=50,
        min_value=5,
        max_value=MAX_TRIALS,
        required=False,
    )
    seed = forms.IntegerField(
        label=_("Seed (TPE)"),
        help_text=_("Leave it empty to draw one. The same seed repeats a study exactly."),
        min_value=0,
        max_value=SEED_MAX,
        required=False,
    )
    in_sample_days = forms.IntegerField(
        label=_("Days to choose on (in-sample)"), initial=60, min_value=1, max_value=3650
    )
    out_of_sample_days = forms.IntegerField(
        label=_("Days to trade on (out-of-sample)"), initial=30, min_value=1, max_value=3650
    )
    anchored = forms.BooleanField(
        label=_("Anchored: each fold chooses on everything since the start"),
        required=False,
    )

    def __init__(self, data: Any = None, *, document: Document) -> None:
        super().__init__(data)
        self.numbers = variable_numbers(document)
        for number in self.numbers:
            low, high, step = _first_range(number)
            kind: type[forms.Field] = forms.IntegerField if number.integer else forms.DecimalField
            self.fields[f"vary__{number.path}"] = forms.BooleanField(
                label=number.label, required=False
            )
            for part, initial, text in (
                ("low", low, _("From")),
                ("high", high, _("to")),
                ("step", step, _("by")),
            ):
                self.fields[f"{part}__{number.path}"] = kind(
                    label=text, initial=initial, required=False
                )

    def rows(self) -> list[tuple[Number, list[forms.BoundField]]]:
        return [
            (number, [self[f"{part}__{number.path}"] for part in ("vary", "low", "high", "step")])
            for number in self.numbers
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        dimensions = []
        for number in self.numbers:
            if not data.get(f"vary__{number.path}"):
                continue
            bounds = [data.get(f"{part}__{number.path}") for part in ("low", "high", "step")]
            if any(value is None for value in bounds):
                self.add_error(
                    f"low__{number.path}", _("Give the range and the step of a number you vary.")
                )
                continue
            scale = HUNDRED if number.percent else 1
            low, high, step = (float(Decimal(str(value)) / scale) for value in bounds)
            dimensions.append({"path": number.path, "low": low, "high": high, "step": step})
        if not dimensions and not self.errors:
            raise ValidationError(_("Tick at least one number to vary."))
        if data.get("objective") == "return" and data.get("drawdown_limit") is None:
            self.add_error(
                "drawdown_limit", _("The total return is chosen within a drawdown limit: give one.")
            )
        if data.get("method") == TPE:
            if data.get("trials") is None and "trials" not in self.errors:
                self.add_error("trials", _("Say how many combinations each fold tries."))
        else:  # a grid tries every combination: what was typed for TPE is not used
            for name in ("trials", "seed"):
                self.errors.pop(name, None)
                data[name] = None
        data["dimensions"] = dimensions
        limit = data.get("drawdown_limit")
        data["drawdown_limit"] = None if limit is None else float(limit / HUNDRED)
        data["constraints"] = [
            line.strip() for line in data.get("constraints", "").splitlines() if line.strip()
        ]
        return data


def _first_range(number: Number) -> tuple[Any, Any, Any]:
    """The value halved to doubled, in STEPS steps (whole numbers for a whole parameter)."""
    if number.integer:
        low, high = max(1, round(number.value / 2)), max(2, round(number.value * 2))
        return low, high, max(1, round((high - low) / STEPS))
    value = Decimal(str(number.value))
    return _plain(value / 2), _plain(value * 2), _plain(value * 3 / 2 / STEPS)


def _plain(value: Decimal) -> str:
    """Four decimals at most, without trailing zeros nor an exponent (20, not 2E+1)."""
    return format(value.quantize(Decimal("0.0001")).normalize(), "f")


class KeepChosenForm(forms.Form):
    """Which of the sets of numbers a study's folds chose to save as a new version."""

    chosen = forms.TypedChoiceField(
        label=_("The numbers to keep"), coerce=int, widget=forms.RadioSelect, initial=0
    )

    def __init__(self, data: Any = None, *, sets: list, choices: list[tuple[int, str]]) -> None:
        """`sets`: the study's chosen sets (selectors.studies.chosen_sets), `choices` their
        labels, in the same order."""
        super().__init__(data)
        self.sets = sets
        self.fields["chosen"].choices = choices  # type: ignore[attr-defined]

    @property
    def kept(self) -> Any:
        """The set chosen (once the form is valid)."""
        return self.sets[self.cleaned_data["chosen"]]
