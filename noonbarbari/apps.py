from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_site(using: str = "default", **kwargs: object) -> None:
    """Keep django.contrib.sites' row in step with SITE_DOMAIN (sitemap URLs, allauth mail)."""
    # Looked up by name: models cannot be imported before the app registry is ready.
    Site = apps.get_model("sites", "Site")
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN, "name": "Noon Barbari"}
    )


class NoonBarbariConfig(AppConfig):
    """The project itself: site-wide templates, static files, health and operator commands."""

    name = "noonbarbari"
    verbose_name = _("Noon Barbari")

    def ready(self) -> None:
        # Sent once the sites app's table exists (and again after a test database flush).
        post_migrate.connect(
            _sync_site, sender=apps.get_app_config("sites"), dispatch_uid="noonbarbari.sync_site"
        )
