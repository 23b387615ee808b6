from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """What a user is told away from the site: channels, the outbox and the Telegram bot."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from accounts import services as accounts_services
        from notifications import selectors

        accounts_services.profile_sections.append(selectors.profile_section)
