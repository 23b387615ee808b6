"""My candles: a signed-in user's own imported series, the form that sends a CSV file, and the
imports on their way. The request only keeps the file and queues it: a worker of the long
cluster reads it, and the page follows its progress (a fragment htmx polls while one is active).

The file's size is limited while it arrives (strategies.views.candle_uploads): a huge body is
refused from its Content-Length, or stopped at the limit, never spooled whole to disk first. A
user who already has as many imports waiting as allowed is refused before the body is read.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from accounts.models import User
from noonbarbari.middleware import read_body, reads_its_own_body
from strategies.candles_csv import TOO_BIG, CandleProblem
from strategies.forms.candles import CandleImportForm
from strategies.models import CandleSeries
from strategies.models.candle_imports import CandleImport
from strategies.selectors.candles import imported_series_of
from strategies.series import utc_text
from strategies.services import candle_imports as imports
from strategies.views.candle_uploads import declared_too_large, limit_uploads

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class HeldRange:
    """A range of bars held, [start, end) in UTC, written for the page."""

    start: str
    end: str


def held_ranges(series: CandleSeries) -> list[HeldRange]:
    return [HeldRange(utc_text(start), utc_text(end)) for start, end in series.coverage]


@dataclass(frozen=True)
class ImportRow:
    """An import as the page shows it: its problems worded in the page's language."""

    record: CandleImport
    problems: list[CandleProblem]
    failed_on_our_side: bool
    imported: HeldRange | None


def _import_row(record: CandleImport) -> ImportRow:
    imported = None
    if record.first_ms is not None and record.end_ms is not None:
        imported = HeldRange(utc_text(record.first_ms), utc_text(record.end_ms))
    return ImportRow(
        record,
        imports.problems_shown(record),
        imports.failed_on_our_side(record),
        imported,
    )


def _status(user: User) -> dict[str, object]:
    """The imports (newest first) and the series they made; `following` while one is active."""
    records = list(CandleImport.objects.owned_by(user).without_file()[: imports.KEPT])
    if any(record.active for record in records) and imports.candle_imports_settle(owner=user):
        records = list(CandleImport.objects.owned_by(user).without_file()[: imports.KEPT])
    return {
        "imports": [_import_row(record) for record in records],
        "following": any(record.active for record in records),
        "rows": [(s, held_ranges(s)) for s in imported_series_of(user)],
    }


def _page(
    request: AuthenticatedRequest,
    form: CandleImportForm,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        **_status(request.user),
        "form": form,
        "refusal": refusal,
        "limit_mb": settings.CANDLE_IMPORTS_MAX_MB,
        "max_active": settings.CANDLE_IMPORTS_MAX_ACTIVE,
    }
    return render(request, "strategies/candles/list.html", context, status=status)


@csrf_exempt  # the CSRF check runs in _import, once the upload handlers are in place
@reads_its_own_body
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def candle_list(request: AuthenticatedRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, CandleImportForm())
    limit_mb = settings.CANDLE_IMPORTS_MAX_MB
    # Nothing of the body is read on these two refusals, so nothing typed can be shown again.
    if declared_too_large(request, limit_mb * MEGABYTE):
        return _page(request, CandleImportForm(), TOO_BIG % {"limit": limit_mb}, status=413)
    try:
        imports.candle_import_check(owner=request.user)
    except imports.ImportRefused as refused:
        return _page(request, CandleImportForm(), refused.message, status=refused.status)
    guard = limit_uploads(request, limit_mb * MEGABYTE)
    unreadable = read_body(request)
    if unreadable is not None:
        return unreadable
    return _import(request, limit_mb if guard.exceeded else None)


@csrf_protect
def _import(request: AuthenticatedRequest, too_large_mb: int | None) -> HttpResponse:
    form = CandleImportForm(request.POST, request.FILES, too_large_mb=too_large_mb)
    if not form.is_valid():
        return _page(request, form)
    data = form.cleaned_data
    try:
        imports.candle_import_start(
            owner=request.user,
            symbol=data["symbol"].strip(),
            timeframe=data["timeframe"] or None,
            file_name=data["file"].name or "",
            chunks=data["file"].chunks(),
        )
    except imports.ImportRefused as refused:
        return _page(request, form, refused.message, status=refused.status)
    messages.success(
        request,
        _("File received: it is being imported in the background, and its progress shows below."),
    )
    return redirect("strategies:candles:list")


@never_cache
@login_required
@require_GET
def candle_imports_status(request: AuthenticatedRequest) -> HttpResponse:
    """The imports and the series, the fragment htmx polls while an import is active."""
    return render(request, "strategies/candles/_status.html", _status(request.user))
