from django.contrib import admin

from notifications.models import Channel, Delivery, Notification


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    # The address and the signing secret never show: only the host the user sees too.
    list_display = ["user", "kind", "telegram_name", "url_hint", "broken_reason", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__email"]
    readonly_fields = (
        "user",
        "kind",
        "events",
        "telegram_name",
        "url_hint",
        "broken_reason",
        "created_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False


DELIVERY_FIELDS = (
    "channel",
    "status",
    "attempts",
    "due_at",
    "error_code",
    "error_detail",
    "sent_at",
)


class DeliveryInline(admin.TabularInline):
    model = Delivery
    readonly_fields = DELIVERY_FIELDS
    fields = readonly_fields
    extra = 0
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "key", "created_at"]
    list_filter = ["event"]
    search_fields = ["user__email", "key"]
    readonly_fields = (
        "user",
        "event",
        "key",
        "params",
        "created_at",
    )
    fields = readonly_fields
    inlines = [DeliveryInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["notification", "channel", "status", "attempts", "due_at", "error_code"]
    list_filter = ["status", "channel__kind"]
    readonly_fields = ("notification", *DELIVERY_FIELDS)
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False
