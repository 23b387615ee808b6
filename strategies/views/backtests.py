"""Backtests: the form, the report (with its progress while it runs), the ledger as CSV, the
history and two reports side by side. Another user's backtest is a 404 on every route."""

import csv
import json
from datetime import UTC, date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from strategies import rules
from strategies.engine import STATEMENT
from strategies.forms.backtests import TIMEFRAMES, BacktestForm, HistoryFilterForm, day_ms
from strategies.models import Backtest, BacktestStatus
from strategies.selectors import backtests as selectors
from strategies.selectors.candles import imported_series_of
from strategies.selectors.catalog import shown_titles, suggested_timeframes
from strategies.selectors.long_jobs import backtest_wait, period_cost
from strategies.services import backtests as services
from strategies.views import backtest_display as display
from strategies.views.compressed import packed, packed_response
from strategies.views.ladder_display import ladder_text
from strategies.views.later import Later
from strategies.views.long_job_display import cost_sentences, held_days, place_sentences
from strategies.views.monte_carlo_display import monte_carlo_shown
from strategies.views.monthly_display import month_names, monthly_grid
from strategies.views.report_breakdown import breakdown_tables
from strategies.views.report_warnings import report_warnings, warmup_text
from strategies.views.weekly_display import weekly_summary

HISTORY_LENGTH = 200
CHART_CACHE_S = 24 * 3600
CSV_COLUMNS = (
    "side",
    "entry_time",
    "entry_price",
    "exit_time",
    "exit_price",
    "size",
    "pnl",
    "fees",
    "exit_reason",
    "mark_price",
    "mae",
    "mfe",
)


def _initial(request: AuthenticatedRequest) -> dict[str, object]:
    """What a "Backtest it" link preselects, and a default period: the last 90 days."""
    today = datetime.now(UTC).date()
    initial: dict[str, object] = {"start": today - timedelta(days=90), "end": today}
    # "Backtest it" links name the strategy; the form's "use the period already held" link
    # names the market and the period too (the form checks them all when submitted).
    for name in ("strategy", "exchange", "symbol", "timeframe"):
        if request.GET.get(name):
            initial[name] = request.GET[name][:100]
    for name in ("start", "end"):
        day = _day(request.GET.get(name, ""))
        if day is not None:
            initial[name] = day
    return initial


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


