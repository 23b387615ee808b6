"""A study as its page shows it: the verdict with its score's parts, each fold's windows, choice
and returns, the stitched out-of-sample equity for the chart, and the failure in words."""

from dataclasses import dataclass

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from strategies.engine.study.robustness import (
    CURVE_FIT_BELOW,
    MIN_CONSISTENCY,
    MIN_FOLDS,
    ROBUST_ABOVE,
    WORST_FOLD,
)
from strategies.models import Study
from strategies.selectors.studies import ChosenSet
from strategies.services.study_errors import error_message
from strategies.services.study_versions import Kept
from strategies.views.backtest_display import equity_chart, percent, rounded, when

VERDICTS = {
    "robust": _("Robust: paper-trade it."),
    "uncertain": _("Uncertain: neither clearly robust nor clearly curve-fit."),
    "curve_fit": _("Curve-fit: its backtest owes more to its parameters than to the market."),
}
# Formatted when shown, in the reader's language.
DOUBTS = {
    "few_folds": (_("fewer than %(folds)s folds"), {"folds": MIN_FOLDS}),
    "inconsistent": (_("half its folds or fewer made money out of sample"), {}),
    "deep_fold": (
        _("a fold lost more than %(loss)s %% out of sample"),
        {"loss": int(-WORST_FOLD * 100)},
    ),
}


def thresholds() -> dict[str, object]:
    """The verdict's thresholds as the page states them."""
    return {
        "robust": rounded(ROBUST_ABOVE, 1),
        "curve_fit": rounded(CURVE_FIT_BELOW, 1),
        "folds": MIN_FOLDS,
        "consistency": rounded(MIN_CONSISTENCY, 1),
        "loss": int(-WORST_FOLD * 100),
    }


@dataclass(frozen=True)
class FoldRow:
    number: int
    chosen_from: object  # datetimes
    chosen_to: object
    traded_from: object
    traded_to: object
    parameters: str  # "ema_fast.period 12, ema_slow.period 40", or a dash
    in_sample: str
    out_of_sample: str
    trials: int | None  # the combinations the fold's search tried (kept since TPE)


def fold_rows(study: Study) -> list[FoldRow]:
    rows = []
    for fold in (study.result or {}).get("folds", []):
        chosen = fold["parameters"]
        rows.append(
            FoldRow(
                number=fold["number"],
                chosen_from=when(fold["in_sample"][0]),
                chosen_to=when(fold["in_sample"][1]),
                traded_from=when(fold["out_of_sample"][0]),
                traded_to=when(fold["out_of_sample"][1]),
                parameters=_parameters(study, chosen) if chosen else "—",
                in_sample=f"{percent(fold['in_sample_return'])} %" if chosen else "—",
                out_of_sample=f"{percent(fold['out_of_sample_return'])} %",
                trials=fold.get("trials"),
            )
        )
    return rows


def _parameters(study: Study, chosen: dict) -> str:
    """Each varied number as the form typed it (risk levels in percent)."""
    return ", ".join(f"{path} {_typed(path, value)}" for path, value in chosen.items())


def varied(study: Study) -> list[str]:
    """Each number the study varies, its range and step as the form typed them."""
    shown = []
    for each in study.dimensions:
        low, high, step = (_typed(each["path"], each[part]) for part in ("low", "high", "step"))
        shown.append(f"{each['path']} {low}\N{EN DASH}{high} / {step}")
    return shown


def _typed(path: str, value: float) -> str:
    """A risk level in percent (as the forms type it), any other number as it is."""
    typed = value * 100 if path.startswith("risk.") and path.endswith("_pct") else value
    return rounded(typed, 4, trim=True)


def verdict(study: Study) -> dict | None:
    """The robustness score, its parts and its verdict, worded; None before the result."""
    found = (study.result or {}).get("robustness")
    if not found:
        return None
    deflated = (study.result or {}).get("deflated_sharpe")
    return {
        "text": VERDICTS[found["verdict"]],
        "verdict": found["verdict"],
        "score": rounded(found["score"], 2),
        "efficiency": rounded(found["efficiency"], 2),
        "consistency": rounded(found["consistency"], 2),
        "stability": rounded(found["stability"], 2),
        "deflated_sharpe": None if deflated is None else rounded(deflated, 2),
        "trusted": found["trusted"],
        "doubts": [str(DOUBTS[doubt][0]) % DOUBTS[doubt][1] for doubt in found["doubts"]],
        "worst": f"{percent(found['worst_fold_return'])} %",
        "folds": found["folds"],
    }


def chart(study: Study) -> dict | None:
    """The stitched out-of-sample equity, as the run page's chart takes it."""
    points = (study.result or {}).get("equity")
    return equity_chart(float(study.capital), points) if points else None


def failure_text(study: Study) -> str:
    return error_message(study.error_code, study.error_params) if study.error_code else ""


HEAT_LEVELS = 5  # CSS classes heat-0 (the lowest score) to heat-4 (the highest)


def heatmap(study: Study) -> dict | None:
    """The objective over the first two numbers varied, as the page's table shows it: the
    values typed as the form types them, each cell its score and a shade by its rank."""
    grid = (study.result or {}).get("heatmap")
    if not grid:
        return None
    known = [value for row in grid["cells"] for value in row if value is not None]
    low, high = (min(known), max(known)) if known else (0.0, 0.0)

    def cell(value: float | None) -> tuple[str, str]:
        if value is None:
            return "—", "heat-none"
        level = (HEAT_LEVELS - 1) * (value - low) / (high - low) if high > low else 2
        return rounded(value, 2), f"heat-{int(level)}"

    return {
        "x": grid["x"],
        "y": grid["y"],
        "xs": [_typed(grid["x"], value) for value in grid["xs"]],
        "rows": [
            (_typed(grid["y"], y_value), [cell(value) for value in row])
            for y_value, row in zip(grid["ys"], grid["cells"], strict=True)
        ],
    }


def chosen_choices(study: Study, sets: list[ChosenSet]) -> list[tuple[int, str]]:
    """Each set of numbers the folds chose, as a choice: the numbers, and which folds."""
    choices = []
    for index, each in enumerate(sets):
        folds = ", ".join(str(number) for number in each.folds)
        text = ngettext("fold %(folds)s", "folds %(folds)s", len(each.folds)) % {"folds": folds}
        if index == 0:
            text = gettext("%(folds)s, the latest") % {"folds": text}
        choices.append((index, f"{_parameters(study, each.parameters)} ({text})"))
    return choices


def kept_text(kept: Kept) -> str:
    """What keeping a study's numbers did, and what to do next."""
    values = {"number": kept.version.number, "name": kept.version.strategy.name}
    if not kept.saved:
        text = gettext("Version %(number)s of “%(name)s” already holds these numbers.") % values
    else:
        text = gettext("Saved as version %(number)s of “%(name)s”.") % values
    if kept.studied_number is not None:
        text += " " + gettext(
            "It is the version studied (%(studied)s) with these numbers: what you changed in "
            "the strategy since is not in it."
        ) % {"studied": kept.studied_number}
    return text + " " + gettext("Check the market and the costs, then start its paper run.")
