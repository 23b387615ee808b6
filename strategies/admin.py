from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.defaultfilters import floatformat
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from strategies.forms.catalog_admin import CatalogEntryAdminForm
from strategies.models import (
    ACTIVE_RUN,
    Backtest,
    CatalogEntry,
    CatalogEntryText,
    RiskBreach,
    RiskLimits,
    Strategy,
    StrategyRun,
    StrategyVersion,
    Study,
    WarmMarket,
)
from strategies.services import run_messages, runs


class CatalogEntryTextInline(admin.StackedInline):
    model = CatalogEntryText
    extra = 0
    max_num = len(settings.LANGUAGES)
    fields = ["language", *CatalogEntryText.TEXT_FIELDS]


@admin.register(CatalogEntry)
class CatalogEntryAdmin(admin.ModelAdmin):
    form = CatalogEntryAdminForm
    list_display = ["slug", "category", "bias", "skill", "published", "position", "version"]
    list_editable = ["published", "position"]
    list_filter = ["published", "category", "bias", "skill"]
    search_fields = ["slug", "texts__title"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["slug", "published", "position", "version", "updated_at"]}),
        (_("Facts"), {"fields": ["category", "bias", "skill", "timeframes"]}),
        (_("Rules"), {"fields": ["document"]}),
    ]
    inlines = [CatalogEntryTextInline]


