from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange, ExchangeKey, ExchangeKeyEvent, KeyReplacement


@admin.register(Exchange)
class ExchangeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "ccxt_id",
        "region",
        "spot_trading",
        "futures_trading",
        "spot_maker_fee",
        "ccxt_support",
        "ip_whitelist",
    ]
    list_filter = ["region", "spot_trading", "futures_trading", "ccxt_support", "ip_whitelist"]
    search_fields = ["name", "slug", "ccxt_id"]
    readonly_fields = ["credentials"]
    autocomplete_fields = ["sister"]
    # A link typed without a scheme means https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "slug", "ccxt_id", "region", "sister"]}),
        (
            _("Markets and fees"),
            {"fields": ["spot_trading", "futures_trading", "spot_maker_fee", "spot_taker_fee"]},
        ),
        (
            _("API keys"),
            {
                "fields": [
                    "ccxt_support",
                    "account_2fa",
                    "ip_whitelist",
                    "ip_whitelist_max",
                    "credentials",
                ]
            },
        ),
        (_("Links"), {"fields": ["website_url", "api_keys_url", "support_url", "fees_url"]}),
    ]


class ExchangeKeyEventInline(admin.TabularInline):
    model = ExchangeKeyEvent
    fields = readonly_fields = ("created_at", "kind", "actor")
    extra = 0
    max_num = 0
    can_delete = False


class KeyReplacementInline(admin.TabularInline):
    """New secrets submitted for the key and what became of them: never their values."""

    model = KeyReplacement
    fields = readonly_fields = ("created_at", "key_hint", "outcome", "settled_at")
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(ExchangeKey)
class ExchangeKeyAdmin(admin.ModelAdmin):
    """Metadata, status and audit trail: never a secret, never a ciphertext."""

    list_display = ["label", "user", "exchange", "key_hint", "status", "created_at", "rotated_at"]
    list_filter = ["status", "exchange"]
    search_fields = ["label", "user__email", "key_hint"]
    list_select_related = ["user", "exchange"]
    fields = readonly_fields = (
        "id",
        "user",
        "exchange",
        "label",
        "key_hint",
        "status",
        "last_verdict",
        "created_at",
        "rotated_at",
        "expires_on",
    )
    inlines = [KeyReplacementInline, ExchangeKeyEventInline]

    def has_add_permission(self, request) -> bool:
        # Keys are added by their owners, through the 2FA-protected pages.
        return False


@admin.register(ExchangeKeyEvent)
class ExchangeKeyEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "key_label", "user", "kind", "actor"]
    list_filter = ["kind"]
    search_fields = ["key_label", "user__email", "actor"]
    list_select_related = ["user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