@never_cache
@login_required
@require_GET
def backtest_data_reach(request: AuthenticatedRequest) -> HttpResponse:
    """The form's note on the data: what is already held for the market being chosen."""
    symbol = request.GET.get("symbol", "").strip()[:60]
    timeframe = request.GET.get("timeframe", "")
    found = selectors.data_held(request.GET.get("exchange", ""), symbol, timeframe)
    ranges = [] if found is None else [(display.when(a), display.when(b)) for a, b in found[1]]
    timeframe = timeframe if timeframe in TIMEFRAMES else ""
    context: dict[str, object] = {
        "exchange": found[0] if found else None,
        "symbol": symbol,
        "timeframe": timeframe,
        "ranges": ranges,
    }
    start, end = _day(request.GET.get("start", "")), _day(request.GET.get("end", ""))
    if found is not None and symbol and timeframe and start and end and start <= end:
        # The form's end day is included: the period ends at the next day's start.
        period = day_ms(start), day_ms(end + timedelta(days=1))
        cost = period_cost(found[0], symbol, timeframe, *period)
        context["cost"] = cost_sentences(cost)
        context["held_offer"] = _held_offer(request, found[0], symbol, timeframe, found[1])
    return render(request, "strategies/backtests/_data_reach.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def backtest_new(request: AuthenticatedRequest) -> HttpResponse:
    choices = selectors.strategy_choices(request.user, get_language())
    form = BacktestForm(
        request.POST or None,
        initial=_initial(request),
        strategy_choices=choices,
        own_series=imported_series_of(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            backtest = _start(request, form)
        except services.StartRefused as refused:
            form.add_error(refused.field or None, refused.message)
        else:
            messages.success(request, _("Backtest queued."))
            return redirect(backtest)
    return render(request, "strategies/backtests/new.html", {"form": form})


def _start(request: AuthenticatedRequest, form: BacktestForm) -> Backtest:
    data = form.cleaned_data
    start_ms, end_ms = form.period_ms()
    series = form.series()
    return services.backtest_start(
        owner=request.user,
        source=selectors.strategy_source(request.user, data["strategy"]),
        exchange=None if series else data["exchange"],
        series=series,
        allows_shorts=bool(data.get("allows_shorts")) if series else False,
        symbol=series.symbol if series else data["symbol"].strip(),
        timeframe=data["timeframe"],
        start_ms=start_ms,
        end_ms=end_ms,
        capital=data["capital"],
        fee=data["fee"],  # None: the service's default (the key's tier, or the entry tier)
        slippage_bps=float(data["slippage_bps"]),
        max_volume_share=data["max_volume_share"],  # a fraction: PercentField
        tie=data["tie"],
    )


def _held_offer(
    request: AuthenticatedRequest, exchange, symbol: str, timeframe: str, held: list
) -> dict[str, object] | None:
    """The latest range already held, in whole UTC days, as a link to the form set to it."""
    days = held_days(held)
    if days is None:
        return None
    start, end = days
    query = QueryDict(mutable=True)
    query.update(
        {
            "strategy": request.GET.get("strategy", "")[:100],
            "exchange": exchange.slug,
            "symbol": symbol,
            "timeframe": timeframe,
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
    )
    url = f"{reverse('strategies:backtests:new')}?{query.urlencode()}"
    return {"url": url, "start": start, "end": end}


def _waiting(backtest: Backtest) -> list[str]:
    fetching = backtest.status == BacktestStatus.FETCHING
    return place_sentences(backtest_wait(backtest), fetching=fetching)


def _document(backtest: Backtest) -> rules.Document | None:
    """The report's document, read once for the page's sentences and ladder (remembered)."""
    try:
        return rules.parsed(backtest.document)
    except rules.DocumentError:
        return None


def _sentences(backtest: Backtest) -> list:
    document = _document(backtest)
    return [] if document is None else rules.sentences(document)


def _ladder(backtest: Backtest) -> list[str]:
    trades = [*(backtest.trades or []), *(backtest.open_trades or [])]
    deals = ((trade["size"], trade["entry_price"]) for trade in trades)
    return ladder_text(_document(backtest), float(backtest.capital), deals)


def _report(backtest: Backtest) -> dict[str, object]:
    return {
        "backtest": backtest,
        "start": display.when(backtest.start_ms),
        "end": display.when(backtest.end_ms),
        "end_s": backtest.end_ms // 1000,
        "stats": Later(lambda: display.stat_rows(backtest.stats, perpetual=backtest.perpetual)),
        "trades": Later(lambda: display.trade_rows(backtest.trades)),
        "excursions": Later(lambda: bool(backtest.trades) and "mae" in backtest.trades[0]),
        "open_trades": Later(lambda: display.trade_rows(backtest.open_trades)),
        "provenance": Later(lambda: display.provenance_rows(backtest.provenance)),
        "failure": display.failure_text(backtest),
        "waiting": _waiting(backtest),
        "sentences": Later(lambda: _sentences(backtest)),
        "ladder": Later(lambda: _ladder(backtest)),
        "statement": STATEMENT,
        "costs": display.costs_text(backtest),
        "funding": Later(lambda: display.funding_rows(backtest)),
        "monte_carlo": Later(lambda: monte_carlo_shown(backtest)),
        "breakdown_tables": Later(lambda: breakdown_tables(backtest.trades)),
        "monthly": Later(lambda: monthly_grid(backtest.monthly)),
        "month_names": Later(month_names),
        "weekly": Later(lambda: weekly_summary(backtest.weekly)),
        "chart": Later(lambda: bool(backtest.equity)),
        "warnings": Later(lambda: report_warnings(backtest, suggested_timeframes(backtest))),
        "warmup": Later(lambda: warmup_text(backtest)),
    }


@never_cache
@login_required
@require_GET
def backtest_detail(request: AuthenticatedRequest, backtest_id: int) -> HttpResponse:
    services.backtests_settle(owner=request.user)
    # The report's columns are read only when its kept rendering is missing (detail.html).
    backtest = selectors.backtest_of(request.user, backtest_id, report=False)
    title = shown_titles([backtest], get_language())[backtest.pk]
    return render(request, "strategies/backtests/detail.html", _report(backtest) | {"title": title})


@login_required
@require_GET
def backtest_chart(request: AuthenticatedRequest, backtest_id: int) -> HttpResponse:
    """The report's chart data, apart from its page: columns of numbers, the same for as long
    as the backtest exists, so kept rendered (per language: the labels) and cached by the
    browser; kept compressed (it holds the user's numbers, no token or secret)."""
    backtest = selectors.backtest_of(request.user, backtest_id, report=False)
    finished = backtest.finished_at.timestamp() if backtest.finished_at else 0
    key = f"backtest-chart:{backtest.pk}:{finished}:{get_language()}"
    body = caches["pages"].get(key) if backtest.status == BacktestStatus.DONE else None
    if body is None:
        if not backtest.equity:
            raise Http404("no chart before the report")
        body = packed(json.dumps(display.chart_data(backtest), separators=(",", ":")))
        caches["pages"].set(key, body, CHART_CACHE_S)
    response = packed_response(request, body, "application/json")
    # Private: another user may not see it; the page's link carries the finish time.
    response["Cache-Control"] = f"private, max-age={CHART_CACHE_S}"
    return response


@never_cache
@login_required
@require_GET
def backtest_progress(request: AuthenticatedRequest, backtest_id: int) -> HttpResponse:
    """The progress fragment htmx polls; once finished it asks for the whole report."""
    # Polled every 2 s: only what the fragment shows, not the whole report.
    backtest = selectors.backtest_of(request.user, backtest_id, report=False)
    context = {
        "backtest": backtest,
        "failure": display.failure_text(backtest),
        "waiting": _waiting(backtest),
    }
    response = render(request, "strategies/backtests/_progress.html", context)
    if not backtest.running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def backtest_cancel(request: AuthenticatedRequest, backtest_id: int) -> HttpResponse:
    backtest = selectors.backtest_of(request.user, backtest_id)
    if services.backtest_cancel(backtest=backtest):
        messages.info(request, _("Backtest cancelled."))
    else:
        messages.info(request, _("This backtest had already finished."))
    return redirect(backtest)


@never_cache
@login_required
@require_GET
def backtest_csv(request: AuthenticatedRequest, backtest_id: int) -> HttpResponse:
    """The ledger as `manage.py backtest --json` names its fields, open trades last; times in
    ISO 8601 (UTC) and numbers without float noise (display.csv_row)."""
    backtest = selectors.backtest_of(request.user, backtest_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="backtest-{backtest.pk}-trades.csv"'
    writer = csv.DictWriter(response, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for trade in [*backtest.trades, *backtest.open_trades]:
        writer.writerow(display.csv_row(trade, backtest.amount_step))
    return response


@never_cache
@login_required
@require_GET
def backtest_list(request: AuthenticatedRequest) -> HttpResponse:
    form = HistoryFilterForm(request.GET or None)
    backtests = list(selectors.backtests_of(request.user, **form.filters())[:HISTORY_LENGTH])
    titles = shown_titles(backtests, get_language())
    rows = [
        {"backtest": b, "title": titles[b.pk], "return": display.total_return_text(b.stats)}
        for b in backtests
    ]
    return render(request, "strategies/backtests/list.html", {"form": form, "rows": rows})


@never_cache
@login_required
@require_GET
def backtest_compare(request: AuthenticatedRequest) -> HttpResponse:
    """Two of the user's reports side by side (?a=<id>&b=<id>)."""
    ids = [request.GET.get("a", ""), request.GET.get("b", "")]
    if not all(value.isdigit() for value in ids):
        # The history's form sent fewer than two picks: say so where they are made.
        messages.info(request, _("Pick two backtests to compare: one as A and one as B."))
        return redirect("strategies:backtests:list")
    left, right = (selectors.backtest_of(request.user, int(value)) for value in ids)
    rows = display.compare_rows(left.stats, right.stats)
    titles = shown_titles([left, right], get_language())
    sides = [
        {
            "backtest": side,
            "title": titles[side.pk],
            "start": display.when(side.start_ms),
            "end": display.when(side.end_ms),
            "costs": display.costs_text(side),
        }
        for side in (left, right)
    ]
    context = {"left": sides[0], "right": sides[1], "sides": sides, "rows": rows}
    return render(request, "strategies/backtests/compare.html", context)
