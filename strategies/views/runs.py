"""Runs: the dashboard with its controls, a run's page (refreshed while it runs), starting a
paper run. Another user's run is a 404 on every route; starting one needs a verified second
factor, stopping never does (stopping must always be easy)."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import two_factor_required
from accounts.http import AuthenticatedRequest
from strategies import rules
from strategies.engine import STATEMENT
from strategies.forms.runs import GoLiveForm, PaperRunForm
from strategies.models import RunMode
from strategies.selectors import backtests as backtest_selectors
from strategies.selectors import governor as governor_selectors
from strategies.selectors import runs as selectors
from strategies.selectors.catalog import shown_titles, suggested_timeframes
from strategies.services import live_start, run_history, run_messages
from strategies.services import runs as services
from strategies.services.governor_words import limits_lines, with_sentences
from strategies.views import backtest_display, run_display
from strategies.views.fragments import columns, rows_key
from strategies.views.ladder_display import ladder_text
from strategies.views.later import Later
from strategies.views.report_warnings import run_warnings

REFRESH_SECONDS = 10


@never_cache
@login_required
@require_GET
def run_list(request: AuthenticatedRequest) -> HttpResponse:
    runs = list(selectors.runs_of(request.user))
    titles = shown_titles(runs, get_language())
    for run in runs:
        run.title = titles[run.pk]  # shown by the list
    context = {
        "runs": runs,
        "any_active": any(run.active for run in runs),
        "breaches": with_sentences(governor_selectors.open_breaches(request.user)),
    }
    return render(request, "strategies/runs/list.html", context)


def _initial(request: AuthenticatedRequest) -> dict[str, object]:
    """A "paper run from this backtest" link brings its strategy, market and costs; a study's
    "paper run of what it chose" link its market and costs, and the strategy it saved."""
    named = request.GET.get("strategy", "")
    source = selectors.backtest_to_repeat(
        request.user, request.GET.get("backtest")
    ) or selectors.study_to_repeat(request.user, request.GET.get("study"))
    if source is None or source.exchange is None:
        return {"strategy": named}
    if named:
        strategy = named
    elif source.strategy_version is not None:
        strategy = f"mine:{source.strategy_version.strategy_id}"
    elif source.catalog_entry is not None:
        strategy = f"catalog:{source.catalog_entry.slug}"
    else:
        strategy = ""
    return {
        "strategy": strategy,
        "exchange": source.exchange.slug,
        "symbol": source.symbol,
        "timeframe": source.timeframe,
        "capital": source.capital,
        "fee": source.fee,  # fractions, shown in percent by the form's PercentField
        "slippage_bps": Decimal(str(source.slippage_bps)),
        "max_volume_share": source.max_volume_share,
    }


@never_cache
@two_factor_required
@require_http_methods(["GET", "POST"])
def run_new(request: AuthenticatedRequest) -> HttpResponse:
    choices = backtest_selectors.strategy_choices(request.user, get_language())
    form = PaperRunForm(request.POST or None, initial=_initial(request), strategy_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.strategy_run_start(
                owner=request.user,
                source=backtest_selectors.strategy_source(request.user, data["strategy"]),
                exchange=data["exchange"],
                symbol=data["symbol"].strip(),
                timeframe=data["timeframe"],
                capital=data["capital"],
                fee=data["fee"],  # None: the service's default (the key's tier or entry tier)
                slippage_bps=float(data["slippage_bps"]),
                max_volume_share=data["max_volume_share"],  # a fraction: PercentField
            )
        except services.StartRefused as refused:
            form.add_error(refused.field or None, refused.message)
        else:
            messages.success(
                request,
                _("Paper run started: its first decision comes at the close of the current bar."),
            )
            return redirect(run)
    return render(request, "strategies/runs/new.html", {"form": form})


def _live(run, document) -> dict[str, object]:
    """What the refreshed part of the run's page shows."""
    activity = selectors.run_activity(run)
    paper_closable = services.paper_position_closable(run)
    closing = paper_closable and run.flatten_bar_ms is not None
    decisions, orders, trades = activity["decisions"], activity["orders"], activity["trades"]
    return {
        "run": run,
        "stop_text": run_display.stop_text(run),
        "cancel_text": run_display.cancel_text(run),
        "paper_closable": paper_closable,
        "alert_text": run_display.alert_text(run),
        "drift": run_display.drift(run, orders) if run.mode == RunMode.LIVE else None,
        "history": run_display.history(run) if run.mode == RunMode.LIVE else None,
        # The tables are kept rendered under a digest of the rows they are built from
        # (_live.html): most refreshes of an active run's page find them unchanged, and skip
        # wording them (Later).
        "activity_key": rows_key(
            [(columns(d), d.order and columns(d.order)) for d in decisions],
            [(columns(o), [columns(fill) for fill in o.fills.all()]) for o in orders],
        ),
        "results_key": rows_key([columns(trade) for trade in trades], run.stats, run.perpetual),
        "decisions": Later(lambda: run_display.decision_rows(document, decisions)),
        "orders": Later(lambda: run_display.order_rows(orders)),
        "trades": Later(lambda: run_display.ledger_rows(trades)),
        "stats": Later(lambda: backtest_display.stat_rows(run.stats, perpetual=run.perpetual)),
        "catch_up": run_display.catch_up(activity["catch_up"]),
        "position": backtest_display.trade_rows([run.position])[0] if run.position else None,
        "started": backtest_display.when(run.start_ms),
        "last_bar": backtest_display.when(run.last_bar_ms),
        # Also while what follows a stop is under way: a cancel, a paper position's close.
        "refresh": REFRESH_SECONDS if run.active or run.orders_may_rest or closing else None,
    }


