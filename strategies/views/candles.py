"""My candles: a signed-in user's own imported series, and the form that imports a CSV file.

The file's size is limited while it arrives (strategies.views.candle_uploads): a huge body is
refused from its Content-Length, or stopped at the limit, never spooled whole to disk first.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from noonbarbari.middleware import read_body, reads_its_own_body
from strategies.candles_csv import TOO_BIG, CandleFileError, CandleProblem
from strategies.forms.candles import CandleImportForm
from strategies.models import CandleSeries
from strategies.selectors.candles import imported_series_of
from strategies.series import utc_text
from strategies.services.candles import candles_import
from strategies.views.candle_uploads import declared_too_large, limit_uploads

MEGABYTE = 1024 * 1024
UPLOAD_MAX_BYTES = 64 * MEGABYTE  # well under read_candles' MAX_BYTES: a form, not a batch job


@dataclass(frozen=True)
class HeldRange:
    """A range of bars held, [start, end) in UTC, written for the page."""

    start: str
    end: str


def held_ranges(series: CandleSeries) -> list[HeldRange]:
    return [HeldRange(utc_text(start), utc_text(end)) for start, end in series.coverage]


def _page(
    request: AuthenticatedRequest,
    form: CandleImportForm,
    problems: list[CandleProblem] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    rows = [(s, held_ranges(s)) for s in imported_series_of(request.user)]
    context = {
        "form": form,
        "problems": problems or [],
        "refusal": refusal,
        "rows": rows,
        "limit_mb": UPLOAD_MAX_BYTES // MEGABYTE,
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
    if declared_too_large(request, UPLOAD_MAX_BYTES):
        # Nothing of the body was read, so nothing typed can be shown again.
        refusal = TOO_BIG % {"limit": UPLOAD_MAX_BYTES // MEGABYTE}
        return _page(request, CandleImportForm(), refusal=refusal, status=413)
    guard = limit_uploads(request, UPLOAD_MAX_BYTES)
    unreadable = read_body(request)
    if unreadable is not None:
        return unreadable
    too_large_mb = UPLOAD_MAX_BYTES // MEGABYTE if guard.exceeded else None
    return _import(request, too_large_mb)


@csrf_protect
def _import(request: AuthenticatedRequest, too_large_mb: int | None) -> HttpResponse:
    form = CandleImportForm(request.POST, request.FILES, too_large_mb=too_large_mb)
    if not form.is_valid():
        return _page(request, form)
    data = form.cleaned_data
    try:
        series = candles_import(
            owner=request.user,
            symbol=data["symbol"].strip(),
            source=data["file"].read(),
            timeframe=data["timeframe"] or None,
        )
    except CandleFileError as refused:
        return _page(request, form, refused.problems)
    text = _("Imported into %(symbol)s %(timeframe)s.")
    messages.success(request, text % {"symbol": series.symbol, "timeframe": series.timeframe})
    return redirect("strategies:candles:list")
