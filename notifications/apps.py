from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """What a user is told away from the site: channels, the outbox and the Telegram bot."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from accounts import services as accounts_services
        from exchanges import connection_tests, reminders
        from notifications import events, key_events, selectors

        accounts_services.profile_sections.append(selectors.profile_section)
        # Keys are exchanges' news: it offers the hooks, we tell the owner.
        connection_tests.verdict_listeners.append(key_events.key_verdict_told)
        reminders.reminder_listeners.append(key_events.keys_expiring_told)
        events.renderers[events.Event.KEY] = key_events.render_key
