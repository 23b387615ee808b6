"""My strategies: a signed-in user's own strategies, their versions, editors and diffs.

Another user's strategy id is a 404 on every route (the selectors only find the user's own).
"""

from collections.abc import Mapping

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from strategies import version_notes
from strategies.forms.document import DocumentForm, NewStrategyForm, StrategyNameForm
from strategies.forms.parameters import ParametersForm
from strategies.forms.versions import VersionPairForm
from strategies.models import Strategy, StrategyVersion
from strategies.rules import DocumentError
from strategies.selectors import mine as selectors
from strategies.services import mine as services
from strategies.version_notes import note_text
from strategies.views.mine_display import (
    diff_rows,
    history,
    numbered_lines,
    problem_text,
    read_document,
)

GET_AND_POST = ["GET", "POST"]


def _page(request: HttpRequest, template: str, context: Mapping[str, object]) -> HttpResponse:
    return render(request, f"strategies/mine/{template}.html", context)


def _own(request: AuthenticatedRequest, strategy_id: int) -> Strategy:
    return selectors.strategy_of(request.user, strategy_id)


def _saved(request: HttpRequest, version: StrategyVersion | None) -> None:
    if version is None:
        messages.info(request, _("Nothing changed, so no new version was saved."))
    else:
        messages.success(request, _("Version %(number)s saved.") % {"number": version.number})


def _editor_context(form: DocumentForm, **context: object) -> dict[str, object]:
    """The form, and when the document was refused: its problems and its numbered lines."""
    problems = form.problems
    return {
        **context,
        "form": form,
        "problems": [{"text": problem_text(p), "line": p.line} for p in problems],
        "lines": numbered_lines(form.typed_text(), problems) if problems else [],
    }


@never_cache
@login_required
@require_GET
def strategy_list(request: AuthenticatedRequest) -> HttpResponse:
    context = {
        "strategies": selectors.strategies_of(request.user),
        "catalog_url": reverse("strategies:index"),
    }
    return _page(request, "list", context)


@never_cache
@login_required
@require_http_methods(GET_AND_POST)
def strategy_new(request: AuthenticatedRequest) -> HttpResponse:
    form = NewStrategyForm(request.POST or None, initial={"text": services.blank_document()})
    if request.method == "POST" and form.is_valid():
        try:
            strategy = services.strategy_create(
                owner=request.user,
                name=form.cleaned_data["name"],
                document=form.cleaned_data["text"],
            )
        except DocumentError as refused:
            form.add_problems(refused.errors)
        except services.StrategyNameTaken as taken:
            form.name_taken(taken.name)
        else:
            messages.success(request, _("Strategy created."))
            return redirect(strategy)
    return _page(request, "new", _editor_context(form))


