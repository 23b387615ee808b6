from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from strategies.forms.catalog_admin import CatalogEntryAdminForm
from strategies.models import Backtest, CatalogEntry, CatalogEntryText, Strategy, StrategyVersion


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


@admin.register(Backtest)
class BacktestAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
