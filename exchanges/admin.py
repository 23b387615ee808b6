from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange


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