@never_cache
@login_required
@require_GET
def run_detail(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    run = selectors.run_of(request.user, run_id)
    document = run_display.run_document(run)
    # Lazy: the page keeps its chart (per bar) and its description (per run) rendered.
    context = _live(run, document) | {
        "chart": Later(lambda: run_display.chart(run, selectors.run_equity(run))),
        "sentences": Later(lambda: rules.sentences(document) if document else []),
        "ladder": Later(
            lambda: ladder_text(document, float(run.capital), selectors.run_deals(run))
        ),
        "statement": STATEMENT,
        "costs": backtest_display.costs_text(run),
        "title": shown_titles([run], get_language())[run.pk],
        "warnings": Later(lambda: run_warnings(run, suggested_timeframes(run))),
    }
    return render(request, "strategies/runs/detail.html", context)


@never_cache
@login_required
@require_GET
def run_live(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    """The part of the run's page htmx refreshes while the run is active."""
    run = selectors.run_of(request.user, run_id)
    context = _live(run, run_display.run_document(run))
    return render(request, "strategies/runs/_live.html", context)


@login_required
@require_POST
def run_stop(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    run = selectors.run_of(request.user, run_id)
    if services.strategy_run_stop(run=run):
        messages.success(request, _stopped_text(run))
    else:
        messages.info(request, _("This run had already stopped."))
    return redirect(run)


def _stopped_text(run) -> str:
    """What stopping did, and what it did not do to the position."""
    if run.mode == RunMode.LIVE and run.position:
        return _(
            "Run stopped: nothing more is sent, and its orders resting at the exchange are "
            "being cancelled. Its position stays open at the exchange: close it there if you "
            "no longer want it."
        )
    if run.mode == RunMode.LIVE:
        return _(
            "Run stopped: nothing more is sent, and its orders resting at the exchange are "
            "being cancelled."
        )
    if run.position:
        return _(
            "Run stopped. Its paper position stays open on paper: “Close the paper position” "
            "on this page records its exit."
        )
    return _("Run stopped.")


@login_required
@require_POST
def paper_position_close(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    run = selectors.run_of(request.user, run_id)
    if services.paper_position_close(run=run):
        messages.success(
            request,
            _(
                "Closing the paper position: its exit is recorded at the open after the last "
                "candle the run evaluated, with the fill model's slippage and fee."
            ),
        )
    else:
        messages.info(request, _("This run holds no paper position to close."))
    return redirect(run)


@login_required
@require_POST
def run_flatten(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    run = selectors.run_of(request.user, run_id)
    if not services.strategy_run_flatten(run=run):
        messages.info(request, _("This run had already stopped."))
    elif run.active:
        messages.success(
            request, _("The position will be closed at the next open; then the run stops.")
        )
    else:
        messages.success(request, _("No position was open: the run is stopped."))
    return redirect(run)


@login_required
@require_POST
def runs_kill(request: AuthenticatedRequest) -> HttpResponse:
    count = services.strategy_runs_kill(owner=request.user, code=run_messages.KILLED_BY_YOU)
    stopped = ngettext(
        "%(count)d run stopped. Positions stay open: a paper one on paper (its page closes it), "
        "a live one at the exchange (close it there); live orders resting at the exchange are "
        "being cancelled.",
        "%(count)d runs stopped. Positions stay open: paper ones on paper (each run's page "
        "closes them), live ones at the exchange (close them there); live orders resting at "
        "the exchange are being cancelled.",
        count,
    )
    messages.success(request, stopped % {"count": count})
    return redirect("runs:list")


def _go_live_form(request: AuthenticatedRequest, paper, choice) -> GoLiveForm:
    """The form with the keys fit for trading offered (the only one chosen already)."""
    initial = {"capital": paper.capital, "notional_cap": min(paper.capital, 1000)}
    if len(choice.offered) == 1:
        initial["key"] = str(choice.offered[0].pk)
    return GoLiveForm(
        request.POST or None, initial=initial, keys=choice.offered, left_out=choice.left_out
    )


@never_cache
@two_factor_required
@require_http_methods(["GET", "POST"])
def run_go_live(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    """What a paper run still needs to go live, and the form that starts the live run."""
    paper = selectors.run_of(request.user, run_id)
    if paper.mode != RunMode.PAPER:
        return redirect(paper)
    choice = live_start.key_choice(paper, selectors.keys_for(request.user, paper.exchange))
    form = _go_live_form(request, paper, choice)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            live = live_start.strategy_run_go_live(
                owner=request.user,
                paper=paper,
                key=form.chosen_key(),
                capital=data["capital"],
                notional_cap=float(data["notional_cap"]),
                accepted=bool(data["accept"]),
                code=data["code"] or "",
            )
        except services.StartRefused as refused:
            form.add_error(refused.field or None, refused.message)
        else:
            messages.success(request, _("Live run started: it trades from the next close."))
            return redirect(live)
    # A code typed with something else wrong was never checked (the service checks it
    # last): the page says so, rather than asking for a fresh code as if it had been refused.
    code_typed = request.method == "POST" and bool(request.POST.get("code", "").strip())
    gates = live_start.live_gates(
        paper=paper,
        key=form.chosen_key(),
        accepted=request.method == "POST" and bool(request.POST.get("accept")),
        code_ok=False,
        code_unchecked=code_typed and "code" not in form.errors,
        choice=choice,
    )
    context = {"paper": paper, "form": form, "gates": gates, "left_out": choice.left_out}
    context["ladder"] = ladder_text(run_display.run_document(paper), float(paper.capital), [])
    context["title"] = shown_titles([paper], get_language())[paper.pk]
    limits = governor_selectors.limits_for_go_live(request.user, form.chosen_key())
    context["limits"] = [line for row in limits for line in limits_lines(row)]
    return render(request, "strategies/runs/go_live.html", context)


@login_required
@require_POST
def run_trades_load(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    run = selectors.run_of(request.user, run_id)
    if run_history.run_history_request(run=run):
        messages.success(request, _("Loading your trades from the exchange."))
    return redirect(run)
