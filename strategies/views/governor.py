"""The risk limits page: the account's limits and each key's, what they measure now, and the
breaches that hold entries back (a drawdown's re-armed here)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import two_factor_required
from accounts.http import AuthenticatedRequest
from exchanges.models import ExchangeKey
from strategies.forms.governor import RiskLimitsForm
from strategies.selectors import governor as selectors
from strategies.services.governor_limits import (
    LimitsRefused,
    risk_limits_rearm,
    risk_limits_save,
)
from strategies.services.governor_words import with_sentences

ACCOUNT = "account"


def _page(request: AuthenticatedRequest, bound: tuple[str, RiskLimitsForm] | None = None):
    sections = selectors.limit_sections(request.user)
    for section in sections:
        with_sentences(section.breaches)
        if bound is not None and bound[0] == section.scope:
            section.form = bound[1]
        else:
            section.form = RiskLimitsForm(initial=section.initial, prefix=section.scope)
    return render(request, "strategies/governor/limits.html", {"sections": sections})


@never_cache
@login_required
@require_GET
def limits_page(request: AuthenticatedRequest) -> HttpResponse:
    return _page(request)


def _key(request: AuthenticatedRequest, scope: str) -> ExchangeKey | None:
    if scope == ACCOUNT:
        return None
    try:
        key_id = uuid.UUID(scope)
    except ValueError:
        raise Http404 from None
    key = ExchangeKey.objects.owned_by(request.user).filter(pk=key_id).first()
    if key is None:
        raise Http404
    return key


@two_factor_required
@sensitive_post_parameters("code")
@require_POST
def limits_save(request: AuthenticatedRequest, scope: str) -> HttpResponse:
    key = _key(request, scope)
    form = RiskLimitsForm(request.POST, prefix=scope)
    if form.is_valid():
        try:
            risk_limits_save(
                owner=request.user,
                key=key,
                values=form.cleaned_data,
                code=form.cleaned_data["code"],
            )
        except LimitsRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, _("Saved: these limits hold from the next tick on."))
            return redirect("runs:limits")
    return _page(request, bound=(scope, form))


@two_factor_required
@sensitive_post_parameters("code")
@require_POST
def breach_rearm(request: AuthenticatedRequest, breach_id: int) -> HttpResponse:
    try:
        done = risk_limits_rearm(
            owner=request.user, breach_id=breach_id, code=request.POST.get("code", "")
        )
    except LimitsRefused as refused:
        messages.error(request, refused.message)
    else:
        if done:
            messages.success(request, _("Re-armed: the drawdown is measured from now on."))
    return redirect("runs:limits")
