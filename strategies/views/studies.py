"""Studies' pages: the form from a finished report, the study (its progress, then its verdict,
folds and out-of-sample equity), its cancel, and the list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from strategies import rules
from strategies.forms.studies import OBJECTIVE_CHOICES, KeepChosenForm, StudyForm
from strategies.models import BacktestStatus, StudyStatus
from strategies.rules import DocumentError
from strategies.selectors import backtests as backtest_selectors
from strategies.selectors import studies as selectors
from strategies.selectors.catalog import shown_titles
from strategies.services import studies as services
from strategies.services.mine import StrategyNameTaken
from strategies.services.study_versions import study_parameters_save
from strategies.views import study_display as display
from strategies.views.later import Later


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def study_new(request: AuthenticatedRequest, backtest_id: int) -> HttpResponse:
    backtest = backtest_selectors.backtest_of(request.user, backtest_id)
    if backtest.status != BacktestStatus.DONE:
        messages.info(request, _("Only a finished backtest can be studied: wait for its report."))
        return redirect(backtest)
    document = rules.parse(backtest.document, base_timeframe=backtest.timeframe)
    form = StudyForm(request.POST if request.method == "POST" else None, document=document)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            study = services.study_start(
                owner=request.user,
                backtest=backtest,
                dimensions=data["dimensions"],
                constraints=data["constraints"],
                objective=data["objective"],
                drawdown_limit=data["drawdown_limit"],
                in_sample_days=data["in_sample_days"],
                out_of_sample_days=data["out_of_sample_days"],
                anchored=data["anchored"],
                method=data["method"],
                trials=data["trials"],
                seed=data["seed"],
            )
        except services.StudyRefused as refused:
            form.add_error(None, refused.message)
        else:
            return redirect(study)
    title = shown_titles([backtest], get_language())[backtest.pk]
    context = {"form": form, "backtest": backtest, "title": title}
    return render(request, "strategies/studies/new.html", context)


@never_cache
@login_required
@require_GET
def study_detail(request: AuthenticatedRequest, study_id: int) -> HttpResponse:
    study = selectors.study_of(request.user, study_id)
    context = _progress(study) | {
        "title": shown_titles([study], get_language())[study.pk],
        "objective": OBJECTIVE_CHOICES.get(study.objective, study.objective),
        "verdict": Later(lambda: display.verdict(study)),
        "thresholds": Later(display.thresholds),
        "folds": Later(lambda: display.fold_rows(study)),
        "varied": display.varied(study),
        "chart": Later(lambda: display.chart(study)),
        "heatmap": Later(lambda: display.heatmap(study)),
        "keep": _keep_form(study),
    }
    return render(request, "strategies/studies/detail.html", context)


def _keep_form(study, data=None) -> KeepChosenForm | None:
    """The form that saves a set of numbers the folds chose; None before any was chosen."""
    sets = selectors.chosen_sets(study) if study.status == StudyStatus.DONE else []
    if not sets:
        return None
    return KeepChosenForm(data, sets=sets, choices=display.chosen_choices(study, sets))


@login_required
@require_POST
def study_keep(request: AuthenticatedRequest, study_id: int) -> HttpResponse:
    """Save the chosen numbers as a new version, then on to its paper run's form, filled in
    with the study's market and costs."""
    study = selectors.study_of(request.user, study_id)
    form = _keep_form(study, request.POST)
    if form is None or not form.is_valid():
        messages.error(request, _("Choose one of the sets of numbers the folds chose."))
        return redirect(study)
    try:
        kept = study_parameters_save(study=study, parameters=form.kept.parameters)
    except (DocumentError, StrategyNameTaken):
        messages.error(
            request,
            _("These numbers could not be kept: the document studied no longer validates."),
        )
        return redirect(study)
    messages.success(request, display.kept_text(kept))
    query = urlencode({"study": str(study.pk), "strategy": f"mine:{kept.version.strategy_id}"})
    return redirect(f"{reverse('runs:new')}?{query}")


@never_cache
@login_required
@require_GET
def study_progress(request: AuthenticatedRequest, study_id: int) -> HttpResponse:
    """The progress fragment htmx polls; once ended it asks for the whole page."""
    study = selectors.study_of(request.user, study_id)
    response = render(request, "strategies/studies/_progress.html", _progress(study))
    if not study.active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def _progress(study) -> dict[str, object]:
    return {"study": study, "failure": display.failure_text(study)}


@login_required
@require_POST
def study_cancel(request: AuthenticatedRequest, study_id: int) -> HttpResponse:
    study = selectors.study_of(request.user, study_id)
    if services.study_cancel(study=study):
        messages.info(request, _("Study cancelled."))
    else:
        messages.info(request, _("This study had already ended."))
    return redirect(study)


@never_cache
@login_required
@require_GET
def study_list(request: AuthenticatedRequest) -> HttpResponse:
    studies = list(selectors.studies_of(request.user))
    titles = shown_titles(studies, get_language())
    rows = [(study, titles[study.pk]) for study in studies]
    return render(request, "strategies/studies/list.html", {"rows": rows})