@require_POST
def strategy_copy(request: HttpRequest, slug: str) -> HttpResponse:
    """Copy a published catalog strategy; visitors log in and come back to its page."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("strategies:detail", kwargs={"slug": slug}))
    entry = selectors.catalog_entry_to_copy(slug)
    try:
        strategy = services.strategy_copy_from_catalog(
            owner=request.user, entry=entry, language=get_language()
        )
    except DocumentError:
        messages.error(request, _("This catalog strategy cannot be copied right now."))
        return redirect("strategies:mine:list")
    messages.success(request, _("Copied to your strategies as “%(name)s”.") % {"name": strategy})
    return redirect(strategy)


@never_cache
@login_required
@require_GET
def strategy_detail(request: AuthenticatedRequest, strategy_id: int) -> HttpResponse:
    strategy = _own(request, strategy_id)
    latest = selectors.latest_version(strategy)
    context = {
        "strategy": strategy,
        "version": latest,
        "reading": read_document(latest.document),
        "history": history(selectors.versions_of(strategy)),
    }
    return _page(request, "detail", context)


@never_cache
@login_required
@require_http_methods(GET_AND_POST)
def strategy_parameters(request: AuthenticatedRequest, strategy_id: int) -> HttpResponse:
    strategy = _own(request, strategy_id)
    reading = read_document(selectors.latest_version(strategy).document)
    if reading.document is None:
        messages.error(request, _("This document no longer reads: fix it in the text editor."))
        return redirect("strategies:mine:edit", strategy_id=strategy.pk)
    form = ParametersForm(request.POST or None, document=reading.document)
    if request.method == "POST" and form.is_valid():
        note = version_notes.stored_note(version_notes.PARAMETERS_EDITED)
        try:
            version = services.strategy_version_save(
                strategy=strategy, document=form.document_data(), note=note
            )
        except DocumentError as refused:
            form.add_problems(refused.errors)
        else:
            _saved(request, version)
            return redirect(strategy)
    return _page(request, "parameters", {"strategy": strategy, "form": form})


@never_cache
@login_required
@require_http_methods(GET_AND_POST)
def strategy_edit(request: AuthenticatedRequest, strategy_id: int) -> HttpResponse:
    strategy = _own(request, strategy_id)
    latest = selectors.latest_version(strategy)
    form = DocumentForm(request.POST or None, initial={"text": latest.document})
    if request.method == "POST" and form.is_valid():
        note = version_notes.stored_note(version_notes.DOCUMENT_EDITED)
        try:
            version = services.strategy_version_save(
                strategy=strategy, document=form.cleaned_data["text"], note=note
            )
        except DocumentError as refused:
            form.add_problems(refused.errors)
        else:
            _saved(request, version)
            return redirect(strategy)
    return _page(request, "edit", _editor_context(form, strategy=strategy, version=latest))


@never_cache
@login_required
@require_GET
def strategy_version(request: AuthenticatedRequest, strategy_id: int, number: int) -> HttpResponse:
    strategy = _own(request, strategy_id)
    version = selectors.version_of(strategy, number)
    context = {
        "strategy": strategy,
        "version": version,
        "note": note_text(version.note),
        "reading": read_document(version.document),
    }
    return _page(request, "version", context)


@login_required
@require_POST
def strategy_restore(request: AuthenticatedRequest, strategy_id: int, number: int) -> HttpResponse:
    strategy = _own(request, strategy_id)
    try:
        version = services.strategy_version_restore(strategy=strategy, number=number)
    except StrategyVersion.DoesNotExist:  # a number the strategy never had
        raise Http404 from None
    except DocumentError:
        messages.error(request, _("This version no longer reads, so it cannot be restored."))
        return redirect("strategies:mine:version", strategy_id=strategy.pk, number=number)
    _saved(request, version)
    return redirect(strategy)


@never_cache
@login_required
@require_GET
def strategy_diff(request: AuthenticatedRequest, strategy_id: int) -> HttpResponse:
    strategy = _own(request, strategy_id)
    numbers = list(selectors.versions_of(strategy).values_list("number", flat=True))
    picked = bool(request.GET.get("from") or request.GET.get("to"))
    latest = numbers[0]
    initial = {"from": numbers[1] if len(numbers) > 1 else latest, "to": latest}
    form = VersionPairForm(request.GET if picked else None, numbers=numbers, initial=initial)
    context: dict[str, object] = {"strategy": strategy, "form": form}
    if picked and form.is_valid():
        old = selectors.version_of(strategy, form.cleaned_data["from"])
        new = selectors.version_of(strategy, form.cleaned_data["to"])
        rows = diff_rows(old.document, new.document)
        context.update(
            old=old,
            new=new,
            rows=rows,
            added=sum(row.kind == "added" for row in rows),
            removed=sum(row.kind == "removed" for row in rows),
        )
    return _page(request, "diff", context)


@never_cache
@login_required
@require_http_methods(GET_AND_POST)
def strategy_rename(request: AuthenticatedRequest, strategy_id: int) -> HttpResponse:
    strategy = _own(request, strategy_id)
    form = StrategyNameForm(request.POST or None, initial={"name": strategy.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.strategy_rename(strategy=strategy, name=form.cleaned_data["name"])
        except services.StrategyNameTaken as taken:
            form.name_taken(taken.name)
        else:
            messages.success(request, _("Strategy renamed."))
            return redirect(strategy)
    return _page(request, "rename", {"strategy": strategy, "form": form})


@never_cache
@login_required
@require_http_methods(GET_AND_POST)
def strategy_delete(request: AuthenticatedRequest, strategy_id: int) -> HttpResponse:
    strategy = _own(request, strategy_id)
    if request.method == "POST":
        services.strategy_delete(strategy=strategy)
        messages.success(request, _("Strategy “%(name)s” deleted.") % {"name": strategy.name})
        return redirect("strategies:mine:list")
    return _page(request, "delete", {"strategy": strategy})