class StrategyVersionInline(admin.TabularInline):
    model = StrategyVersion
    extra = 0
    fields = ["number", "note", "created_at"]
    readonly_fields = ["number", "note", "created_at"]
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    """Users' strategies, read-only: support can see what a user runs, never change it."""

    list_display = ["name", "owner", "copied_from", "updated_at"]
    search_fields = ["name", "owner__email"]
    list_select_related = ["owner", "copied_from"]
    readonly_fields = ["owner", "name", "copied_from", "created_at", "updated_at"]
    inlines = [StrategyVersionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows users' work made: support sees them, never adds nor edits one."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Backtest)
class BacktestAdmin(ReadOnlyAdmin):
    """Users' backtests, read-only: support sees what ran and why it failed, never edits it."""

    list_display = ["pk", "owner", "symbol", "timeframe", "status", "created_at"]
    list_filter = ["status", "timeframe"]
    search_fields = ["owner__email", "symbol"]
    list_select_related = ["owner"]
    fields = [
        "owner", "exchange", "symbol", "timeframe", "status", "error_code",
        "created_at", "started_at", "finished_at",
    ]  # fmt: skip
    readonly_fields = [
        "owner", "exchange", "symbol", "timeframe", "status", "error_code",
        "created_at", "started_at", "finished_at",
    ]  # fmt: skip


STUDY_FIELDS = (
    "owner", "strategy_name", "exchange", "symbol", "timeframe", "objective", "combinations",
    "status", "error_code", "created_at", "started_at", "finished_at",
)  # fmt: skip


@admin.register(Study)
class StudyAdmin(ReadOnlyAdmin):
    """Users' studies, read-only, as backtests: what ran and why it failed."""

    list_display = ["pk", "owner", "symbol", "timeframe", "status", "created_at"]
    list_filter = ["status", "timeframe"]
    search_fields = ["owner__email", "symbol"]
    list_select_related = ["owner"]
    fields = STUDY_FIELDS
    readonly_fields = STUDY_FIELDS


RUN_FIELDS = (
    "owner", "strategy_name", "mode", "exchange", "symbol", "timeframe", "status", "stop_code",
    "capital", "equity_to_the_cent", "held", "last_bar_ms", "created_at", "started_at",
    "stopped_at", "cancel_due_at", "cancel_attempts", "cancel_problem",
)  # fmt: skip


class OrdersMayRestFilter(admin.SimpleListFilter):
    """Ended live runs whose orders the exchange has not confirmed cancelled: what staff
    watch after a kill switch."""

    title = _("orders at the exchange")
    parameter_name = "orders_rest"

    def lookups(self, request, model_admin):
        return [("yes", _("May still rest (cancel not confirmed)"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=StrategyRun.objects.cancels_pending().values("pk"))
        return queryset


@admin.register(StrategyRun)
class StrategyRunAdmin(admin.ModelAdmin):
    """Users' runs, read-only, with the kill switches: the selected runs, every run of their
    owners, or every active run on the platform (a page of its own, confirmed by a POST)."""

    list_display = [
        "pk", "owner", "strategy_name", "mode", "symbol", "status", "orders_may_rest",
        "equity_to_the_cent",
    ]  # fmt: skip
    list_filter = [OrdersMayRestFilter, "status", "mode", "timeframe"]
    search_fields = ["owner__email", "symbol", "strategy_name"]
    list_select_related = ["owner"]
    fields = RUN_FIELDS
    readonly_fields = RUN_FIELDS
    actions = ["stop_selected", "stop_all_of_their_owners"]

    @admin.display(description=_("equity"), ordering="equity")
    def equity_to_the_cent(self, run: StrategyRun) -> str:
        # Stored as a float from the fills (9968.159524040233): money is read to the cent,
        # as the starting capital beside it is.
        return floatformat(run.equity, 2)

    @admin.display(boolean=True, description=_("orders may rest"))
    def orders_may_rest(self, run: StrategyRun) -> bool:
        return run.orders_may_rest

    def has_stop_permission(self, request) -> bool:
        return request.user.has_perm("strategies.stop_runs")

    def _report_stopped(self, request, count: int) -> None:
        """How many runs stopped, and that their positions stay open."""
        self.message_user(request, _stopped(count))
        self.message_user(request, POSITIONS_STAY)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Stop the selected runs"), permissions=["stop"])
    def stop_selected(self, request, queryset) -> None:
        stopped = sum(
            runs.strategy_run_stop(run=run, code=run_messages.KILLED_BY_STAFF)
            for run in queryset.filter(status__in=ACTIVE_RUN)
        )
        self._report_stopped(request, stopped)

    @admin.action(
        description=_("Stop every run of these runs' owners (kill switch per user)"),
        permissions=["stop"],
    )
    def stop_all_of_their_owners(self, request, queryset) -> None:
        owners = User.objects.filter(pk__in=queryset.values("owner"))
        stopped = sum(
            runs.strategy_runs_kill(owner=owner, code=run_messages.KILLED_BY_STAFF)
            for owner in owners
        )
        self._report_stopped(request, stopped)

    def get_urls(self):
        kill_all = self.admin_site.admin_view(self.kill_all_view)
        return [
            path("kill-all/", kill_all, name="strategies_strategyrun_kill_all"),
            *super().get_urls(),
        ]

    def kill_all_view(self, request):
        """The global kill switch: a confirmation page, then every active run stopped."""
        # Its own permission, granted explicitly: seeing runs is not stopping everyone's.
        if not request.user.has_perm("strategies.kill_all_runs"):
            raise PermissionDenied
        if request.method == "POST":
            stopped = runs.strategy_runs_kill(code=run_messages.KILLED_FOR_ALL)
            self._report_stopped(request, stopped)
            return redirect("admin:strategies_strategyrun_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Stop every active run on the platform"),
            "active": StrategyRun.objects.active().count(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/strategies/kill_all.html", context)


POSITIONS_STAY = _(
    "Positions are not closed: live runs' positions stay open at the exchange (their resting "
    "orders are being cancelled; the filter “orders at the exchange” lists the runs where that "
    "is not confirmed yet)."
)


def _stopped(count: int) -> str:
    return ngettext("%(count)d run stopped.", "%(count)d runs stopped.", count) % {"count": count}


@admin.register(WarmMarket)
class WarmMarketAdmin(admin.ModelAdmin):
    """Markets kept warm beside the ones in use: their latest candles fetched every hour."""

    list_display = ["exchange", "symbol", "timeframe", "created_at"]
    list_filter = ["exchange", "timeframe"]
    search_fields = ["symbol"]


BREACH_FIELDS = (
    "kind",
    "measured",
    "limit",
    "at",
    "bar_ms",
    "flattened",
    "flattened_at",
    "ends_at",
    "cleared_at",
)


class RiskBreachInline(admin.TabularInline):
    model = RiskBreach
    fields = readonly_fields = BREACH_FIELDS
    extra = 0
    can_delete = False


@admin.register(RiskLimits)
class RiskLimitsAdmin(admin.ModelAdmin):
    list_display = ["owner", "key", "max_drawdown_pct", "daily_loss_limit", "checked_at"]
    search_fields = ["owner__email"]
    readonly_fields = ("owner", "key", *RiskLimits.FIELDS, "measures", "checked_at")
    fields = readonly_fields
    inlines = [RiskBreachInline]

    def has_add_permission(self, request) -> bool:
        return False

    # Deleting a row would lift a hold without its owner's code.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RiskBreach)
class RiskBreachAdmin(admin.ModelAdmin):
    """Staff see every breach: whose, which limit, what was measured, and whether it holds."""

    list_display = ["limits", "kind", "measured", "limit", "at", "flattened", "cleared_at"]
    list_filter = ["kind", ("cleared_at", admin.EmptyFieldListFilter), "flattened"]
    search_fields = ["limits__owner__email"]
    readonly_fields = ("limits", *BREACH_FIELDS)
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
